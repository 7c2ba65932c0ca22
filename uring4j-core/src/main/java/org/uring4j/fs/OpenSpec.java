package org.uring4j.fs;

import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Objects;
import java.util.Set;

import org.uring4j.ring.Uapi;

/**
 * How to call openat2: flags, mode and resolve, from java.nio open options. Making one checks the
 * options as both backends must (conflicts, unsupported options and attributes), so the portable
 * backend makes one too, before translating the options for java.nio.
 */
record OpenSpec(int flags, int mode, long resolve, boolean directDescriptor) {
    /** A created file's mode, less the umask, when no permissions attribute says otherwise. */
    static final int DEFAULT_MODE = 0666;

    static OpenSpec of(Set<? extends OpenOption> options, FileAttribute<?>... attrs) {
        boolean read = false;
        boolean write = false;
        boolean append = false;
        int flags = Uapi.O_CLOEXEC;
        long resolve = 0;
        boolean direct = false;
        for (OpenOption o : options) {
            Objects.requireNonNull(o, "null open option"); // as the JDK: NullPointerException, before anything is opened
            if (o == StandardOpenOption.READ) {
                read = true;
            } else if (o == StandardOpenOption.WRITE) {
                write = true;
            } else if (o == StandardOpenOption.APPEND) {
                append = true;
                write = true;
            } else if (o == StandardOpenOption.CREATE) {
                flags |= Uapi.O_CREAT;
            } else if (o == StandardOpenOption.CREATE_NEW) {
                flags |= Uapi.O_CREAT | Uapi.O_EXCL;
            } else if (o == StandardOpenOption.TRUNCATE_EXISTING) {
                flags |= Uapi.O_TRUNC;
            } else if (o == StandardOpenOption.SYNC) {
                flags |= Uapi.O_SYNC;
            } else if (o == StandardOpenOption.DSYNC) {
                flags |= Uapi.O_DSYNC;
            } else if (o == StandardOpenOption.SPARSE) {
                continue; // a hint; Linux files are sparse anyway
            } else if (o == LinkOption.NOFOLLOW_LINKS) {
                flags |= Uapi.O_NOFOLLOW;
            } else if (o instanceof UringOpenOption u) {
                flags |= u.flags;
                resolve |= u.resolve;
                direct |= u == UringOpenOption.DIRECT_DESCRIPTOR;
            } else if (o.getClass().getName().equals("com.sun.nio.file.ExtendedOpenOption")
                    && o.toString().equals("DIRECT")) {
                flags |= Uapi.O_DIRECT;
            } else if (o == StandardOpenOption.DELETE_ON_CLOSE) {
                throw new UnsupportedOperationException("DELETE_ON_CLOSE is not supported; delete the file after closing it");
            } else {
                throw new UnsupportedOperationException("unsupported open option " + o);
            }
        }
        if (append && read) {
            throw new IllegalArgumentException("READ + APPEND not allowed");
        }
        if (append && (flags & Uapi.O_TRUNC) != 0) {
            throw new IllegalArgumentException("APPEND + TRUNCATE_EXISTING not allowed");
        }
        if (!write) {
            // As java.nio does: CREATE and TRUNCATE_EXISTING mean nothing for a read-only open.
            flags &= ~(Uapi.O_CREAT | Uapi.O_EXCL | Uapi.O_TRUNC);
        }
        flags |= write ? (read ? Uapi.O_RDWR : Uapi.O_WRONLY) : Uapi.O_RDONLY;
        if (append) {
            flags |= Uapi.O_APPEND;
        }
        if (direct && (flags & Uapi.O_DIRECTORY) != 0) {
            throw new IllegalArgumentException("a DIRECTORY handle needs a plain descriptor; drop DIRECT_DESCRIPTOR");
        }
        if (direct) {
            flags &= ~Uapi.O_CLOEXEC; // a direct descriptor is in no fd table; the kernel refuses the flag
        }
        return new OpenSpec(flags, (flags & Uapi.O_CREAT) != 0 ? modeOf(attrs) : 0, resolve, direct);
    }

    private static int modeOf(FileAttribute<?>... attrs) {
        int mode = DEFAULT_MODE;
        for (FileAttribute<?> a : attrs) {
            if (a.name().equals("posix:permissions") || a.name().equals("unix:permissions")) {
                mode = 0;
                for (Object p : (Set<?>) a.value()) {
                    mode |= bit((PosixFilePermission) p);
                }
            } else {
                throw new UnsupportedOperationException("'" + a.name() + "' cannot be set when opening a file");
            }
        }
        return mode;
    }

    private static int bit(PosixFilePermission p) {
        return switch (p) {
            case OWNER_READ -> 0400;
            case OWNER_WRITE -> 0200;
            case OWNER_EXECUTE -> 0100;
            case GROUP_READ -> 040;
            case GROUP_WRITE -> 020;
            case GROUP_EXECUTE -> 010;
            case OTHERS_READ -> 04;
            case OTHERS_WRITE -> 02;
            case OTHERS_EXECUTE -> 01;
        };
    }

    /** The caller-thread RESOLVE_CACHED attempt: never for opens that create, truncate or must be direct. */
    boolean fastPathAllowed() {
        return !directDescriptor && (flags & (Uapi.O_CREAT | Uapi.O_TRUNC)) == 0
                && (resolve & Uapi.RESOLVE_CACHED) == 0;
    }
}
