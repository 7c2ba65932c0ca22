package org.uring4j.cli.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;

import org.uring4j.UringException;

/**
 * Makes a FIFO, socket or device file anew with {@code mknodat(2)}, as {@code cp -r} does: the
 * JDK has no call for it (its Files.copy opens a FIFO and waits for a writer, to copy its data).
 */
final class SpecialFile {
    private static final int AT_FDCWD = -100;
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** int mknodat(int dirfd, const char *pathname, mode_t mode, dev_t dev). */
    private static final MethodHandle MKNODAT = downcall("mknodat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    /** int utimensat(int dirfd, const char *pathname, const struct timespec times[2], int flags). */
    private static final MethodHandle UTIMENSAT = downcall("utimensat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));

    private static MethodHandle downcall(String name, FunctionDescriptor fd) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(), fd,
                Linker.Option.captureCallState("errno"));
    }

    private SpecialFile() {
    }

    /** Makes {@code target} a special file of {@code source}'s type, device number, mode and times. */
    static void copy(Path source, Path target) throws IOException {
        int mode = (Integer) Files.getAttribute(source, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        long rdev = (Long) Files.getAttribute(source, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes attrs = Files.readAttributes(source, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment path = arena.allocateFrom(target.toString());
            int r = (int) MKNODAT.invokeExact(state, AT_FDCWD, path, mode, rdev);
            check(r, "mknodat", state, target);
            // mknodat applied the umask: set the mode exactly (chmod(2) by path opens nothing).
            Files.setPosixFilePermissions(target, attrs.permissions());
            // Then the times by path: the JDK's setTimes opens the file, and an open FIFO waits for a writer.
            MemorySegment times = arena.allocate(JAVA_LONG, 4);
            Instant atime = attrs.lastAccessTime().toInstant();
            Instant mtime = attrs.lastModifiedTime().toInstant();
            times.setAtIndex(JAVA_LONG, 0, atime.getEpochSecond());
            times.setAtIndex(JAVA_LONG, 1, atime.getNano());
            times.setAtIndex(JAVA_LONG, 2, mtime.getEpochSecond());
            times.setAtIndex(JAVA_LONG, 3, mtime.getNano());
            r = (int) UTIMENSAT.invokeExact(state, AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW);
            check(r, "utimensat", state, target);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t); // invokeExact declares Throwable; these calls throw nothing else
        }
    }

    private static void check(int r, String call, MemorySegment state, Path target) throws UringException {
        if (r < 0) {
            throw new UringException(call, (int) ERRNO.get(state, 0L), UringException.NO_FD, target.toString());
        }
    }
}
