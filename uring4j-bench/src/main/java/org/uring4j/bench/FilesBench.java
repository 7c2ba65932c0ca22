package org.uring4j.bench;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.uring4j.fs.AsyncFile;
import org.uring4j.fs.UringFiles;
import org.uring4j.fs.UringOpenOption;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.Await;
import org.uring4j.runtime.EventLoop;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/**
 * The file-layer benchmark harness behind {@code bench/files.sh}: measured in alternating rounds
 * (A, B, C, A, B, C, ...) because the machine is shared and noisy, and reported as medians over
 * rounds.
 *
 * <ol>
 * <li><b>opens</b> — open+close latency of one warm file, single thread: the cached fast path
 * ({@code UringFiles.open}, openat2 RESOLVE_CACHED on the caller's thread), the ring op (the
 * same open forced onto the ring), a bare OPENAT2+CLOSE through the event loop, the JDK
 * ({@code Files.newByteChannel}), and the raw syscalls as a floor.</li>
 * <li><b>files</b> — whole-file reads and writes of many small files: {@code UringFiles.readAllBytes}
 * / {@code write} against {@code Files.readAllBytes} / {@code write}, blocking on one thread,
 * and with many in flight (uring: async windows; JDK: N virtual threads).</li>
 * </ol>
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar org.uring4j.bench.FilesBench [options]
 *   --part=opens|files|all   (all)
 *   --open-rounds=N          measured rounds of the open benchmark (12), after 3 warm-up rounds
 *   --open-ops=N             open+close pairs per variant per round (4000)
 *   --file-rounds=N          measured rounds of the read phase and the tmpfs write phase (5), after 1 warm-up round
 *   --disk-write-rounds=N    measured rounds of the write phase on the temp dir's file system, main variants only (3; 0: skip)
 *   --files=N                files per set (10000)
 *   --sizes=1024,16384       file sizes in bytes (each below 64 KiB: the one-submission path)
 *   --windows=64,256         uring in-flight windows and JDK virtual-thread counts
 *   --dir=PATH               where the temporary directory goes (java.io.tmpdir)
 *   --ram-dir=PATH           a tmpfs for the write phase without a disk (/dev/shm; empty: skip)
 * </pre>
 */
