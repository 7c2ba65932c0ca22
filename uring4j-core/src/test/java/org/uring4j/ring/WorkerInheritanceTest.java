package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.uring4j.ring.FileOpsSupport.assertOk;
import static org.uring4j.ring.FileOpsSupport.submitOne;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.sys.Syscalls;

/**
 * Seed 004: io-wq workers are user workers, cloned from the submitting thread, so beyond what
 * {@link WorkerIdentityTest} checks they share its cgroups, namespaces and mm and are held to its
 * RLIMITs, where a kthread would have kthreadd's. The limit tests run in a child JVM, so the JVM
 * running the tests never changes its own limits.
 */
class WorkerInheritanceTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int EFBIG = Errno.EFBIG.number();
    private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
    private static final int SIGXFSZ = 25;

    @TempDir
    Path dir;

    // ---- helpers -------------------------------------------------------------------------------

    /** The tids of our threads named {@code iou-wrk-<submitter>}: the io-wq workers of that thread. */
    static List<Long> workersOf(long submitter) throws IOException {
        String name = "iou-wrk-" + submitter;
        List<Long> tids = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    if (Files.readString(task.resolve("comm")).trim().equals(name)) {
                        tids.add(Long.parseLong(task.getFileName().toString()));
                    }
                } catch (NoSuchFileException e) {
                    // the thread exited while we listed
                }
            }
        }
        return tids;
    }

    /** Polls /proc (at most 10 s) until {@code submitter} has at least {@code n} workers; their tids. */
    static List<Long> awaitWorkers(long submitter, int n) throws Exception {
        long deadline = System.nanoTime() + WAIT_NANOS;
        List<Long> tids = workersOf(submitter);
        while (tids.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
            tids = workersOf(submitter);
        }
        return tids;
    }

    /** Two pipe ends, each closed at most once (close(2) of a reused fd number would hit another's file). */
    static final class RawPipe implements AutoCloseable {
        final int readFd;
        private int writeFd;

        RawPipe() throws UringException {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment fds = a.allocate(JAVA_INT, 2);
                Syscalls.check(Syscalls.pipe2(fds, Uapi.O_CLOEXEC), "pipe2", UringException.NO_FD);
                readFd = fds.getAtIndex(JAVA_INT, 0);
                writeFd = fds.getAtIndex(JAVA_INT, 1);
            }
        }

        Fd reader() {
            return Fd.raw(readFd);
        }

        Fd writer() {
            return Fd.raw(writeFd);
        }

        /** Writes one byte with write(2). */
        void writeByte(int b) throws UringException {
            try (Arena a = Arena.ofConfined()) {
                assertEquals(1, Syscalls.check(Syscalls.write(writeFd, a.allocateFrom(JAVA_BYTE, (byte) b)), "write"));
            }
        }

        @Override
        public void close() {
            Syscalls.close(readFd);
            if (writeFd >= 0) {
                Syscalls.close(writeFd);
                writeFd = -1;
            }
        }
    }

    /**
     * Queues one SPLICE of 1 byte from each of {@code ins} into {@code out}, user_data = index.
     * io_uring always runs SPLICE on io-wq and it blocks there on an empty pipe; with a pipe as the
     * output it is unbound work, so each one holds an unbound worker until its input has data.
     */
    static void queueBlockingSplices(Ring ring, RawPipe[] ins, RawPipe out) {
        for (int i = 0; i < ins.length; i++) {
            ring.getSqe().prepSplice(ins[i].reader(), -1, out.writer(), -1, 1, 0).userData(i).async();
        }
    }

    /** Feeds a byte to every input and reaps the {@code n} splices; each must move its byte. */
    static void releaseSplices(Ring ring, RawPipe[] ins) throws UringException {
        for (RawPipe in : ins) {
            in.writeByte('x');
        }
        for (int i = 0; i < ins.length; i++) {
            Cqe cqe = FileOpsSupport.awaitCqe(ring);
            assertEquals(1, cqe.res(), () -> "splice " + cqe.userData() + ": " + cqe.res());
        }
    }

    // ---- 1. cgroup, namespaces, pid namespace view, limits ------------------------------------

    @Test
    void blockedWorkersShareOurCgroupNamespacesAndLimits() throws Exception {
        KernelAssumptions.assumeOp(Opcode.SPLICE);
        long me = ProcStatus.callingThreadTid();
        int n = 3;
        RawPipe[] ins = new RawPipe[n];
        try (RawPipe out = new RawPipe(); Ring ring = Ring.open(8)) {
            try {
                for (int i = 0; i < n; i++) {
                    ins[i] = new RawPipe();
                }
                queueBlockingSplices(ring, ins, out);
                assertEquals(n, ring.submit());
                List<Long> workers = awaitWorkers(me, n);
                assertTrue(workers.size() >= n, "expected " + n + " blocked workers, saw " + workers);

                String cgroup = Files.readString(Path.of("/proc/self/cgroup"));
                assertEquals(cgroup, Files.readString(Path.of("/proc/thread-self/cgroup")), "the submitter's own cgroup");
                ProcStatus ours = ProcStatus.parse(Files.readString(Path.of("/proc/self/status")));
                String limits = Files.readString(Path.of("/proc/self/limits"));
                for (long tid : workers) {
                    Path task = Path.of("/proc/self/task/" + tid);
                    // A kthread would be in kthreadd's (root) cgroups; a user worker is charged where we are.
                    assertEquals(cgroup, Files.readString(task.resolve("cgroup")), "cgroup of worker " + tid);
                    ProcStatus st = ProcStatus.parse(Files.readString(task.resolve("status")));
                    assertEquals(PID, st.tgid(), "Tgid of worker " + tid);
                    assertEquals(ours.get("NStgid"), st.get("NStgid"), "NStgid of worker " + tid);
                    assertEquals(ours.get("NSpid").split("\\s+").length, st.get("NSpid").split("\\s+").length,
                            "worker " + tid + " is as deep in pid namespaces as we are");
                    for (String ns : List.of("cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts")) {
                        Path mine = Path.of("/proc/self/ns/" + ns);
                        if (Files.exists(mine)) {
                            assertEquals(Files.readSymbolicLink(mine), Files.readSymbolicLink(task.resolve("ns/" + ns)),
                                    ns + " namespace of worker " + tid);
                        }
                    }
                    assertEquals(limits, Files.readString(task.resolve("limits")), "limits of worker " + tid);
                }
                releaseSplices(ring, ins);
            } finally {
                for (RawPipe in : ins) {
                    if (in != null) {
                        in.close();
                    }
                }
            }
        }
    }

    // ---- 4. mm ---------------------------------------------------------------------------------

    @Test
    void workerReadsAndWritesMemoryWeMappedAfterItWasCreated() throws Exception {
        long me = ProcStatus.callingThreadTid();
        byte[] content = FileOpsSupport.pattern(8192, 4);
        Path src = Files.write(dir.resolve("src"), content);
        Path dst = dir.resolve("dst");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            // First make sure a worker exists, so the mapping below is newer than it.
            ring.getSqe().prepNop().async();
            assertOk(submitOne(ring));
            assertFalse(awaitWorkers(me, 1).isEmpty(), "a worker after an IOSQE_ASYNC NOP");

            long len = 1 << 16;
            long addr = Syscalls.check(Syscalls.mmap(len, Uapi.PROT_READ | Uapi.PROT_WRITE,
                    Uapi.MAP_PRIVATE | Uapi.MAP_ANONYMOUS, -1, 0), "mmap");
            try {
                MemorySegment mapped = MemorySegment.ofAddress(addr).reinterpret(len);
                try (FileOpsSupport.OwnedFd in = FileOpsSupport.open(ring, arena, src, Uapi.O_RDONLY, 0);
                        FileOpsSupport.OwnedFd outFd = FileOpsSupport.open(ring, arena, dst,
                                Uapi.O_WRONLY | Uapi.O_CREAT | Uapi.O_TRUNC, 0600)) {
                    // The worker copies into our pages: it runs on our mm, not a copy of it.
                    MemorySegment into = mapped.asSlice(4096, content.length);
                    ring.getSqe().prepRead(in.raw(), into, 0).async();
                    assertEquals(content.length, assertOk(submitOne(ring)));
                    assertArrayEquals(content, into.toArray(JAVA_BYTE));

                    // ...and reads from them: a write forced onto a worker stores what we put there.
                    byte[] other = FileOpsSupport.pattern(5000, 9);
                    MemorySegment from = mapped.asSlice(32768, other.length);
                    MemorySegment.copy(other, 0, from, JAVA_BYTE, 0, other.length);
                    ring.getSqe().prepWrite(outFd.raw(), from, 0).async();
                    assertEquals(other.length, assertOk(submitOne(ring)));
                    assertArrayEquals(other, Files.readAllBytes(dst));
                }
            } finally {
                assertEquals(0, Syscalls.munmap(addr, len));
            }
        }
    }

    // ---- 2. RLIMIT_FSIZE -----------------------------------------------------------------------

    @Test
    void asyncWritePastRlimitFsizeFailsWithEfbigAsTheSyscallDoes() throws Exception {
        assumeTrue(Files.isExecutable(PRLIMIT), "no " + PRLIMIT);
        Path file = dir.resolve("big");
        ChildRun run = runChild(List.of("--fsize=65536"), "fsize", file.toString());
        Map<String, String> r = run.values();
        String efbig = Integer.toString(-EFBIG);
        assertEquals("4096", r.get("within"), "a write below the limit: " + run);
        assertEquals(efbig, r.get("syscall"), "pwrite(2) past the limit: " + run);
        assertEquals(efbig, r.get("async"), "IOSQE_ASYNC WRITE past the limit: " + run);
        assertEquals(efbig, r.get("inline"), "WRITE past the limit: " + run);
        String direct = r.get("direct");
        if (!direct.startsWith("open-")) { // O_DIRECT is optional for the file system under @TempDir
            assertEquals(efbig, direct, "O_DIRECT WRITE past the limit: " + run);
        }
        // The kernel raises SIGXFSZ on the task that hit the limit: for the async write that is the
        // worker, which blocks every signal but SIGKILL/SIGSTOP, so it stays pending there.
        assertEquals("0", r.get("pendingBefore"), run.toString());
        assertTrue(Integer.parseInt(r.get("pendingAfter")) >= 1, "a worker holds the SIGXFSZ: " + run);
        assertEquals("yes", r.get("alive"), run.toString());
        assertEquals(0, run.exit(), run.toString());
        assertEquals(4096, Files.size(file), "only the write within the limit landed");
    }

    // ---- 3. RLIMIT_NPROC -----------------------------------------------------------------------

    @Test
    void rlimitNprocBoundsUnboundWorkers() throws Exception {
        assumeTrue(Files.isExecutable(PRLIMIT), "no " + PRLIMIT);
        KernelAssumptions.assumeOp(Opcode.SPLICE);
        // A child JVM needs dozens of threads; with RLIMIT_NPROC this low only root (INIT_USER, or
        // CAP_SYS_RESOURCE/CAP_SYS_ADMIN) may create them. io-wq's own cap is not waived for root.
        KernelAssumptions.assumeRoot();
        int limit = 3;
        int ops = 7;
        ChildRun limited = runChild(List.of("--nproc=" + limit), "nproc", Integer.toString(ops));
        Map<String, String> r = limited.values();
        assertEquals("unbound=" + limit, "unbound=" + r.get("unbound"), "io-wq took its cap from RLIMIT_NPROC: " + limited);
        assertEquals(Integer.toString(limit), r.get("raised"), "IOWQ_MAX_WORKERS cannot raise it past the limit: " + limited);
        assertEquals(Integer.toString(limit), r.get("peak"), "blocked unbound workers with " + ops + " queued: " + limited);
        assertEquals(Integer.toString(ops), r.get("completed"), limited.toString());
        assertEquals(0, limited.exit(), limited.toString());

        // Control: without the low limit the same load gets a worker per blocked op.
        ChildRun free = runChild(List.of(), "nproc", Integer.toString(ops));
        assertEquals(0, free.exit(), free.toString());
        assumeTrue(Integer.parseInt(free.values().get("unbound")) >= ops, "our own RLIMIT_NPROC is below " + ops + ": " + free);
        assertEquals(Integer.toString(ops), free.values().get("peak"), free.toString());
    }

    // ---- child JVM ---------------------------------------------------------------------------------

    /** A child's exit code and its output, whose {@code key=value} lines are the results. */
    record ChildRun(int exit, String output) {
        Map<String, String> values() {
            Map<String, String> m = new LinkedHashMap<>();
            for (String line : output.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0 && !line.contains(" ")) {
                    m.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return m;
        }
    }

    /** Runs {@link Child} in a fresh JVM under {@code prlimit <limits>} (no prlimit when empty). */
    private static ChildRun runChild(List<String> limits, String... args) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>();
        if (!limits.isEmpty()) {
            command.add(PRLIMIT.toString());
            command.addAll(limits);
        }
        command.addAll(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Child.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close(); // the child reads nothing
        try (var in = p.getInputStream()) {
            String out = new String(in.readAllBytes()).trim(); // until the child exits and closes its end
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("child JVM did not finish: " + out);
            }
            return new ChildRun(p.exitValue(), out);
        }
    }

    /** The child JVM's side: prints {@code key=value} lines. */
    static final class Child {
        public static void main(String[] args) throws Exception {
            switch (args[0]) {
                case "fsize" -> fsize(Path.of(args[1]));
                case "nproc" -> nproc(Integer.parseInt(args[1]));
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.out.println("alive=yes");
        }

        /**
         * Writes 4 KiB at 0 (within the limit), then at 128 KiB by pwrite(2), by WRITE without and
         * with IOSQE_ASYNC, and by an O_DIRECT WRITE; counts the workers holding a pending SIGXFSZ.
         */
        private static void fsize(Path file) throws Exception {
            long me = ProcStatus.callingThreadTid();
            System.out.println("rlimit=" + limitLine("Max file size"));
            System.out.println("sigxfsz=" + disposition(Path.of("/proc/self/status"), SIGXFSZ));
            try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
                    FileOpsSupport.OwnedFd fd = FileOpsSupport.open(ring, arena, file,
                            Uapi.O_WRONLY | Uapi.O_CREAT | Uapi.O_TRUNC, 0600)) {
                MemorySegment buf = arena.allocate(4096, 4096);
                buf.fill((byte) 'b');
                long past = 128 * 1024;
                System.out.println("within=" + Syscalls.pwriteCritical(fd.fd(), buf, 0));
                System.out.println("syscall=" + Syscalls.pwriteCritical(fd.fd(), buf, past));
                System.out.println("pendingBefore=" + workersWithPending(me, SIGXFSZ));
                ring.getSqe().prepWrite(fd.raw(), buf, past).async();
                System.out.println("async=" + submitOne(ring).res());
                System.out.println("pendingAfter=" + workersWithPending(me, SIGXFSZ));
                // Buffered writes to ext4/tmpfs are punted to io-wq even without IOSQE_ASYNC (no
                // FOP_BUFFER_WASYNC); an O_DIRECT one is tried nonblocking on this thread first.
                ring.getSqe().prepWrite(fd.raw(), buf, past);
                System.out.println("inline=" + submitOne(ring).res());
                ring.getSqe().prepOpenat(Uapi.AT_FDCWD, arena.allocateFrom(file.toString()),
                        Uapi.O_WRONLY | Uapi.O_DIRECT | Uapi.O_CLOEXEC, 0);
                int direct = submitOne(ring).res();
                if (direct < 0) {
                    System.out.println("direct=open-" + Errno.name(direct));
                } else {
                    try (FileOpsSupport.OwnedFd dfd = new FileOpsSupport.OwnedFd(direct)) {
                        ring.getSqe().prepWrite(dfd.raw(), buf, past);
                        System.out.println("direct=" + submitOne(ring).res());
                    }
                }
            }
        }

        /**
         * Reads the io-wq limits, tries to raise the unbound one, then blocks {@code ops} unbound
         * SPLICEs and reports the most workers seen before and while they are released.
         */
        private static void nproc(int ops) throws Exception {
            System.out.println("rlimit=" + limitLine("Max processes"));
            long me = ProcStatus.callingThreadTid();
            RawPipe[] ins = new RawPipe[ops];
            try (RawPipe out = new RawPipe(); Ring ring = Ring.open(16)) {
                try {
                    for (int i = 0; i < ops; i++) {
                        ins[i] = new RawPipe();
                    }
                    int[] limits = ring.registerIoWqMaxWorkers(0, 0);
                    System.out.println("bounded=" + limits[0]);
                    System.out.println("unbound=" + limits[1]);
                    ring.registerIoWqMaxWorkers(0, 10_000);
                    System.out.println("raised=" + ring.registerIoWqMaxWorkers(0, 0)[1]);

                    queueBlockingSplices(ring, ins, out);
                    if (ring.submit() != ops) {
                        throw new AssertionError("short submit");
                    }
                    int expect = Math.min(ops, limits[1]);
                    int peak = awaitWorkers(me, expect).size();
                    // A few more looks while the rest stay queued; only the count matters, not the pace.
                    for (int i = 0; i < 20; i++) {
                        Thread.sleep(5);
                        peak = Math.max(peak, workersOf(me).size());
                    }
                    if (ring.cqReady() != 0) {
                        throw new AssertionError("a splice completed with no input");
                    }
                    for (RawPipe in : ins) {
                        in.writeByte('x');
                        peak = Math.max(peak, workersOf(me).size());
                    }
                    int completed = 0;
                    for (int i = 0; i < ops; i++) {
                        Cqe cqe = FileOpsSupport.awaitCqe(ring);
                        if (cqe.res() == 1) {
                            completed++;
                        } else {
                            System.out.println("splice" + cqe.userData() + "=" + cqe.res());
                        }
                        peak = Math.max(peak, workersOf(me).size());
                    }
                    System.out.println("peak=" + peak);
                    System.out.println("completed=" + completed);
                } finally {
                    for (RawPipe in : ins) {
                        if (in != null) {
                            in.close();
                        }
                    }
                }
            }
        }

        private static String limitLine(String name) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith(name)) {
                    return line.substring(name.length()).trim().replaceAll("\\s+", "_");
                }
            }
            return "?";
        }

        /** How many workers of {@code submitter} have {@code sig} pending (workers block all but SIGKILL/SIGSTOP). */
        private static int workersWithPending(long submitter, int sig) throws IOException {
            int n = 0;
            for (long tid : workersOf(submitter)) {
                try {
                    ProcStatus st = ProcStatus.parse(Files.readString(Path.of("/proc/self/task/" + tid + "/status")));
                    if ((Long.parseUnsignedLong(st.get("SigPnd"), 16) & (1L << (sig - 1))) != 0) {
                        n++;
                    }
                } catch (NoSuchFileException e) {
                    // exited
                }
            }
            return n;
        }

        /** "ignored", "caught" or "default" for signal {@code sig} in a status file. */
        private static String disposition(Path status, int sig) throws IOException {
            ProcStatus st = ProcStatus.parse(Files.readString(status));
            long bit = 1L << (sig - 1);
            if ((Long.parseUnsignedLong(st.get("SigIgn"), 16) & bit) != 0) {
                return "ignored";
            }
            if ((Long.parseUnsignedLong(st.get("SigCgt"), 16) & bit) != 0) {
                return "caught";
            }
            return "default";
        }
    }
}
