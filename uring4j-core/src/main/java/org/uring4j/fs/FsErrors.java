package org.uring4j.fs;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

import org.uring4j.Errno;
import org.uring4j.UringException;

/**
 * Turns a failed path operation into the exception java.nio.file would throw for it
 * ({@link NoSuchFileException} for ENOENT, {@link FileAlreadyExistsException} for EEXIST, ...),
 * and a plain {@link FileSystemException} for the errnos without a subtype (EISDIR, ENAMETOOLONG,
 * EMFILE...), so {@code catch} clauses written for {@link java.nio.file.Files} work unchanged. The reason
 * names the op and errno, and the cause is the {@link UringException} with the errno itself.
 */
final class FsErrors {
    private FsErrors() {
    }

    static IOException forPath(String op, int res, String path, String other) {
        int errno = -res;
        if (errno == Errno.EAGAIN.number()) {
            return new WouldBlockException(op, path);
        }
        UringException cause = new UringException(op, errno, UringException.NO_FD, path);
        String reason = op + ": " + Errno.name(errno) + " (" + messageOf(errno) + ")";
        FileSystemException e;
        if (errno == Errno.ENOENT.number()) {
            e = new NoSuchFileException(path, other, reason);
        } else if (errno == Errno.EEXIST.number()) {
            e = new FileAlreadyExistsException(path, other, reason);
        } else if (errno == Errno.EACCES.number() || errno == Errno.EPERM.number()) {
            e = new AccessDeniedException(path, other, reason);
        } else if (errno == Errno.ENOTDIR.number()) {
            e = new NotDirectoryException(path);
        } else if (errno == Errno.ENOTEMPTY.number()) {
            e = new DirectoryNotEmptyException(path);
        } else if (errno == Errno.ELOOP.number()) {
            e = new FileSystemLoopException(path);
        } else {
            // EINVAL is also how a kernel refuses an op it does not know: then say which release has it.
            String lacks = errno == Errno.EINVAL.number() ? org.uring4j.ring.Probe.kernelLacks(op) : null;
            if (lacks != null) {
                return new UringException(op, errno, UringException.NO_FD, path, lacks);
            }
            // EISDIR, ENAMETOOLONG, EMFILE, EROFS...: the JDK throws a plain FileSystemException for these.
            e = new FileSystemException(path, other, reason);
        }
        e.initCause(cause);
        return e;
    }

    private static String messageOf(int errno) {
        Errno e = Errno.of(errno);
        return e != null ? e.message() : "unknown error";
    }
}
