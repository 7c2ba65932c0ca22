package org.uring4j.bench;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import org.uring4j.UringException;
import org.uring4j.ring.Sqe;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.Operation;
import org.uring4j.sys.Layouts;

/**
 * A bare IORING_OP_OPENAT2 through an {@link org.uring4j.runtime.EventLoop}: the ring round trip of
 * an open with none of the file layer around it (no fixed-slot registration, no AsyncFile). The
 * path and open_how live in an arena this op owns from {@link #prepare} until {@link #release()},
 * i.e. until the kernel has posted the completion. Completes with the plain descriptor.
 */
public final class RawOpenOp extends Operation<Integer> {
    private final byte[] path;
    private final int flags;
    private final long resolve;
    private Arena arena;

    public RawOpenOp(byte[] nulTerminatedPath, int flags, long resolve) {
        this.path = nulTerminatedPath;
        this.flags = flags;
        this.resolve = resolve;
    }

    public static byte[] cPath(String path) {
        byte[] b = path.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }

    @Override
    protected String name() {
        return "OPENAT2";
    }

    @Override
    protected void prepare(Sqe sqe) {
        arena = Arena.ofConfined(); // prepare and release both run on the loop thread
        MemorySegment how = arena.allocate(Layouts.OPEN_HOW);
        how.set(JAVA_LONG, 0, Integer.toUnsignedLong(flags));
        how.set(JAVA_LONG, 8, 0L);
        how.set(JAVA_LONG, 16, resolve);
        MemorySegment p = arena.allocate(path.length);
        MemorySegment.copy(path, 0, p, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, path.length);
        sqe.prepOpenat2(Uapi.AT_FDCWD, p, how);
    }

    @Override
    protected Integer complete(int res, int flags) throws UringException {
        if (res < 0) {
            throw new UringException(name(), -res, UringException.NO_FD, new String(path, 0, path.length - 1, StandardCharsets.UTF_8));
        }
        return res;
    }

    @Override
    protected void abandoned(int res, int flags) {
        if (res >= 0) {
            org.uring4j.sys.Syscalls.close(res); // nobody took the descriptor
        }
    }

    @Override
    protected void release() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }
}
