package org.uring4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import org.uring4j.UringException;
import org.uring4j.ring.Fd;
import org.uring4j.ring.Sqe;
import org.uring4j.ring.Uapi;
import org.uring4j.sys.Syscalls;

/**
 * Small {@link Operation}s the runtime tests submit to an {@link EventLoop}: each owns a shared
 * arena (prepare and complete run on the loop thread) that {@link ArenaOp#release()} closes, and reports
 * its release so a test can see that the kernel gave the memory back.
 */
final class TestOps {
    private TestOps() {
    }

    /** Opens {@code path} and reads it to the end through the loop; OPENAT and READs forced async or not. */
    static String readThroughLoop(EventLoop loop, String path, boolean async) throws Exception {
        int fd = Await.get(loop.submit(new Openat(path, Uapi.O_RDONLY, 0).async(async)));
        try {
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            while (true) {
                byte[] chunk = Await.get(loop.submit(new Read(fd, 4096, text.size()).async(async)));
                if (chunk.length == 0) {
                    return text.toString(StandardCharsets.US_ASCII);
                }
                text.writeBytes(chunk);
            }
        } finally {
            Syscalls.close(fd);
        }
    }

    /** Base: owns native memory until release, optional IOSQE_ASYNC (personality: Operation.personality). */
    abstract static class ArenaOp<T> extends Operation<T> {
        final Arena arena = Arena.ofShared();
        final CompletableFuture<Void> released = new CompletableFuture<>();
        private boolean async;

        /** Forces the op onto an io-wq worker (IOSQE_ASYNC). */
        ArenaOp<T> async(boolean on) {
            this.async = on;
            return this;
        }

        @Override
        protected final void prepare(Sqe sqe) throws UringException {
            prep(sqe);
            if (async) {
                sqe.async();
            }
        }

        abstract void prep(Sqe sqe) throws UringException;

        @Override
        protected void release() {
            arena.close();
            released.complete(null);
        }
    }

    /** OPENAT of a path: the new descriptor, or the failure naming the path. */
    static final class Openat extends ArenaOp<Integer> {
        private final String path;
        private final MemorySegment cpath;
        private final int flags;
        private final int mode;

        Openat(String path, int flags, int mode) {
            this.path = path;
            this.cpath = arena.allocateFrom(path);
            this.flags = flags | Uapi.O_CLOEXEC;
            this.mode = mode;
        }

        @Override
        protected String name() {
            return "OPENAT";
        }

        @Override
        void prep(Sqe sqe) {
            sqe.prepOpenat(Uapi.AT_FDCWD, cpath, flags, mode);
        }

        @Override
        protected Integer complete(int res, int flags) throws UringException {
            if (res < 0) {
                throw new UringException(name(), res, UringException.NO_FD, path);
            }
            return res;
        }
    }

    /** MKDIRAT of a path. */
    static final class Mkdirat extends ArenaOp<Void> {
        private final String path;
        private final MemorySegment cpath;
        private final int mode;

        Mkdirat(String path, int mode) {
            this.path = path;
            this.cpath = arena.allocateFrom(path);
            this.mode = mode;
        }

        @Override
        protected String name() {
            return "MKDIRAT";
        }

        @Override
        void prep(Sqe sqe) {
            sqe.prepMkdirat(Uapi.AT_FDCWD, cpath, mode);
        }

        @Override
        protected Void complete(int res, int flags) throws UringException {
            if (res < 0) {
                throw new UringException(name(), res, UringException.NO_FD, path);
            }
            return null;
        }
    }

    /** READ of up to {@code length} bytes at {@code offset} (-1: the file position): the bytes read. */
    static final class Read extends ArenaOp<byte[]> {
        private final int fd;
        private final MemorySegment buf;
        private final long offset;

        Read(int fd, int length, long offset) {
            this.fd = fd;
            this.buf = arena.allocate(length);
            this.offset = offset;
        }

        @Override
        protected String name() {
            return "READ";
        }

        @Override
        void prep(Sqe sqe) {
            sqe.prepRead(Fd.raw(fd), buf, offset);
        }

        @Override
        protected byte[] complete(int res, int flags) throws UringException {
            if (res < 0) {
                throw new UringException(name(), res, fd, null);
            }
            return buf.asSlice(0, res).toArray(JAVA_BYTE);
        }
    }
}
