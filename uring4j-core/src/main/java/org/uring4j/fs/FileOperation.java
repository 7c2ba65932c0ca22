package org.uring4j.fs;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

import org.uring4j.ring.Fd;
import org.uring4j.ring.Sqe;
import org.uring4j.runtime.NativeMemoryPool;
import org.uring4j.runtime.RuntimeClosedException;
import org.uring4j.sys.Layouts;
import org.uring4j.runtime.Operation;

/**
 * An operation of the file layer: borrows loop memory while it prepares, and gives all of it back
 * in {@link #release()}, once the kernel has posted its last completion.
 */
abstract class FileOperation<T> extends Operation<T> {
    private MemorySegment[] borrowed = new MemorySegment[4];
    private int nBorrowed;
    /** The file this op runs on, counted in flight until release; null for path ops. */
    RingFile owner;

    /** Loop memory of at least {@code size} bytes, kept until release. */
    final MemorySegment borrow(long size) {
        return keep(pool().acquire(size));
    }

    /** A path copied into loop memory, kept until release. */
    final MemorySegment borrow(CString path) {
        return keep(path.copyTo(pool()));
    }

    /** Keeps a segment from the pool until release. */
    final MemorySegment keep(MemorySegment seg) {
        if (nBorrowed == borrowed.length) {
            borrowed = java.util.Arrays.copyOf(borrowed, nBorrowed * 2);
        }
        borrowed[nBorrowed++] = seg;
        return seg;
    }

    /**
     * A bounce buffer of {@code len} bytes, kept until release: a registered chunk when it fits
     * one (so the transfer can be READ_FIXED/WRITE_FIXED), else plain pool memory.
     */
    final MemorySegment bounce(long len) {
        NativeMemoryPool pool = pool();
        MemorySegment reg = len <= NativeMemoryPool.REGISTERED_CHUNK ? pool.acquireRegistered() : null;
        return keep(reg != null ? reg : pool.acquire(Math.max(1, len))).asSlice(0, len);
    }

    /** READ or WRITE of {@code buf} at {@code position}; READ_FIXED/WRITE_FIXED when {@code buf} is registered memory. */
    final Sqe prepTransfer(Sqe sqe, Fd fd, MemorySegment buf, long position, boolean write) {
        int index = pool().registeredIndex(buf);
        if (index >= 0) {
            return write ? sqe.prepWriteFixed(fd, buf, position, index) : sqe.prepReadFixed(fd, buf, position, index);
        }
        return write ? sqe.prepWrite(fd, buf, position) : sqe.prepRead(fd, buf, position);
    }

    /** A {@code struct open_how} in loop memory, kept until release. */
    final MemorySegment openHow(int flags, long mode, long resolve) {
        MemorySegment how = borrow(Layouts.OPEN_HOW.byteSize()).asSlice(0, Layouts.OPEN_HOW.byteSize());
        how.set(JAVA_LONG, 0, Integer.toUnsignedLong(flags));
        how.set(JAVA_LONG, 8, mode);
        how.set(JAVA_LONG, 16, resolve);
        return how;
    }

    final NativeMemoryPool pool() {
        return loop().memory();
    }

    @Override
    protected Throwable closedLoopFailure(RuntimeClosedException e) {
        return owner != null ? owner.closedByRuntime(e) : e;
    }

    @Override
    protected void release() {
        NativeMemoryPool pool = loop() != null && loop().inLoop() ? pool() : null;
        for (int i = 0; i < nBorrowed; i++) {
            if (pool != null) {
                pool.release(borrowed[i]);
            }
            borrowed[i] = null;
        }
        nBorrowed = 0;
        if (owner != null) {
            owner.endOp();
        }
    }
}
