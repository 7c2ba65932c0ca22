package org.uring4j.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.uring4j.UringException;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.UringRuntime;

/** Shared plumbing for the file-layer tests: bounded waits, errno checks, /proc inspection, byte patterns. */
final class FsTestSupport {
    private FsTestSupport() {
    }

    /** True if {@code files} run on io_uring (the default), false on the portable backend (-Dorg.uring4j.backend=portable). */
    static boolean onIoUring(UringFiles files) {
        return files.backend() == Backend.IO_URING;
    }

    /** Skips the test unless {@code files} run on io_uring: {@code why} names the io_uring-only thing it checks. */
    static void assumeIoUring(UringFiles files, String why) {
        assumeTrue(onIoUring(files), () -> "io_uring only (running on " + files.backend() + "): " + why);
    }

    /**
     * The open flags of {@code f}'s descriptor: through {@link AsyncFile#fd()} on io_uring; on the
     * portable backend, whose FileChannel keeps its descriptor to itself, of the one descriptor of
     * this process open on {@code f}'s path.
     */
    static int openFlags(AsyncFile f) throws IOException {
        if (f.backend() == Backend.IO_URING) {
            return fdFlags(f.fd());
        }
        Path target = Path.of(f.path()).toRealPath();
        List<Integer> fds = new ArrayList<>();
        String[] names = new File("/proc/self/fd").list();
        assertNotNull(names, "/proc/self/fd unreadable");
        for (String n : names) {
            try {
                if (Files.readSymbolicLink(Path.of("/proc/self/fd", n)).equals(target)) {
                    fds.add(Integer.parseInt(n));
                }
            } catch (IOException e) {
                // the descriptor closed while we looked (the listing's own dir fd, for one)
            }
        }
        assertEquals(1, fds.size(), () -> "descriptors open on " + target + ": " + fds);
        return fdFlags(fds.get(0));
    }

    /** Bound on every wait, so a broken test fails instead of hanging. */
    static final long WAIT_SECONDS = 60;

    /** The future's value, waiting at most {@link #WAIT_SECONDS}; its failure rethrown unwrapped. */
    static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within " + WAIT_SECONDS + " s", e);
        }
    }

    /** The failure of a future that must fail, as {@code type}. */
    static <X extends Throwable> X failure(Class<X> type, CompletableFuture<?> f) throws Exception {
        try {
            Object v = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            return fail("expected " + type.getSimpleName() + " but the future completed with " + v);
        } catch (ExecutionException e) {
            return assertInstanceOf(type, e.getCause(), () -> "unexpected failure: " + e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within " + WAIT_SECONDS + " s", e);
        }
    }

    /** Asserts {@code e} (a java.nio.file exception) has a UringException cause with errno {@code name}. */
    static UringException assertCauseErrno(String name, Throwable e) {
        UringException u = assertInstanceOf(UringException.class, e.getCause(),
                () -> e + " should have a UringException cause");
        assertEquals(name, u.errnoName(), () -> "errno of " + u);
        return u;
    }

    /** The first UringException in {@code e}'s cause chain (e itself included), or null. */
    static UringException uringIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UringException u) {
                return u;
            }
        }
        return null;
    }

    /** Asserts some UringException in the chain has errno {@code name} (or the name appears in a message). */
    static void assertErrnoInChain(String name, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UringException u && u.errnoName().equals(name)) {
                return;
            }
            if (t.getMessage() != null && t.getMessage().contains(name)) {
                return;
            }
        }
        fail("expected " + name + " in the cause chain or messages of " + e);
    }

    /** Deterministic pseudo-random bytes. */
    static byte[] pattern(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Number of entries in /proc/self/fd: the process's open descriptors. */
    static int openFdCount() {
        String[] names = new File("/proc/self/fd").list();
        assertNotNull(names, "/proc/self/fd unreadable");
        return names.length;
    }

    /** Descriptors of this process whose target lies under {@code dir}. */
    static List<String> fdsUnder(Path dir) {
        List<String> out = new ArrayList<>();
        String prefix = dir.toString();
        String[] names = new File("/proc/self/fd").list();
        if (names == null) {
            return out;
        }
        for (String n : names) {
            try {
                String target = Files.readSymbolicLink(Path.of("/proc/self/fd", n)).toString();
                if (target.startsWith(prefix)) {
                    out.add(n + " -> " + target);
                }
            } catch (IOException e) {
                // the descriptor closed while we looked (the listing's own dir fd, for one)
            }
        }
        return out;
    }

    /** The open flags of descriptor {@code fd}, from /proc/self/fdinfo (octal "flags:" line). */
    static int fdFlags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new AssertionError("no flags line in /proc/self/fdinfo/" + fd);
    }

    /** Where descriptor {@code fd} points, from /proc/self/fd. */
    static Path fdTarget(int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd));
    }

    /** The process's umask, from /proc/self/status (read, not changed). */
    static int umask() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Umask:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new AssertionError("no Umask line in /proc/self/status");
    }

    /** Slots in use in each loop's registered file table, summed (asked on each loop's own thread). */
    static int fixedInUse(UringRuntime runtime) throws Exception {
        int sum = 0;
        for (int i = 0; i < runtime.loopCount(); i++) {
            sum += fixedInUse(runtime.loop(i));
        }
        return sum;
    }

    static int fixedInUse(EventLoop loop) throws Exception {
        return await(loop.call(r -> loop.fixedFiles().inUse()));
    }

    /** Runs a command; its exit code (output goes to the returned holder's text). */
    static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Close the pipes here: left to the JDK's reaper thread, they would close at some later
        // moment and upset the descriptor counts of the tests.
        try (var in = p.getInputStream(); var out = p.getOutputStream(); var err = p.getErrorStream()) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish");
            }
            return new Result(p.exitValue(), text.trim());
        }
    }

    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    /** mkfifo(1) at {@code path}. */
    static void mkfifo(Path path) throws Exception {
        Result r = run("mkfifo", path.toString());
        assertEquals(0, r.exit(), () -> "mkfifo " + path + ": " + r.output());
    }
}
