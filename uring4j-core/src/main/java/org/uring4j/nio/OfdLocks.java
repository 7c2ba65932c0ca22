package org.uring4j.nio;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import org.uring4j.Errno;
import org.uring4j.sys.Syscalls;

/**
 * Open file description locks ({@code fcntl(2)} F_OFD_SETLK, F_OFD_SETLKW, F_OFD_GETLK, Linux
 * 3.15+): record locks owned by the open file description rather than by the process, so two
 * descriptions of one file conflict even within a process, and closing some other descriptor of
 * the file does not drop them (POSIX F_SETLK locks have neither property).
 */
final class OfdLocks {
    private OfdLocks() {
    }

    static final int F_OFD_GETLK = 36;
    static final int F_OFD_SETLK = 37;
    static final int F_OFD_SETLKW = 38;
    static final int F_DUPFD_CLOEXEC = 1030;

    static final short F_RDLCK = 0;
    static final short F_WRLCK = 1;
    static final short F_UNLCK = 2;
    private static final short SEEK_SET = 0;

    /** {@code struct flock} on x86-64 (32 bytes; the same as flock64). */
    static final StructLayout FLOCK = MemoryLayout.structLayout(
            JAVA_SHORT.withName("l_type"),
            JAVA_SHORT.withName("l_whence"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("l_start"),
            JAVA_LONG.withName("l_len"),
            JAVA_INT.withName("l_pid"),
            MemoryLayout.paddingLayout(4)).withName("flock");

    private static final int EINTR = Errno.EINTR.number();

    /**
     * One lock command on {@code [position, position + size)}; a size of Long.MAX_VALUE means "to
     * the end of the file and beyond" (l_len 0), as the JDK's dispatcher maps it. F_OFD_SETLK is
     * retried on EINTR, F_OFD_SETLKW is not (its caller decides whether to wait again).
     *
     * @return 0, or -errno (-EAGAIN: someone else holds a conflicting lock)
     */
    static int apply(int fd, int cmd, short type, long position, long size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fl = a.allocate(FLOCK); // zeroed: l_pid must be 0 for OFD locks
            fill(fl, type, position, size);
            int r;
            do {
                r = Syscalls.fcntl(fd, cmd, fl);
            } while (r == -EINTR && cmd != F_OFD_SETLKW);
            return r;
        }
    }

    static int lock(int fd, int cmd, boolean shared, long position, long size) {
        return apply(fd, cmd, shared ? F_RDLCK : F_WRLCK, position, size);
    }

    static int unlock(int fd, long position, long size) {
        return apply(fd, F_OFD_SETLK, F_UNLCK, position, size);
    }

    /**
     * F_OFD_GETLK: the type of a lock that would conflict with a {@code type} lock on the range
     * ({@link #F_RDLCK} or {@link #F_WRLCK}), {@link #F_UNLCK} if none would, or -errno.
     */
    static int conflicting(int fd, short type, long position, long size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fl = a.allocate(FLOCK);
            fill(fl, type, position, size);
            int r = Syscalls.fcntl(fd, F_OFD_GETLK, fl);
            return r < 0 ? r : fl.get(JAVA_SHORT, 0);
        }
    }

    private static void fill(MemorySegment fl, short type, long position, long size) {
        fl.set(JAVA_SHORT, 0, type);
        fl.set(JAVA_SHORT, 2, SEEK_SET);
        fl.set(JAVA_LONG, 8, position);
        fl.set(JAVA_LONG, 16, size == Long.MAX_VALUE ? 0 : size);
    }

    static boolean isConflict(int res) {
        return res == -Errno.EAGAIN.number() || res == -Errno.EACCES.number();
    }
}
