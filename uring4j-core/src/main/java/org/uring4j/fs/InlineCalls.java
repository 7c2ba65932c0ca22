package org.uring4j.fs;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import org.uring4j.ring.Uapi;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/**
 * Path calls made on the caller's thread, for what a ring round trip would only slow down:
 * a stat (the kernel always hands IORING_OP_STATX to an io-wq worker, three thread hops for a
 * few hundred nanoseconds of work) and the whole read of a small file whose lookup and data are
 * cached (openat2 with RESOLVE_CACHED, as seed 000 proposes, then reads with RWF_NOWAIT).
 * Their native memory is one {@link InlineBounce} buffer: the data, then the path and structs
 * in its last {@link #META} bytes.
 */
final class InlineCalls {
    /** Bytes at the end of the bounce buffer for the path, open_how and struct statx. */
    private static final int META = 8192;
    private static final int DATA = InlineBounce.MAX - META;
    private static final int STATX_AT = DATA;
    private static final int HOW_AT = DATA + 256;
    private static final int PATH_AT = DATA + 512;
    private static final int PATH_MAX_HERE = META - 512;

    private InlineCalls() {
    }

    /**
     * statx(2) of {@code path} (relative to {@code dirfd}) on this thread; fails as the ring's
     * STATX would.
     */
    static FileStat statx(int dirfd, CString path, int flags, String display) throws IOException {
        if (path.byteSize() > PATH_MAX_HERE) {
            throw FsErrors.forPath("STATX", -org.uring4j.Errno.ENAMETOOLONG.number(), display, null);
        }
        MemorySegment mem = InlineBounce.take();
        try {
            MemorySegment stx = mem.asSlice(STATX_AT, Layouts.STATX.byteSize());
            int r = Syscalls.statx(dirfd, path.copyInto(mem.asSlice(PATH_AT)), flags, FileStat.MASK, stx);
            if (r < 0) {
                throw FsErrors.forPath("STATX", r, display, null);
            }
            return FileStat.of(stx);
        } finally {
            InlineBounce.give(mem);
        }
    }

    /** The open file {@code fd}'s statx(2) on this thread; fails as the ring's STATX would. */
    static FileStat fstatx(RingFile file, int fd) throws IOException {
        MemorySegment mem = InlineBounce.take();
        try {
            int r = fstatxInto(fd, FileStat.MASK, mem);
            if (r < 0) {
                throw file.error("STATX", r);
            }
            return FileStat.of(mem.asSlice(STATX_AT, Layouts.STATX.byteSize()));
        } finally {
            InlineBounce.give(mem);
        }
    }

    /** statx(2) of the open file {@code fd} (AT_EMPTY_PATH) into {@code mem} at {@link #STATX_AT}: 0, or -errno. */
    private static int fstatxInto(int fd, int mask, MemorySegment mem) {
        mem.set(java.lang.foreign.ValueLayout.JAVA_BYTE, PATH_AT, (byte) 0);
        return Syscalls.statx(fd, mem.asSlice(PATH_AT, 1), Uapi.AT_EMPTY_PATH, mask,
                mem.asSlice(STATX_AT, Layouts.STATX.byteSize()));
    }

    /** openat2(2) of {@code path} on this thread: a descriptor, or -errno (-EAGAIN: RESOLVE_CACHED could not). */
    static int openat2(int dirfd, CString path, int flags, int mode, long resolve) {
        if (path.byteSize() > PATH_MAX_HERE) {
            return -org.uring4j.Errno.ENAMETOOLONG.number();
        }
        MemorySegment mem = InlineBounce.take();
        try {
            MemorySegment how = mem.asSlice(HOW_AT, Layouts.OPEN_HOW.byteSize());
            how.set(JAVA_LONG, 0, Integer.toUnsignedLong(flags));
            how.set(JAVA_LONG, 8, mode);
            how.set(JAVA_LONG, 16, resolve);
            return Syscalls.openat2(dirfd, path.copyInto(mem.asSlice(PATH_AT)), how);
        } finally {
            InlineBounce.give(mem);
        }
    }

