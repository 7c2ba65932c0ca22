package org.uring4j.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import org.uring4j.UringException;

/**
 * The system calls uring4j makes, as FFM downcalls.
 *
 * <p>Every method returns what the kernel returns: a non-negative result, or a negative errno
 * ({@code -EAGAIN}), the same convention as {@code cqe->res}; nothing here allocates or throws on
 * the failure path, so the hot path can test a result without an exception. {@link #check}
 * turns a negative result into a {@link UringException}. The C library's {@code errno} is read
 * through {@link Linker.Option#captureCallState}, into a buffer owned by the calling thread.
 *
 * <p>This package is not exported: its methods take raw addresses, and only the ring layer, which
 * owns the memory behind them, may call them.
 */
public final class Syscalls {
    private Syscalls() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    // x86-64 system call numbers
    static final int SYS_IO_URING_SETUP = 425;
    static final int SYS_IO_URING_ENTER = 426;
    static final int SYS_IO_URING_REGISTER = 427;
    static final int SYS_OPENAT2 = 437;
    static final int SYS_STATX = 332;
    static final int SYS_PIDFD_OPEN = 434;
    static final int SYS_PIDFD_SEND_SIGNAL = 424;
    static final int SYS_WAITID = 247;
    static final int SYS_KILL = 62;
    static final int SYS_GETDENTS64 = 217;
    static final int SYS_OPENAT = 257;
    static final int SYS_FCNTL = 72;
    static final int SYS_FTRUNCATE = 77;
    static final int SYS_PREADV2 = 327;
    static final int SYS_PWRITEV2 = 328;
    static final int SYS_PRLIMIT64 = 302;
    private static final int RLIMIT_NOFILE = 7;
    private static final int EINTR = 4;

