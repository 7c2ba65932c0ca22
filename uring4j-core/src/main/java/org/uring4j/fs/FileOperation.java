package org.uring4j.fs;

import java.lang.foreign.MemorySegment;

import org.uring4j.runtime.NativeMemoryPool;
import org.uring4j.runtime.Operation;

/**
 * An operation of the file layer: borrows loop memory while it prepares, and gives all of it back
 * in {@link #release()}, once the kernel has posted its last completion.
 */
abstract class FileOperation<T> extends Operation<T> {
    private MemorySegment[] borrowed = new MemorySegment[4];
    private int nBorrowed;
    /** The file this op runs on, counted in flight until release; null for path ops. */
    AsyncFile owner;

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

    final NativeMemoryPool pool() {
        return loop().memory();
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