    /** The open file {@code fd}'s size by a statx(2) of STATX_SIZE alone; fails as the ring's STATX would. */
    static long fstatxSize(RingFile file, int fd) throws IOException {
        MemorySegment mem = InlineBounce.take();
        try {
            int r = fstatxInto(fd, Uapi.STATX_SIZE, mem);
            if (r < 0) {
                throw file.error("STATX", r);
            }
            return mem.get(JAVA_LONG, STATX_AT + 40); // stx_size
        } finally {
            InlineBounce.give(mem);
        }
    }

    /**
     * The whole content of the file open at {@code fd} (from its start) read on this thread when
     * nothing has to wait: data in the page cache, a file that fits the buffer. Null when a read
     * would wait or the file is not an ordinary cached one (a FIFO, procfs, a cache miss): the
     * caller then goes on with the same descriptor, so that a FIFO's writer never sees its
     * reader come and go. Errors are left to that path too, which reports them.
     */
    static byte[] readWhole(int fd) {
        MemorySegment mem = InlineBounce.take();
        try {
            MemorySegment data = mem.asSlice(0, DATA);
            long n = Syscalls.preadv2(fd, data, 0, Uapi.RWF_NOWAIT);
            if (n < 0 || n == DATA) {
                return null; // not cached, no nonblocking reads here (procfs), or larger than the buffer
            }
            // The file may be longer than it said (it grew, or it is a FIFO with a writer): the
            // JDK reads until a read returns 0, and so does this.
            long more = Syscalls.preadv2(fd, data.asSlice(n), n, Uapi.RWF_NOWAIT);
            if (more != 0) {
                return null;
            }
            if (n == 0 && fileType(fd, mem) != Uapi.S_IFREG) {
                return null; // an empty FIFO without a writer also says 0: the caller waits for one
            }
            byte[] out = new byte[(int) n];
            MemorySegment.copy(data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, out, 0, (int) n);
            return out;
        } finally {
            InlineBounce.give(mem);
        }
    }

    /** The S_IFMT bits of {@code fd}'s mode (Uapi.S_IFREG, S_IFIFO...), or -1 if statx fails. */
    static int fileType(int fd) {
        MemorySegment mem = InlineBounce.take();
        try {
            return fileType(fd, mem);
        } finally {
            InlineBounce.give(mem);
        }
    }

    private static int fileType(int fd, MemorySegment mem) {
        if (fstatxInto(fd, Uapi.STATX_TYPE, mem) != 0) {
            return -1;
        }
        return Short.toUnsignedInt(mem.get(java.lang.foreign.ValueLayout.JAVA_SHORT, STATX_AT + 28)) & Uapi.S_IFMT;
    }

    /**
     * Reads {@code file} from its start until a read returns end of file, as the JDK's
     * Files.readAllBytes does (a size of 0 or too small, as procfs and sysfs report, does not stop
     * it): one right-sized read for an ordinary file, with blocking reads that take the caller's
     * path (inline when cached, else the ring for a virtual thread).
     */
    static byte[] readToEnd(AsyncFile file) throws IOException {
        long size = file.size();
        if (size > Integer.MAX_VALUE - 8) {
            throw new OutOfMemoryError("Required array size too large: " + file.path() + " has " + size + " bytes");
        }
        byte[] buf = new byte[size > 0 ? (int) size : 8192];
        int done = 0;
        while (true) {
            if (done == buf.length) {
                if (buf.length >= Integer.MAX_VALUE - 8) {
                    throw new OutOfMemoryError("Required array size too large: " + file.path());
                }
                // Probe for more with a small read before growing a right-sized array.
                byte[] probe = new byte[8192];
                int n = file.read(probe, 0, probe.length, done);
                if (n < 0) {
                    return buf;
                }
                buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max((long) buf.length * 2, done + n)));
                System.arraycopy(probe, 0, buf, done, n);
                done += n;
                continue;
            }
            int n = file.read(buf, done, buf.length - done, done);
            if (n < 0) {
                return done == buf.length ? buf : Arrays.copyOf(buf, done);
            }
            done += n;
        }
    }
}