public final class FilesBench {
    private FilesBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = parse(args);
        String part = opt.getOrDefault("part", "all");
        Path parent = Path.of(opt.getOrDefault("dir", System.getProperty("java.io.tmpdir")));
        Path dir = Files.createTempDirectory(parent, "uring4j-fsbench-");
        String ram = opt.getOrDefault("ram-dir", "/dev/shm");
        Path ramDir = ram.isEmpty() || !Files.isDirectory(Path.of(ram)) || !Files.isWritable(Path.of(ram)) ? null
                : Files.createTempDirectory(Path.of(ram), "uring4j-fsbench-");
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "temp dir: %s; tmpfs dir for the write phase: %s%n", dir, ramDir == null ? "(none)" : ramDir);
        try (UringFiles files = UringFiles.open()) {
            out.printf(Locale.ROOT, "runtime: %d event loops (one per processor)%n%n", files.runtime().loopCount());
            if (part.equals("opens") || part.equals("all")) {
                opens(files, dir, intOpt(opt, "open-rounds", 12), intOpt(opt, "open-ops", 4000), out);
            }
            if (part.equals("files") || part.equals("all")) {
                wholeFiles(files, dir, ramDir, intOpt(opt, "file-rounds", 5), intOpt(opt, "disk-write-rounds", 3),
                        intOpt(opt, "files", 10_000), ints(opt.getOrDefault("sizes", "1024,16384")),
                        ints(opt.getOrDefault("windows", "64,256")), out);
            }
        } finally {
            deleteTree(dir);
            if (ramDir != null) {
                deleteTree(ramDir);
            }
        }
    }

    // ================================================================== 1. opens

    /** One way to open and close a file; open returns whatever close needs. */
    private interface OpenClose {
        Object open() throws Exception;

        void close(Object handle) throws Exception;
    }

    private record OpenVariant(String name, OpenClose oc) {
    }

    private record RawFd(EventLoop loop, int fd) {
    }

    static void opens(UringFiles files, Path dir, int rounds, int ops, PrintStream out) throws Exception {
        Path file = dir.resolve("warm.bin");
        Files.write(file, new byte[4096]);
        Files.readAllBytes(file); // dentry, inode and page cache warm
        byte[] cPath = RawOpenOp.cPath(file.toString());

        List<OpenVariant> variants = new ArrayList<>();
        variants.add(new OpenVariant("uring fast path: UringFiles.open(READ) + close", new OpenClose() {
            public Object open() throws IOException {
                return files.open(file, StandardOpenOption.READ);
            }

            public void close(Object h) throws IOException {
                ((AsyncFile) h).close();
            }
        }));
        variants.add(new OpenVariant("uring ring op: UringFiles.open(READ, RESOLVE_CACHED) + close", new OpenClose() {
            public Object open() throws IOException {
                // RESOLVE_CACHED in the options turns the caller-thread attempt off; the file is
                // warm, so the ring's OPENAT2 succeeds inline: same file, same flags, via the ring.
                return files.open(file, StandardOpenOption.READ, UringOpenOption.RESOLVE_CACHED);
            }

            public void close(Object h) throws IOException {
                ((AsyncFile) h).close();
            }
        }));
        variants.add(new OpenVariant("uring ring op, direct descriptor: open(READ, DIRECT_DESCRIPTOR) + close", new OpenClose() {
            public Object open() throws IOException {
                return files.open(file, StandardOpenOption.READ, UringOpenOption.DIRECT_DESCRIPTOR);
            }

            public void close(Object h) throws IOException {
                ((AsyncFile) h).close();
            }
        }));
        variants.add(new OpenVariant("bare ring: OPENAT2 op + CLOSE op on an EventLoop", new OpenClose() {
            public Object open() throws IOException {
                // Round-robin like UringFiles (nextLoop), closing on the loop that opened, like AsyncFile.
                EventLoop loop = files.runtime().nextLoop();
                return new RawFd(loop, Await.get(loop.submit(new RawOpenOp(cPath, Uapi.O_RDONLY | Uapi.O_CLOEXEC, 0))));
            }

            public void close(Object h) throws IOException {
                RawFd f = (RawFd) h;
                Await.get(f.loop().submit(new RawCloseOp(f.fd())));
            }
        }));
        variants.add(new OpenVariant("JDK: Files.newByteChannel(path) + close", new OpenClose() {
            public Object open() throws IOException {
                return Files.newByteChannel(file);
            }

            public void close(Object h) throws IOException {
                ((SeekableByteChannel) h).close();
            }
        }));
        Arena floorArena = Arena.ofShared();
        MemorySegment floorPath = floorArena.allocate(cPath.length);
        MemorySegment.copy(cPath, 0, floorPath, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, cPath.length);
        MemorySegment floorHow = floorArena.allocate(Layouts.OPEN_HOW);
        floorHow.set(JAVA_LONG, 0, Integer.toUnsignedLong(Uapi.O_RDONLY | Uapi.O_CLOEXEC));
        floorHow.set(JAVA_LONG, 16, Uapi.RESOLVE_CACHED);
        variants.add(new OpenVariant("floor: openat2(RESOLVE_CACHED) + close(2) syscalls, caller thread", new OpenClose() {
            public Object open() {
                int fd = Syscalls.openat2(Uapi.AT_FDCWD, floorPath, floorHow);
                if (fd < 0) {
                    throw new IllegalStateException("openat2: errno " + -fd);
                }
                return fd;
            }

            public void close(Object h) {
                Syscalls.close((Integer) h);
            }
        }));

        int n = variants.size();
        long[] total = new long[ops];
        long[] openPart = new long[ops];
        long[] closePart = new long[ops];
        double[][] p50 = new double[n][rounds];
        double[][] p99 = new double[n][rounds];
        double[][] openP50 = new double[n][rounds];
        double[][] closeP50 = new double[n][rounds];
        int warmup = 3;
        out.printf(Locale.ROOT, "== Opens: open+close of one warm file, single thread; %d alternating rounds of %d pairs per variant (+%d warm-up rounds)%n",
                rounds, ops, warmup);
        for (int r = -warmup; r < rounds; r++) {
            for (int k = 0; k < n; k++) {
                int v = Math.floorMod(k + r, n); // rotate who goes first, so no variant always follows the same one
                OpenClose oc = variants.get(v).oc();
                for (int i = 0; i < ops; i++) {
                    long t0 = System.nanoTime();
                    Object h = oc.open();
                    long t1 = System.nanoTime();
                    oc.close(h);
                    long t2 = System.nanoTime();
                    total[i] = t2 - t0;
                    openPart[i] = t1 - t0;
                    closePart[i] = t2 - t1;
                }
                if (r >= 0) {
                    Arrays.sort(total);
                    Arrays.sort(openPart);
                    Arrays.sort(closePart);
                    p50[v][r] = pct(total, 50);
                    p99[v][r] = pct(total, 99);
                    openP50[v][r] = pct(openPart, 50);
                    closeP50[v][r] = pct(closePart, 50);
                }
            }
        }
        floorArena.close();

        out.println();
        out.println("| variant | p50 open+close (µs) | p99 open+close (µs) | p50 open (µs) | p50 close (µs) | round p50 range (µs) |");
        out.println("|---|---:|---:|---:|---:|---:|");
        double[] m50 = new double[n];
        double[] m99 = new double[n];
        for (int v = 0; v < n; v++) {
            m50[v] = median(p50[v]);
            m99[v] = median(p99[v]);
            out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f – %.2f |%n", variants.get(v).name(),
                    us(m50[v]), us(m99[v]), us(median(openP50[v])), us(median(closeP50[v])),
                    us(min(p50[v])), us(max(p50[v])));
        }
        out.println();
        out.println("| ratio (open+close time; < 1 means the fast path is quicker) | p50 | p99 |");
        out.println("|---|---:|---:|");
        out.printf(Locale.ROOT, "| fast path / ring op (UringFiles, RESOLVE_CACHED) | %.2f | %.2f |%n", m50[0] / m50[1], m99[0] / m99[1]);
        out.printf(Locale.ROOT, "| fast path / bare ring OPENAT2+CLOSE | %.2f | %.2f |%n", m50[0] / m50[3], m99[0] / m99[3]);
        out.printf(Locale.ROOT, "| fast path / JDK | %.2f | %.2f |%n", m50[0] / m50[4], m99[0] / m99[4]);
        out.printf(Locale.ROOT, "| ring op / JDK | %.2f | %.2f |%n", m50[1] / m50[4], m99[1] / m99[4]);
        out.printf(Locale.ROOT, "| fast path / syscall floor | %.2f | %.2f |%n", m50[0] / m50[5], m99[0] / m99[5]);
        out.println();
    }

    // ================================================================== 2. whole files

    /** One way to read or write every file of a set; returns the bytes moved (checked). */
    private interface Job {
        long run(Path[] paths, byte[] data) throws Exception;
    }

    /** A variant: its label, the kind of comparison it belongs to, and whether it runs in the short disk-write phase. */
    private record JobVariant(String name, String key, boolean core, Job job) {
    }

    /** The variants of one op ("read" or "write"); keys name them for the ratio table. */
    private static List<JobVariant> variants(UringFiles files, String op, int[] windows) {
        int nproc = Runtime.getRuntime().availableProcessors();
        boolean read = op.equals("read");
        BlockingTask uring = read ? x -> files.readAllBytes(x).length : null;
        BlockingTask jdk = read ? x -> Files.readAllBytes(x).length : null;
        List<JobVariant> vs = new ArrayList<>();
        String u = read ? "UringFiles.readAllBytes" : "UringFiles.write";
        String j = read ? "Files.readAllBytes" : "Files.write";
        vs.add(new JobVariant("uring " + u + ", blocking, 1 platform thread", "u1", true,
                (p, d) -> onCaller(p, read ? uring : x -> {
                    files.write(x, d);
                    return d.length;
                })));
        vs.add(new JobVariant("JDK " + j + ", 1 platform thread", "j1", true,
                (p, d) -> onCaller(p, read ? jdk : x -> {
                    Files.write(x, d);
                    return d.length;
                })));
        for (int w : windows) {
            boolean core = w == windows[windows.length - 1];
            vs.add(new JobVariant("uring " + (read ? "readAllBytesAsync" : "writeAsync") + ", windows of " + w + ", 1 caller thread",
                    "uw" + w, core, (p, d) -> windowed(p, w,
                            read ? x -> files.readAllBytesAsync(x).thenApply(b -> (long) b.length)
                                    : x -> files.writeAsync(x, d).thenApply(v -> (long) d.length))));
            vs.add(new JobVariant("JDK " + j + " on " + w + " virtual threads", "jv" + w, core,
                    (p, d) -> onThreads(p, w, true, read ? jdk : x -> {
                        Files.write(x, d);
                        return d.length;
                    })));
            vs.add(new JobVariant("uring " + u + " (blocking) on " + w + " virtual threads", "uv" + w, false,
                    (p, d) -> onThreads(p, w, true, read ? uring : x -> {
                        files.write(x, d);
                        return d.length;
                    })));
        }
        vs.add(new JobVariant("JDK " + j + " on " + nproc + " platform threads (= nproc)", "jp", false,
                (p, d) -> onThreads(p, nproc, false, read ? jdk : x -> {
                    Files.write(x, d);
                    return d.length;
                })));
        return vs;
    }

    /** Creates {@code count} files of each size under {@code dir}, warm in the page cache. */
    private static Map<Integer, Path[]> createSets(UringFiles files, Path dir, int count, int[] sizes, Map<Integer, byte[]> contents)
            throws IOException {
        Map<Integer, Path[]> sets = new LinkedHashMap<>();
        for (int size : sizes) {
            if (size >= 64 * 1024) {
                throw new IllegalArgumentException("sizes must be below 64 KiB (the one-submission whole-file path): " + size);
            }
            byte[] data = contents.computeIfAbsent(size, s -> {
                byte[] b = new byte[s];
                new Random(s).nextBytes(b);
                return b;
            });
            Path sub = Files.createDirectory(dir.resolve("set-" + size));
            Path[] paths = new Path[count];
            for (int i = 0; i < count; i++) {
                paths[i] = sub.resolve(String.format(Locale.ROOT, "f%05d", i));
                Files.write(paths[i], data);
            }
            // Sanity: both readers see the same bytes.
            if (!Arrays.equals(files.readAllBytes(paths[count - 1]), data) || !Arrays.equals(Files.readAllBytes(paths[0]), data)) {
                throw new IllegalStateException("content mismatch in " + sub);
            }
            sets.put(size, paths);
        }
        return sets;
    }

    /**
     * Runs {@code variants} of {@code op} over every set, in alternating rounds (who goes first
     * rotates each round); returns files/s per "size|key", one value per measured round.
     */
    private static Map<String, double[]> phase(String op, Map<Integer, Path[]> sets, Map<Integer, byte[]> contents,
                                               List<JobVariant> variants, int rounds, int warmups) throws Exception {
        Map<String, double[]> rate = new LinkedHashMap<>();
        for (int r = -warmups; r < rounds; r++) {
            for (Map.Entry<Integer, Path[]> set : sets.entrySet()) {
                int size = set.getKey();
                Path[] paths = set.getValue();
                for (int k = 0; k < variants.size(); k++) {
                    JobVariant v = variants.get(Math.floorMod(k + r, variants.size()));
                    long t0 = System.nanoTime();
                    long bytes = v.job().run(paths, contents.get(size));
                    long t = System.nanoTime() - t0;
                    if (bytes != (long) paths.length * size) {
                        throw new IllegalStateException(op + " " + v.name() + ": moved " + bytes + " bytes, expected " + (long) paths.length * size);
                    }
                    if (r >= 0) {
                        rate.computeIfAbsent(size + "|" + v.key(), x -> new double[rounds])[r] = paths.length / (t / 1e9);
                    }
                }
            }
        }
        return rate;
    }

    private static void printPhase(PrintStream out, String title, String op, Map<Integer, Path[]> sets, List<JobVariant> variants,
                                   Map<String, double[]> rate, int[] windows) {
        out.println("-- " + title);
        out.println();
        out.println("| op | size | variant | files/s (median) | round range | MB/s |");
        out.println("|---|---:|---|---:|---:|---:|");
        for (int size : sets.keySet()) {
            for (JobVariant v : variants) {
                double[] rs = rate.get(size + "|" + v.key());
                double m = median(rs);
                out.printf(Locale.ROOT, "| %s | %s | %s | %,.0f | %,.0f – %,.0f | %.0f |%n", op, kib(size), v.name(), m, min(rs), max(rs),
                        m * size / 1e6);
            }
        }
        out.println();
        out.println("| ratio of files/s (> 1: uring faster) | size | " + op + " |");
        out.println("|---|---:|---:|");
        for (int size : sets.keySet()) {
            ratio(out, rate, size, "blocking, 1 thread: uring ÷ JDK", "u1", "j1");
            for (int w : windows) {
                ratio(out, rate, size, "uring async window " + w + " ÷ JDK on " + w + " virtual threads", "uw" + w, "jv" + w);
                ratio(out, rate, size, "uring blocking on " + w + " VTs ÷ JDK on " + w + " VTs", "uv" + w, "jv" + w);
            }
            int wmax = windows[windows.length - 1];
            ratio(out, rate, size, "uring async window " + wmax + " ÷ JDK on nproc platform threads", "uw" + wmax, "jp");
            ratio(out, rate, size, "uring async window " + wmax + " ÷ JDK 1 thread", "uw" + wmax, "j1");
        }
        out.println();
    }

    private static void ratio(PrintStream out, Map<String, double[]> rate, int size, String label, String a, String b) {
        double[] x = rate.get(size + "|" + a);
        double[] y = rate.get(size + "|" + b);
        if (x != null && y != null) {
            out.printf(Locale.ROOT, "| %s | %s | %.2f |%n", label, kib(size), median(x) / median(y));
        }
    }

    static void wholeFiles(UringFiles files, Path dir, Path ramDir, int rounds, int diskWriteRounds, int count, int[] sizes,
                           int[] windows, PrintStream out) throws Exception {
        Map<Integer, byte[]> contents = new LinkedHashMap<>();
        List<JobVariant> reads = variants(files, "read", windows);
        List<JobVariant> writes = variants(files, "write", windows);
        Map<Integer, Path[]> diskSets = createSets(files, dir, count, sizes, contents);

        out.printf(Locale.ROOT, "== Whole files: %d files per set, sizes %s, single JVM, %d event loops%n", count, Arrays.toString(sizes),
                files.runtime().loopCount());
        out.println("   writes overwrite the set's files with the same bytes (O_WRONLY|O_CREAT|O_TRUNC, 0666, on both sides)");
        out.println();
        Map<String, double[]> r = phase("read", diskSets, contents, reads, rounds, 1);
        printPhase(out, "reads, " + dir + " (page cache warm): " + rounds + " alternating rounds after 1 warm-up", "read", diskSets, reads,
                r, windows);
        if (ramDir != null) {
            Map<Integer, Path[]> ramSets = createSets(files, ramDir, count, sizes, contents);
            Map<String, double[]> w = phase("write", ramSets, contents, writes, rounds, 1);
            printPhase(out, "writes, " + ramDir + " (tmpfs: no disk, no journal): " + rounds + " alternating rounds after 1 warm-up",
                    "write", ramSets, writes, w, windows);
        }
        if (diskWriteRounds > 0) {
            List<JobVariant> core = writes.stream().filter(JobVariant::core).toList();
            Map<String, double[]> w = phase("write", diskSets, contents, core, diskWriteRounds, ramDir == null ? 1 : 0);
            printPhase(out, "writes, " + dir + " (disk file system; overwrites free blocks and start writeback): "
                    + diskWriteRounds + " alternating rounds, the main variants only", "write", diskSets, core, w, windows);
        }
    }

    private interface AsyncTask {
        CompletableFuture<Long> start(Path p);
    }

    /** Submits {@code w} operations, waits for all of them, then the next {@code w}. */
    private static long windowed(Path[] paths, int w, AsyncTask task) {
        @SuppressWarnings("unchecked")
        CompletableFuture<Long>[] fs = new CompletableFuture[w];
        long bytes = 0;
        for (int base = 0; base < paths.length; base += w) {
            int end = Math.min(paths.length, base + w);
            for (int i = base; i < end; i++) {
                fs[i - base] = task.start(paths[i]);
            }
            for (int i = base; i < end; i++) {
                bytes += fs[i - base].join();
            }
        }
        return bytes;
    }

    private interface BlockingTask {
        int run(Path p) throws Exception;
    }

    /** Every file in turn on the calling thread. */
    private static long onCaller(Path[] paths, BlockingTask task) throws Exception {
        long bytes = 0;
        for (Path p : paths) {
            bytes += task.run(p);
        }
        return bytes;
    }

    /** {@code threads} threads take files from a shared counter until none is left. */
    private static long onThreads(Path[] paths, int threads, boolean virtual, BlockingTask task) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        FirstFailure failure = new FirstFailure();
        Thread.Builder b = virtual ? Thread.ofVirtual() : Thread.ofPlatform();
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = b.start(() -> {
                long mine = 0;
                int i;
                try {
                    while ((i = next.getAndIncrement()) < paths.length) {
                        mine += task.run(paths[i]);
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
                bytes.addAndGet(mine);
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        failure.rethrow();
        return bytes.get();
    }

    /** The first failure of any worker thread. */
    private static final class FirstFailure {
        private final java.util.concurrent.atomic.AtomicReference<Throwable> first = new java.util.concurrent.atomic.AtomicReference<>();

        void set(Throwable t) {
            first.compareAndSet(null, t);
        }

        void rethrow() throws Exception {
            Throwable t = first.get();
            if (t instanceof Exception e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
        }
    }

    // ================================================================== helpers

    private static double pct(long[] sorted, int p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double min(double[] xs) {
        return Arrays.stream(xs).min().orElse(Double.NaN);
    }

    private static double max(double[] xs) {
        return Arrays.stream(xs).max().orElse(Double.NaN);
    }

    private static double us(double ns) {
        return ns / 1000.0;
    }

    private static String kib(int bytes) {
        return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                throw new IllegalArgumentException("options are --name=value: " + a);
            }
            m.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        return m;
    }

    private static int intOpt(Map<String, String> m, String k, int def) {
        return m.containsKey(k) ? Integer.parseInt(m.get(k)) : def;
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
