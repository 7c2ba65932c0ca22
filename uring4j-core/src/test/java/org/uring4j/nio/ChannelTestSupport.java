package org.uring4j.nio;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.uring4j.UringException;
import org.uring4j.ring.Uapi;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/** Shared pieces of the channel tests: the implementations under test, handler capture, a raw OFD lock holder. */
final class ChannelTestSupport {
    private ChannelTestSupport() {
    }

    static final long WAIT_SECONDS = 10;

    /** How an implementation opens a channel: the signature of {@link AsynchronousFileChannel#open(Path, Set, ExecutorService, FileAttribute[])}. */
    @FunctionalInterface
    interface Opener {
        AsynchronousFileChannel open(Path file, Set<? extends OpenOption> options, ExecutorService executor,
                                     FileAttribute<?>... attrs) throws IOException;
    }

    /** One implementation under test. */
    record Impl(String name, Opener opener) {
        AsynchronousFileChannel open(Path file, OpenOption... options) throws IOException {
            return opener.open(file, Set.of(options), null);
        }

        AsynchronousFileChannel open(Path file, Set<? extends OpenOption> options, ExecutorService executor,
                                     FileAttribute<?>... attrs) throws IOException {
            return opener.open(file, options, executor, attrs);
        }

        boolean isJdk() {
            return name.equals("JDK");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static <T> T get(Future<T> f) throws Exception {
        return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Exactly {@code n} bytes from {@code ch}; end of stream before them fails the test. */
    static byte[] readFully(java.nio.channels.AsynchronousSocketChannel ch, int n) throws Exception {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            int r = get(ch.read(b));
            assertTrue(r > 0, "end of stream after " + b.position());
        }
        return b.array();
    }

    /** The cause of the failure of {@code f}, which must fail. */
    static Throwable failureOf(Future<?> f) throws Exception {
        try {
            Object v = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            return fail("expected a failure, got " + v);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /** Waits (bounded) until {@code condition} holds; for effects of threads we cannot join. */
    static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(10);
        }
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    /** A CompletionHandler that records its outcome, attachment and thread. */
    static final class Capture<V> implements CompletionHandler<V, Object> {
        final CompletableFuture<V> outcome = new CompletableFuture<>();
        volatile Object attachment;
        volatile Thread thread;

        @Override
        public void completed(V result, Object att) {
            attachment = att;
            thread = Thread.currentThread();
            outcome.complete(result);
        }

        @Override
        public void failed(Throwable exc, Object att) {
            attachment = att;
            thread = Thread.currentThread();
            outcome.completeExceptionally(exc);
        }

        V result() throws Exception {
            return outcome.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        Throwable failure() throws Exception {
            return failureOf(outcome);
        }
    }

    /**
     * A descriptor of its own on a file (its own open file description), on which the test takes
     * OFD locks directly: a lock holder outside both implementations' in-JVM bookkeeping, which
     * conflicts with the JDK's POSIX locks and with our OFD locks alike.
     */
    static final class RawHolder implements AutoCloseable {
        final int fd;

        RawHolder(Path file) throws IOException {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment how = a.allocate(Layouts.OPEN_HOW);
                how.set(JAVA_LONG, 0, Uapi.O_RDWR | Uapi.O_CLOEXEC);
                fd = Syscalls.openat2(Uapi.AT_FDCWD, a.allocateFrom(file.toString()), how);
            }
            if (fd < 0) {
                throw new UringException("openat2", -fd, UringException.NO_FD, file.toString());
            }
        }

        /** F_OFD_SETLK: true if granted, false if someone else holds a conflicting lock. */
        boolean tryLock(boolean shared, long position, long size) throws IOException {
            int r = OfdLocks.lock(fd, OfdLocks.F_OFD_SETLK, shared, position, size);
            if (r == 0) {
                return true;
            }
            if (OfdLocks.isConflict(r)) {
                return false;
            }
            throw new UringException("fcntl", -r, fd, null);
        }

        /** Whether an exclusive lock on the range would be granted now (without taking it). */
        boolean wouldGrant(long position, long size) {
            int r = OfdLocks.conflicting(fd, OfdLocks.F_WRLCK, position, size);
            return r == OfdLocks.F_UNLCK;
        }

        void unlock(long position, long size) {
            OfdLocks.unlock(fd, position, size);
        }

        @Override
        public void close() {
            Syscalls.close(fd);
        }
    }
}
