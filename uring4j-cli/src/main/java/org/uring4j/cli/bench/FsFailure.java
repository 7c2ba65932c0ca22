package org.uring4j.cli.bench;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

import org.uring4j.Errno;
import org.uring4j.UringException;

/**
 * The command's messages for failed file operations: what was done, to which path, and why as the
 * errno's name and text ({@code create /nonexistent/dir/f: ENOENT (No such file or directory)}).
 * The JDK's FileSystemException says only the path where its type carries the errno (a
 * NoSuchFileException's message is the bare path), so the type is turned back into the errno here.
 */
public final class FsFailure extends IOException {
    private static final long serialVersionUID = 1L;

    private FsFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code op path: ERRNO (text)} for a failure {@code e} of {@code op} on {@code path}. */
    public static IOException of(String op, Path path, IOException e) {
        if (e instanceof UringException || e instanceof FsFailure) {
            return e; // already says op, path and errno
        }
        return new FsFailure(op + " " + path + ": " + reason(e), e);
    }

    /** {@code op path: ERRNO (text)} for a failure with a known errno. */
    public static IOException of(String op, Path path, Errno errno) {
        return new FsFailure(op + " " + path + ": " + text(errno), null);
    }

    /** Why {@code e} failed: the errno's name and text where it can be told, else the JDK's reason. */
    public static String reason(IOException e) {
        Errno errno = errno(e);
        if (errno != null) {
            return text(errno);
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * A failure as one line: a UringException's or this class's message as it is, a JDK
     * FileSystemException as its path (and the other path) and the errno, anything else its message.
     */
    public static String message(Throwable e) {
        if (e instanceof FileSystemException f && !(e instanceof UringException)) {
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + reason(f);
        }
        return e.getMessage();
    }

    /** Fails as find, du and cp do (exit 1, not a usage error) unless {@code dir} is a directory. */
    static void requireDirectory(Path dir, LinkOption... options) throws IOException {
        if (!Files.isDirectory(dir, options)) {
            throw of("open directory", dir, Files.exists(dir, LinkOption.NOFOLLOW_LINKS) ? Errno.ENOTDIR : Errno.ENOENT);
        }
    }

    private static String text(Errno e) {
        return e.name() + " (" + e.message() + ")";
    }

    /**
     * The errno behind a JDK exception: a FileSystemException's type, or the C library's text the
     * JDK put in its reason (or, for a plain IOException such as a failed write, in its message).
     */
    static Errno errno(IOException f) {
        if (f instanceof UringException u) {
            return u.errnoValue();
        } else if (f instanceof NoSuchFileException) {
            return Errno.ENOENT;
        } else if (f instanceof AccessDeniedException) {
            return Errno.EACCES;
        } else if (f instanceof FileAlreadyExistsException) {
            return Errno.EEXIST;
        } else if (f instanceof NotDirectoryException) {
            return Errno.ENOTDIR;
        } else if (f instanceof DirectoryNotEmptyException) {
            return Errno.ENOTEMPTY;
        }
        String r = f instanceof FileSystemException fs ? fs.getReason() : f.getMessage();
        if (r != null) {
            for (Errno e : Errno.values()) {
                if (r.startsWith(e.message())) {
                    return e;
                }
            }
        }
        return null;
    }
}
