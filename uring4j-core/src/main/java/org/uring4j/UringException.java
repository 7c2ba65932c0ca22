package org.uring4j;

import java.io.IOException;
import java.util.Objects;

/**
 * A system call or io_uring operation failed with an errno.
 *
 * <p>Carries what a person needs to act on the failure: the operation ({@code "openat2"},
 * {@code "io_uring_setup"}, {@code "READ"}), the errno by number and name, and the file
 * descriptor or path involved where there is one. The message reads like
 * {@code openat2 /etc/shadow: EACCES (Permission denied)}.
 */
public class UringException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Marks "no file descriptor involved". */
    public static final int NO_FD = Integer.MIN_VALUE;

    private final String operation;
    private final int errno;
    private final int fd;
    private final String path;

    /**
     * @param operation the syscall or op name, never null
     * @param errno     the errno, either sign (kernel results are negative)
     * @param fd        the file descriptor or fixed slot involved, or {@link #NO_FD}
     * @param path      the path involved, or null
     */
    public UringException(String operation, int errno, int fd, String path) {
        this(operation, errno, fd, path, null);
    }

    /** As {@link #UringException(String, int, int, String)}, with a detail appended to the message. */
    public UringException(String operation, int errno, int fd, String path, String detail) {
        super(format(operation, Math.abs(errno), fd, path, detail));
        this.operation = Objects.requireNonNull(operation, "operation");
        this.errno = Math.abs(errno);
        this.fd = fd;
        this.path = path;
    }

    /** A failure of {@code operation} with {@code errno} and nothing else to name. */
    public static UringException of(String operation, int errno) {
        return new UringException(operation, errno, NO_FD, null);
    }

    private static String format(String op, int errno, int fd, String path, String detail) {
        StringBuilder sb = new StringBuilder(op);
        if (path != null) {
            sb.append(' ').append(path);
        }
        if (fd != NO_FD) {
            sb.append(path != null ? " (fd " : " fd ").append(fd).append(path != null ? ")" : "");
        }
        Errno e = Errno.of(errno);
        sb.append(": ").append(e != null ? e.name() + " (" + e.message() + ")" : "errno " + errno);
        if (detail != null) {
            sb.append(": ").append(detail);
        }
        return sb.toString();
    }

    /** The syscall or io_uring op that failed, e.g. {@code "io_uring_enter"} or {@code "OPENAT2"}. */
    public String operation() {
        return operation;
    }

    /** The positive errno number. */
    public int errno() {
        return errno;
    }

    /** The errno as an enum constant, or null for a number Linux does not define. */
    public Errno errnoValue() {
        return Errno.of(errno);
    }

    /** The errno's symbolic name, e.g. {@code "ENOENT"}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** The file descriptor or fixed-file slot involved, or {@link #NO_FD}. */
    public int fd() {
        return fd;
    }

    /** The path involved, or null. */
    public String path() {
        return path;
    }
}
