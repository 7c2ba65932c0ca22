package org.uring4j.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import org.HdrHistogram.Histogram;
import org.uring4j.fs.AsyncFile;
import org.uring4j.fs.UringFiles;
import org.uring4j.fs.UringOpenOption;
import org.uring4j.nio.UringFileChannel;

/**
 * {@code uring4j bench --vthreads 1,16,256} (or {@code --pthreads N}): what a Java program pays
 * for one blocking call. N threads each make one positional read (or write) after another and
 * wait for it, through each engine in turn, in alternating rounds; every engine has the same N
 * requests in flight, one per thread. Reported per engine and N: IOPS, process CPU time per op,
 * context switches per op (all of the process's threads), latency percentiles, and the ratio to
 * FileChannel at the same N.
 */
final class BlockingBench {
    /** The engines this mode knows, each a blocking call a Java user would make. */
    enum Api {
        FILES("files", "AsyncFile.read/write (blocking form), uring4j"),
        NIO("nio", "UringFileChannel.read/write(buf, pos).get(), uring4j"),
        FILECHANNEL("filechannel", "FileChannel.read/write(buf, pos), the JDK"),
        ASYNCCHANNEL("asyncchannel", "AsynchronousFileChannel.read/write(buf, pos).get(), the JDK");

        final String label;
        final String how;

        Api(String label, String how) {
            this.label = label;
            this.how = how;
        }

        static Api parse(String s) {
            for (Api a : values()) {
                if (a.label.equals(s.toLowerCase(Locale.ROOT))) {
                    return a;
                }
            }
            throw new IllegalArgumentException(s);
        }
    }

    /** One engine at one thread count, one round. */
    record Result(Api api, boolean virtual, int threads, boolean write, int bs, boolean direct, long ops, double seconds,
                  long cpuNanos, long contextSwitches, long ringOps, Histogram latency) {
        /** The share of calls that went through the ring (the rest were served on the caller's thread); -1 for the JDK. */
        double ringShare() {
            return ringOps < 0 || ops == 0 ? -1 : (double) ringOps / ops;
        }

        double iops() {
            return ops / seconds;
        }

        double cpuNanosPerOp() {
            return ops == 0 ? 0 : (double) cpuNanos / ops;
        }

        double switchesPerOp() {
            return ops == 0 ? 0 : (double) contextSwitches / ops;
        }
    }

    private final Path file;
    private final long size;
    private final int bs;
    private final boolean write;
    private final boolean direct;
    private final double warmup;
    private final double seconds;

    BlockingBench(Path file, long size, int bs, boolean write, boolean direct, double warmup, double seconds) {
        this.file = file;
        this.size = size;
        this.bs = bs;
        this.write = write;
        this.direct = direct;
        this.warmup = warmup;
        this.seconds = seconds;
    }

    /** A blocking transfer of one block at {@code position}, from {@code buf} (a block-aligned direct buffer). */
    private interface Call {
        int transfer(ByteBuffer buf, long position) throws IOException;
    }

    /** An engine's open file and its blocking call; closing it closes the file. */
    private interface Opened extends AutoCloseable {
        Call call();

        @Override
        void close() throws IOException;
    }

    private Set<OpenOption> options() {
        Set<OpenOption> o = new HashSet<>(List.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
        if (direct) {
            o.add(com.sun.nio.file.ExtendedOpenOption.DIRECT);
        }
        return o;
    }

    private Opened open(Api api, UringFiles files) throws IOException {
        switch (api) {
            case FILECHANNEL -> {
                FileChannel ch = FileChannel.open(file, options());
                return opened(ch::close, write ? (b, p) -> ch.write(b, p) : (b, p) -> ch.read(b, p));
            }
            case ASYNCCHANNEL -> {
                AsynchronousFileChannel ch = AsynchronousFileChannel.open(file, options(), null);
                return opened(ch::close, write ? (b, p) -> get(ch.write(b, p)) : (b, p) -> get(ch.read(b, p)));
            }
            case NIO -> {
                Set<OpenOption> o = options();
                if (direct) {
                    o.remove(com.sun.nio.file.ExtendedOpenOption.DIRECT);
                    o.add(UringOpenOption.DIRECT);
                }
                UringFileChannel ch = UringFileChannel.open(files, file, o, null);
                return opened(ch::close, write ? (b, p) -> get(ch.write(b, p)) : (b, p) -> get(ch.read(b, p)));
            }
            case FILES -> {
                AsyncFile f = direct
                        ? files.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, UringOpenOption.DIRECT)
                        : files.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                return opened(f::close, write ? (b, p) -> f.write(MemorySegment.ofBuffer(b), p)
                        : (b, p) -> f.read(MemorySegment.ofBuffer(b), p));
            }
            default -> throw new AssertionError(api);
        }
    }