    /**
     * Per-thread scratch memory: the errno a downcall captures at its start, and the one-entry
     * iovec of {@link #preadv2}/{@link #pwritev2} at {@link #IOVEC_AT} (one allocation per thread).
     */
    private static final long IOVEC_AT = 16;
    private static final ThreadLocal<MemorySegment> ERRNO_BOX =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(IOVEC_AT + 16, 8));

    /** long syscall(long number, ...): six variadic longs cover every call we make. */
    private static final MethodHandle SYSCALL6 = LINKER.downcallHandle(
            LIBC.find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), CAPTURE);

    /**
     * The same, as a critical downcall: no thread-state transition, for io_uring_enter calls that
     * cannot sleep (submission without waiting). The kernel never blocks while it submits (work
     * that would block goes to io-wq), so the only cost to the JVM is a safepoint delayed by the
     * time the kernel spends issuing the batch.
     */
    private static final MethodHandle SYSCALL6_CRITICAL = LINKER.downcallHandle(
            LIBC.find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), CAPTURE, Linker.Option.critical(false));

    /**
     * pread/pwrite as critical downcalls that may take heap segments: used only for files in
     * memory (tmpfs), where the call is a memory copy that never waits.
     */
    private static final MethodHandle PREAD = LINKER.downcallHandle(
            LIBC.find("pread").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
            CAPTURE, Linker.Option.critical(true));

    private static final MethodHandle PWRITE = LINKER.downcallHandle(
            LIBC.find("pwrite").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
            CAPTURE, Linker.Option.critical(true));

    /**
     * syscall(2) with a seventh, ignored argument: the memory an iovec points to. The linker keeps
     * that segment's scope alive for the duration of the call, so a shared Arena cannot free the
     * buffer while the kernel copies into it through the raw address in the iovec.
     */
    private static final MethodHandle SYSCALL6_HOLDING = LINKER.downcallHandle(
            LIBC.find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                    ADDRESS),
            Linker.Option.firstVariadicArg(1), CAPTURE);

    /** pread/pwrite of native memory that may block (O_DIRECT, a cache miss on a platform thread). */
    private static final MethodHandle PREAD_BLOCKING = LINKER.downcallHandle(
            LIBC.find("pread").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
            CAPTURE);

    private static final MethodHandle PWRITE_BLOCKING = LINKER.downcallHandle(
            LIBC.find("pwrite").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
            CAPTURE);

    private static final MethodHandle FSTATFS = LINKER.downcallHandle(
            LIBC.find("fstatfs").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CAPTURE);

    private static final MethodHandle MMAP = LINKER.downcallHandle(
            LIBC.find("mmap").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            CAPTURE);

    private static final MethodHandle MUNMAP = LINKER.downcallHandle(
            LIBC.find("munmap").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE);

    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LIBC.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE);

    private static final MethodHandle EVENTFD = LINKER.downcallHandle(
            LIBC.find("eventfd").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);

    private static final MethodHandle READ = LINKER.downcallHandle(
            LIBC.find("read").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE);

    private static final MethodHandle WRITE = LINKER.downcallHandle(
            LIBC.find("write").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE);

    private static final MethodHandle PIPE2 = LINKER.downcallHandle(
            LIBC.find("pipe2").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);

    private static final MethodHandle EPOLL_CREATE1 = LINKER.downcallHandle(
            LIBC.find("epoll_create1").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE);

    private static final MethodHandle GETUID = LINKER.downcallHandle(
            LIBC.find("geteuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));

    private static final MethodHandle GETGID = LINKER.downcallHandle(
            LIBC.find("getegid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));

    private static final MethodHandle UMASK = LINKER.downcallHandle(
            LIBC.find("umask").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** A negative errno from the thread's capture buffer, for a call that returned -1. */
    private static int lastError(MemorySegment box) {
        return -(int) ERRNO.get(box, 0L);
    }

    private static long syscall(long nr, long a, long b, long c, long d, long e, long f) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            long r = (long) SYSCALL6.invokeExact(box, nr, a, b, c, d, e, f);
            return r == -1 ? lastError(box) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** io_uring_setup(2): a ring fd, or -errno. */
    public static int ioUringSetup(int entries, MemorySegment params) {
        return (int) syscall(SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
    }

    /** io_uring_enter(2), retried while it fails with EINTR: the number submitted, or -errno. */
    public static int ioUringEnter(int fd, int toSubmit, int minComplete, int flags, MemorySegment arg, long argSize) {
        return ioUringEnter(ERRNO_BOX.get(), fd, toSubmit, minComplete, flags, arg, argSize);
    }

    /**
     * As {@link #ioUringEnter(int, int, int, int, MemorySegment, long)}, with errno captured into
     * {@code errnoBox} (from {@link #newErrnoBox}): a ring keeps its own and saves the thread-local
     * lookup on its hot path. Calls that cannot sleep use a critical downcall.
     */
    public static int ioUringEnter(MemorySegment errnoBox, int fd, int toSubmit, int minComplete, int flags,
                                   MemorySegment arg, long argSize) {
        long argAddr = arg == null ? 0 : arg.address();
        long f = flags & 0xffffffffL;
        boolean mayBlock = minComplete != 0 || (flags & GETEVENTS_OR_SQ_WAIT) != 0;
        long r;
        try {
            do {
                r = mayBlock
                        ? (long) SYSCALL6.invokeExact(errnoBox, (long) SYS_IO_URING_ENTER, (long) fd, (long) toSubmit,
                                (long) minComplete, f, argAddr, argSize)
                        : (long) SYSCALL6_CRITICAL.invokeExact(errnoBox, (long) SYS_IO_URING_ENTER, (long) fd,
                                (long) toSubmit, 0L, f, argAddr, argSize);
                if (r == -1) {
                    r = lastError(errnoBox);
                }
            } while (r == -EINTR);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return (int) r;
    }

    /** A buffer for the errno a downcall captures, owned by {@code arena}. */
    public static MemorySegment newErrnoBox(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** IORING_ENTER_GETEVENTS | IORING_ENTER_SQ_WAIT: flags under which io_uring_enter may sleep. */
    private static final int GETEVENTS_OR_SQ_WAIT = 1 | 4;

    /** io_uring_register(2), retried on EINTR: the call's result, or -errno. */
    public static int ioUringRegister(int fd, int opcode, MemorySegment arg, int nrArgs) {
        long argAddr = arg == null ? 0 : arg.address();
        long r;
        do {
            r = syscall(SYS_IO_URING_REGISTER, fd, opcode & 0xffffffffL, argAddr, nrArgs & 0xffffffffL, 0, 0);
        } while (r == -EINTR);
        return (int) r;
    }

    /**
     * This process's soft RLIMIT_NOFILE (prlimit64(2) with pid 0, reading only), or -errno;
     * Long.MAX_VALUE for RLIM_INFINITY.
     */
    public static long openFilesLimit() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment old = a.allocate(16, 8);
            long r = syscall(SYS_PRLIMIT64, 0, RLIMIT_NOFILE, 0, old.address(), 0, 0);
            if (r < 0) {
                return r;
            }
            long soft = old.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0);
            return soft < 0 ? Long.MAX_VALUE : soft; // RLIM_INFINITY is all ones
        }
    }

    /** openat2(2): an fd, or -errno. */
    public static int openat2(int dirfd, MemorySegment path, MemorySegment how) {
        return (int) syscall(SYS_OPENAT2, dirfd, path.address(), how.address(), how.byteSize(), 0, 0);
    }

    /** statx(2): 0, or -errno. */
    public static int statx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment statx) {
        return (int) syscall(SYS_STATX, dirfd, path.address(), flags, mask & 0xffffffffL, statx.address(), 0);
    }

    /** openat(2): an fd, or -errno. */
    public static int openat(int dirfd, MemorySegment path, int flags, int mode) {
        return (int) syscall(SYS_OPENAT, dirfd, path.address(), flags, mode, 0, 0);
    }

    /** getdents64(2) into {@code buf}: bytes of {@code struct linux_dirent64} records, 0 at the end, or -errno. */
    public static int getdents64(int fd, MemorySegment buf) {
        return (int) syscall(SYS_GETDENTS64, fd, buf.address(), Math.min(buf.byteSize(), Integer.MAX_VALUE), 0, 0, 0);
    }

    /** pidfd_open(2): a pidfd, or -errno. */
    public static int pidfdOpen(int pid, int flags) {
        return (int) syscall(SYS_PIDFD_OPEN, pid, flags, 0, 0, 0, 0);
    }

    /** waitid(2) with no rusage: 0 (with {@code infop} filled, or si_pid 0 under WNOHANG), or -errno. */
    public static int waitid(int idtype, int id, MemorySegment infop, int options) {
        return (int) syscall(SYS_WAITID, idtype, id, infop.address(), options, 0, 0);
    }

    /**
     * kill(2): 0, or -errno. Only for a child of this process not yet reaped, whose pid cannot
     * have been recycled; anything else is signalled through its pidfd.
     */
    public static int kill(int pid, int signal) {
        return (int) syscall(SYS_KILL, pid, signal, 0, 0, 0, 0);
    }

    /** pidfd_send_signal(2) with no siginfo: 0, or -errno (ESRCH once the process is reaped). */
    public static int pidfdSendSignal(int pidfd, int signal) {
        return (int) syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0, 0, 0);
    }

    /** mmap(2) of a file: the address, or -errno. */
    public static long mmap(long length, int prot, int flags, int fd, long offset) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            long r = (long) MMAP.invokeExact(box, 0L, length, prot, flags, fd, offset);
            return r == -1 ? lastError(box) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** munmap(2): 0, or -errno. */
    public static int munmap(long address, long length) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            int r = (int) MUNMAP.invokeExact(box, address, length);
            return r == -1 ? lastError(box) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** close(2): 0, or -errno. Not retried on EINTR: on Linux the fd is gone either way. */
    public static int close(int fd) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            int r = (int) CLOSE.invokeExact(box, fd);
            return r == -1 ? lastError(box) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** eventfd(2): an fd, or -errno. */
    public static int eventfd(int initval, int flags) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            int r = (int) EVENTFD.invokeExact(box, initval, flags);
            return r == -1 ? lastError(box) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** read(2) into {@code buf}: bytes read, or -errno. */
    public static long read(int fd, MemorySegment buf) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            long r = (long) READ.invokeExact(box, fd, buf, buf.byteSize());
            return r == -1 ? lastError(box) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(2) from {@code buf}: bytes written, or -errno. */
    public static long write(int fd, MemorySegment buf) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            long r = (long) WRITE.invokeExact(box, fd, buf, buf.byteSize());
            return r == -1 ? lastError(box) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pipe2(2) into the two ints of {@code fds}: 0, or -errno. */
    public static int pipe2(MemorySegment fds, int flags) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            int r = (int) PIPE2.invokeExact(box, fds, flags);
            return r == -1 ? lastError(box) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * pread(2) into {@code buf} (native or heap memory) at {@code offset}: bytes read, or -errno.
     * For files in memory only: the call holds off safepoints while it copies.
     */
    public static long preadCritical(int fd, MemorySegment buf, long offset) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            long r = (long) PREAD.invokeExact(box, fd, buf, buf.byteSize(), offset);
            return r == -1 ? lastError(box) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pwrite(2) from {@code buf} (native or heap memory) at {@code offset}; as {@link #preadCritical}. */
    public static long pwriteCritical(int fd, MemorySegment buf, long offset) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            long r = (long) PWRITE.invokeExact(box, fd, buf, buf.byteSize(), offset);
            return r == -1 ? lastError(box) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * preadv2(2) of one buffer of native memory at {@code offset} with {@code flags} (RWF_NOWAIT:
     * only what the page cache holds, else -EAGAIN): bytes read, or -errno. Retried on EINTR.
     */
    public static long preadv2(int fd, MemorySegment buf, long offset, int flags) {
        return rwv2(SYS_PREADV2, fd, buf, offset, flags);
    }

    /** pwritev2(2) of one buffer of native memory; as {@link #preadv2}. */
    public static long pwritev2(int fd, MemorySegment buf, long offset, int flags) {
        return rwv2(SYS_PWRITEV2, fd, buf, offset, flags);
    }

    private static long rwv2(int nr, int fd, MemorySegment buf, long offset, int flags) {
        MemorySegment box = ERRNO_BOX.get();
        box.set(JAVA_LONG, IOVEC_AT, buf.address());
        box.set(JAVA_LONG, IOVEC_AT + 8, buf.byteSize());
        try {
            long r;
            do {
                // x86-64: pos_l carries the whole offset, pos_h is ignored
                r = (long) SYSCALL6_HOLDING.invokeExact(box, (long) nr, (long) fd, box.address() + IOVEC_AT, 1L, offset, 0L,
                        flags & 0xffffffffL, buf);
                if (r == -1) {
                    r = lastError(box);
                }
            } while (r == -EINTR);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pread(2) into native memory, which may sleep (a cache miss, O_DIRECT): bytes read, or -errno. Retried on EINTR. */
    public static long pread(int fd, MemorySegment buf, long offset) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            long r;
            do {
                // (A shared helper taking the handle as an argument would make it a non-constant
                // MethodHandle on this hot path: each invokeExact site keeps its own constant.)
                r = (long) PREAD_BLOCKING.invokeExact(box, fd, buf, buf.byteSize(), offset);
                if (r == -1) {
                    r = lastError(box);
                }
            } while (r == -EINTR);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pwrite(2) from native memory, which may sleep; as {@link #pread}. */
    public static long pwrite(int fd, MemorySegment buf, long offset) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            long r;
            do {
                r = (long) PWRITE_BLOCKING.invokeExact(box, fd, buf, buf.byteSize(), offset);
                if (r == -1) {
                    r = lastError(box);
                }
            } while (r == -EINTR);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The file system type ({@code statfs.f_type}, e.g. TMPFS_MAGIC) of the file {@code fd}, or -errno. */
    public static long fileSystemType(int fd) {
        MemorySegment box = ERRNO_BOX.get();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(120, 8); // struct statfs; f_type is its first long
            int r = (int) FSTATFS.invokeExact(box, fd, buf);
            return r == -1 ? lastError(box) : buf.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** epoll_create1(2) with EPOLL_CLOEXEC or 0: an epoll fd for EPOLL_CTL / EPOLL_WAIT, or -errno. */
    public static int epollCreate1(int flags) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            int r = (int) EPOLL_CREATE1.invokeExact(box, flags);
            return r == -1 ? lastError(box) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** geteuid(2). */
    public static int geteuid() {
        try {
            return (int) GETUID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getegid(2). */
    public static int getegid() {
        try {
            return (int) GETGID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** umask(2): sets the mask and returns the previous one. */
    public static int umask(int mask) {
        try {
            return (int) UMASK.invokeExact(mask);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * fcntl(2) with a pointer argument, e.g. {@code F_OFD_SETLK}, {@code F_OFD_SETLKW} or
     * {@code F_OFD_GETLK} with a {@code struct flock}: the result, or -errno. Not retried on
     * EINTR: a caller waiting for a lock decides whether to wait again.
     *
     * @throws IllegalArgumentException if {@code arg} is not native memory
     */
    public static int fcntl(int fd, int cmd, MemorySegment arg) {
        if (!arg.isNative()) {
            throw new IllegalArgumentException("fcntl: the argument must be native memory");
        }
        return (int) syscall(SYS_FCNTL, fd, cmd, arg.address(), 0, 0, 0);
    }

    /** fcntl(2) with an integer argument, e.g. {@code F_DUPFD_CLOEXEC} or {@code F_GETFL}: the result, or -errno. */
    public static int fcntl(int fd, int cmd, long arg) {
        return (int) syscall(SYS_FCNTL, fd, cmd, arg, 0, 0, 0);
    }

    /** ftruncate(2): 0, or -errno. */
    public static int ftruncate(int fd, long length) {
        long r;
        do {
            r = syscall(SYS_FTRUNCATE, fd, length, 0, 0, 0, 0);
        } while (r == -EINTR);
        return (int) r;
    }

    /** {@code result} if it is not negative, else a {@link UringException} naming {@code op}. */
    public static long check(long result, String op) throws UringException {
        if (result < 0) {
            throw UringException.of(op, (int) -result);
        }
        return result;
    }

    /** As {@link #check(long, String)}, naming the fd involved. */
    public static int check(int result, String op, int fd) throws UringException {
        if (result < 0) {
            throw new UringException(op, -result, fd, null);
        }
        return result;
    }

    /** A downcall's Throwable as the unchecked exception or error it is (downcalls throw nothing checked). */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
