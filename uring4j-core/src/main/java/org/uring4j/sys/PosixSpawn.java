package org.uring4j.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * glibc's {@code posix_spawn(3)} and its file actions and attributes, as FFM downcalls.
 *
 * <p>A JVM cannot fork: the child of a multithreaded process may run only async-signal-safe code,
 * and no Java can run there. glibc's posix_spawn does what the seed-001 spawn proposal does in
 * the kernel — a {@code clone(CLONE_VM|CLONE_VFORK)} child that runs a list of setup steps (open,
 * dup2, close, chdir, closefrom), then execs, trying each $PATH entry in turn for posix_spawnp —
 * in C, with the parent suspended only until the exec. The glibc-internal structs are opaque
 * here: {@link #FILE_ACTIONS_SIZE} and {@link #ATTR_SIZE} are generous upper bounds of their sizes
 * (80 and 336 bytes on x86-64).
 *
 * <p>Every function returns 0 or a positive error number, as posix_spawn does (not -1/errno).
 */
public final class PosixSpawn {
    private PosixSpawn() {
    }

    public static final long FILE_ACTIONS_SIZE = 512;
    public static final long ATTR_SIZE = 1024;
    /** glibc's sigset_t: 1024 bits. */
    public static final long SIGSET_SIZE = 128;

    public static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    public static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    public static final short POSIX_SPAWN_SETSID = 0x80;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), d);
    }

    private static Optional<MethodHandle> optional(String name, FunctionDescriptor d) {
        return LIBC.find(name).map(a -> LINKER.downcallHandle(a, d));
    }

    private static final FunctionDescriptor SPAWN = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
            ADDRESS, ADDRESS);
    private static final MethodHandle POSIX_SPAWN = fn("posix_spawn", SPAWN);
    private static final MethodHandle POSIX_SPAWNP = fn("posix_spawnp", SPAWN);
    private static final MethodHandle FA_INIT = fn("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DESTROY = fn("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_OPEN = fn("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_DUP2 = fn("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_CLOSE = fn("posix_spawn_file_actions_addclose",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** glibc 2.29+. */
    private static final Optional<MethodHandle> FA_CHDIR = optional("posix_spawn_file_actions_addchdir_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    /** glibc 2.34+. */
    private static final Optional<MethodHandle> FA_CLOSEFROM = optional("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT = fn("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = fn("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_FLAGS = fn("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SIGMASK = fn("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SIGDEFAULT = fn("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    private static final MemorySegment ENVIRON = LIBC.find("environ").orElseThrow().reinterpret(ADDRESS.byteSize());

    /** The process's environment as the C library holds it ({@code char **environ}), read at each call. */
    public static MemorySegment environ() {
        return ENVIRON.get(ADDRESS, 0);
    }

    /** Whether this C library can change the child's directory (posix_spawn_file_actions_addchdir_np). */
    public static boolean hasChdir() {
        return FA_CHDIR.isPresent();
    }

    /** Whether it can close every descriptor from a number up (posix_spawn_file_actions_addclosefrom_np). */
    public static boolean hasClosefrom() {
        return FA_CLOSEFROM.isPresent();
    }

    /**
     * posix_spawn(3), or posix_spawnp(3) (the $PATH search) if {@code searchPath}; the child's pid
     * lands in {@code pid}.
     */
    public static int spawn(boolean searchPath, MemorySegment pid, MemorySegment path, MemorySegment fileActions,
                            MemorySegment attr, MemorySegment argv, MemorySegment envp) {
        try {
            return searchPath ? (int) POSIX_SPAWNP.invokeExact(pid, path, fileActions, attr, argv, envp)
                    : (int) POSIX_SPAWN.invokeExact(pid, path, fileActions, attr, argv, envp);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    public static int fileActionsInit(MemorySegment fa) {
        return call(FA_INIT, fa);
    }

    public static int fileActionsDestroy(MemorySegment fa) {
        return call(FA_DESTROY, fa);
    }

    public static int addOpen(MemorySegment fa, int fd, MemorySegment path, int flags, int mode) {
        try {
            return (int) FA_OPEN.invokeExact(fa, fd, path, flags, mode);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    public static int addDup2(MemorySegment fa, int fd, int newFd) {
        try {
            return (int) FA_DUP2.invokeExact(fa, fd, newFd);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    public static int addClose(MemorySegment fa, int fd) {
        try {
            return (int) FA_CLOSE.invokeExact(fa, fd);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    public static int addChdir(MemorySegment fa, MemorySegment path) {
        try {
            return (int) FA_CHDIR.orElseThrow().invokeExact(fa, path);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    public static int addClosefrom(MemorySegment fa, int from) {
        try {
            return (int) FA_CLOSEFROM.orElseThrow().invokeExact(fa, from);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    public static int attrInit(MemorySegment attr) {
        return call(ATTR_INIT, attr);
    }

    public static int attrDestroy(MemorySegment attr) {
        return call(ATTR_DESTROY, attr);
    }

    public static int attrSetFlags(MemorySegment attr, short flags) {
        try {
            return (int) ATTR_FLAGS.invokeExact(attr, flags);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    public static int attrSetSigmask(MemorySegment attr, MemorySegment sigset) {
        try {
            return (int) ATTR_SIGMASK.invokeExact(attr, sigset);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }

    public static int attrSetSigdefault(MemorySegment attr, MemorySegment sigset) {
        try {
            return (int) ATTR_SIGDEFAULT.invokeExact(attr, sigset);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }


    private static int call(MethodHandle h, MemorySegment a) {
        try {
            return (int) h.invokeExact(a);
        } catch (Throwable t) {
            throw Syscalls.rethrow(t);
        }
    }
}
