package org.uring4j.process;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one of a child's standard streams goes: a pipe to this process, this process's own
 * stream, nowhere, or a file (opened in the child, relative to this process's working directory).
 * The same choices as {@link ProcessBuilder.Redirect}.
 */
public final class Redirect {
    enum Kind { PIPE, INHERIT, DISCARD, READ, WRITE, APPEND }

    /** A pipe: the child's end in place of the stream, this process's end on the {@link Child}. */
    public static final Redirect PIPE = new Redirect(Kind.PIPE, null);
    /** The stream of this process, as it is. */
    public static final Redirect INHERIT = new Redirect(Kind.INHERIT, null);
    /** /dev/null. */
    public static final Redirect DISCARD = new Redirect(Kind.DISCARD, null);

    final Kind kind;
    final Path file;

    private Redirect(Kind kind, Path file) {
        this.kind = kind;
        this.file = file;
    }

    /** Read from {@code file} (for stdin). */
    public static Redirect from(Path file) {
        return new Redirect(Kind.READ, local(file));
    }

    /** Write to {@code file}, created with mode 0666 less the umask or truncated (for stdout/stderr). */
    public static Redirect to(Path file) {
        return new Redirect(Kind.WRITE, local(file));
    }

    /** Append to {@code file}, created if missing. */
    public static Redirect appendTo(Path file) {
        return new Redirect(Kind.APPEND, local(file));
    }

    /**
     * {@code path}, if it is one of the default file system: the child opens what its string names
     * there, so a path of another file system (a zip file's "/data.txt") would name an unrelated
     * host file — created or truncated by a redirect. As uring4j's file API refuses such paths.
     */
    static Path local(Path path) {
        if (Objects.requireNonNull(path, "file").getFileSystem() != java.nio.file.FileSystems.getDefault()) {
            throw new java.nio.file.ProviderMismatchException("a child process opens paths of the default file system only: " + path);
        }
        return path;
    }

    @Override
    public String toString() {
        return file == null ? kind.toString() : kind + " " + file;
    }
}