    private interface Closer {
        void close() throws IOException;
    }

    private static Opened opened(Closer closer, Call call) {
        return new Opened() {
            @Override
            public Call call() {
                return call;
            }

            @Override
            public void close() throws IOException {
                closer.close();
            }
        };
    }

    private static int get(java.util.concurrent.Future<Integer> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /** One round of {@code api} with {@code threads} threads. */
    Result run(Api api, UringFiles files, boolean virtual, int threads) throws Exception {
        try (Opened opened = open(api, files)) {
            Call call = opened.call();
            long blocks = size / bs;
            Worker[] workers = new Worker[threads];
            Thread[] ts = new Thread[threads];
            for (int i = 0; i < threads; i++) {
                workers[i] = new Worker(call, blocks, bs, 0x5eed + i);
                ts[i] = (virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon()).name("bench-" + i).unstarted(workers[i]);
            }
            for (Thread t : ts) {
                t.start();
            }
            Thread.sleep((long) (warmup * 1000));
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long cs0 = contextSwitches();
            long ring0 = ringOps(files);
            long t0 = System.nanoTime();
            for (Worker w : workers) {
                w.measuring = true;
            }
            Thread.sleep((long) (seconds * 1000));
            // A short run on a busy machine may end before some thread's first call returns: wait
            // (a bounded while) until each has measured one, so every figure stands on something.
            long patience = System.nanoTime() + 10_000_000_000L;
            for (Worker w : workers) {
                while (w.ops == 0 && w.failure == null && System.nanoTime() < patience) {
                    Thread.sleep(1);
                }
            }
            for (Worker w : workers) {
                w.measuring = false;
            }
            long t1 = System.nanoTime();
            long cpu1 = os.getProcessCpuTime();
            long cs1 = contextSwitches();
            long ring1 = ringOps(files);
            for (Worker w : workers) {
                w.stop = true;
            }
            for (Thread t : ts) {
                t.join();
            }
            Histogram all = new Histogram(1, 100_000_000_000L, 3);
            long ops = 0;
            for (Worker w : workers) {
                if (w.failure != null) {
                    throw new IOException(api.label + ": " + w.failure, w.failure);
                }
                all.add(w.latency);
                ops += w.ops;
            }
            boolean ours = api == Api.FILES || api == Api.NIO;
            return new Result(api, virtual, threads, write, bs, direct, ops, (t1 - t0) / 1e9, cpu1 - cpu0, cs1 - cs0,
                    ours ? ring1 - ring0 : -1, all);
        }
    }

    /** One thread's loop: a random block, one blocking call, repeat. */
    private static final class Worker implements Runnable {
        private final Call call;
        private final long blocks;
        private final int bs;
        private final SplittableRandom random;
        private final Histogram latency = new Histogram(1, 100_000_000_000L, 3);
        volatile boolean measuring;
        volatile boolean stop;
        volatile long ops;
        volatile Throwable failure;

        Worker(Call call, long blocks, int bs, long seed) {
            this.call = call;
            this.blocks = blocks;
            this.bs = bs;
            this.random = new SplittableRandom(seed);
        }

        @Override
        public void run() {
            ByteBuffer buf = ByteBuffer.allocateDirect(bs + 4096).alignedSlice(4096).limit(bs);
            try {
                while (!stop) {
                    long position = random.nextLong(blocks) * bs;
                    buf.clear().limit(bs);
                    long t0 = System.nanoTime();
                    call.transfer(buf, position);
                    long t1 = System.nanoTime();
                    if (measuring) {
                        latency.recordValue(Math.max(1, Math.min(t1 - t0, 100_000_000_000L)));
                        ops++;
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    /** Operations the runtime's loops have taken so far (uring4j's calls that went through a ring). */
    private static long ringOps(UringFiles files) {
        long n = 0;
        for (int i = 0; i < files.runtime().loopCount(); i++) {
            n += files.runtime().loop(i).operationsSubmitted();
        }
        return n;
    }

    /** Voluntary and involuntary context switches of all of this process's threads so far. */
    static long contextSwitches() {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (IOException e) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return sum;
    }

    /** Runs every engine at every thread count, {@code rounds} times in alternating order, and reports medians. */
    static int runAll(PrintWriter out, BlockingBench bench, List<Api> apis, boolean virtual, List<Integer> counts,
                      int rounds, boolean json) throws Exception {
        List<Result> medians = new ArrayList<>();
        try (UringFiles files = UringFiles.open()) {
            for (int n : counts) {
                List<List<Result>> perApi = new ArrayList<>();
                for (int i = 0; i < apis.size(); i++) {
                    perApi.add(new ArrayList<>());
                }
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < apis.size(); k++) {
                        int i = r % 2 == 0 ? k : apis.size() - 1 - k; // alternate the order: neither side always goes first
                        perApi.get(i).add(bench.run(apis.get(i), files, virtual, n));
                    }
                }
                for (List<Result> rs : perApi) {
                    List<Result> sorted = new ArrayList<>(rs);
                    sorted.sort(Comparator.comparingDouble(Result::iops));
                    medians.add(sorted.get(sorted.size() / 2));
                }
            }
        }
        if (json) {
            writeJson(out, medians);
        } else {
            table(out, medians, virtual, rounds);
        }
        out.flush();
        return 0;
    }

    private static void table(PrintWriter out, List<Result> results, boolean virtual, int rounds) {
        Result first = results.get(0);
        out.printf("%s 4k-aligned random %s of %d B, %s; each of N %s threads makes one blocking call after another "
                        + "(N requests in flight on every engine); medians of %d alternating rounds%n",
                first.direct ? "O_DIRECT" : "page-cache", first.write ? "writes" : "reads", first.bs,
                first.direct ? "device" : "cached", virtual ? "virtual" : "platform", rounds);
        out.printf("%-13s %5s %11s %9s %10s %8s %9s %9s %9s %8s%n", "engine", "N", "IOPS", "CPU/op", "ctxsw/op", "ring",
                "p50", "p99", "p99.9", "vs FC");
        for (Result r : results) {
            Result fc = results.stream().filter(x -> x.api == Api.FILECHANNEL && x.threads == r.threads).findFirst()
                    .orElse(null);
            out.printf("%-13s %5d %11.0f %7.2fus %10.2f %8s %9s %9s %9s %8s%n", r.api.label, r.threads, r.iops(),
                    r.cpuNanosPerOp() / 1000, r.switchesPerOp(),
                    r.ringShare() < 0 ? "-" : String.format("%.0f%%", 100 * r.ringShare()),
                    BenchCommand.nanos(r.latency.getValueAtPercentile(50)),
                    BenchCommand.nanos(r.latency.getValueAtPercentile(99)),
                    BenchCommand.nanos(r.latency.getValueAtPercentile(99.9)),
                    fc == null ? "-" : String.format("%.2fx", r.iops() / fc.iops()));
        }
        out.println("ring: the share of uring4j's calls that went through a ring (the rest were served on the caller's thread)");
        out.println("how each engine is driven:");
        results.stream().map(r -> r.api).distinct().forEach(a -> out.printf("  %-13s %s%n", a.label, a.how));
    }

    private static void writeJson(PrintWriter out, List<Result> results) throws IOException {
        JsonGenerator g = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter();
        g.writeStartObject();
        g.writeArrayFieldStart("results");
        for (Result r : results) {
            g.writeStartObject();
            g.writeStringField("engine", r.api.label);
            g.writeNumberField(r.virtual ? "vthreads" : "threads", r.threads);
            g.writeStringField("rw", r.write ? "randwrite" : "randread");
            g.writeNumberField("bs", r.bs);
            g.writeBooleanField("direct", r.direct);
            g.writeNumberField("iops", Math.round(r.iops()));
            g.writeNumberField("cpu_ns_per_op", Math.round(r.cpuNanosPerOp()));
            g.writeNumberField("ctx_switches_per_op", Math.round(r.switchesPerOp() * 1000) / 1000.0);
            if (r.ringShare() >= 0) {
                g.writeNumberField("ring_share", Math.round(r.ringShare() * 1000) / 1000.0);
            }
            g.writeObjectFieldStart("lat_ns");
            g.writeNumberField("p50", r.latency.getValueAtPercentile(50));
            g.writeNumberField("p99", r.latency.getValueAtPercentile(99));
            g.writeNumberField("p999", r.latency.getValueAtPercentile(99.9));
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
        g.flush();
        out.println();
    }
}
