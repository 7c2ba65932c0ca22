package org.uring4j.fs;

import java.nio.file.OpenOption;

import org.uring4j.ring.Uapi;

/**
 * Open options beyond {@link java.nio.file.StandardOpenOption} and {@link java.nio.file.LinkOption}:
 * O_DIRECT, and the {@code openat2(2)} RESOLVE_* controls over how the path is looked up.
 */
public enum UringOpenOption implements OpenOption {
    /** O_DIRECT: bypass the page cache (buffers and offsets must be aligned, see {@link FileStat#dioMemAlign()}). */
    DIRECT(Uapi.O_DIRECT, 0),
    /** O_NOATIME: do not update the access time. */
    NOATIME(Uapi.O_NOATIME, 0),
    /** O_DIRECTORY: the path must be a directory; gives a handle to open other paths relative to. */
    DIRECTORY(Uapi.O_DIRECTORY, 0),
    /** RESOLVE_BENEATH: the path may not leave the directory it is resolved from (no "..", absolute path or symlink out). */
    RESOLVE_BENEATH(0, Uapi.RESOLVE_BENEATH),
    /** RESOLVE_IN_ROOT: resolve as if the starting directory were "/" (a chroot for this lookup). */
    RESOLVE_IN_ROOT(0, Uapi.RESOLVE_IN_ROOT),
    /** RESOLVE_NO_SYMLINKS: fail with ELOOP on any symbolic link in the path. */
    RESOLVE_NO_SYMLINKS(0, Uapi.RESOLVE_NO_SYMLINKS),
    /** RESOLVE_NO_MAGICLINKS: fail on /proc magic links such as /proc/self/fd/N. */
    RESOLVE_NO_MAGICLINKS(0, Uapi.RESOLVE_NO_MAGICLINKS),
    /** RESOLVE_NO_XDEV: fail with EXDEV if the path crosses a mount point. */
    RESOLVE_NO_XDEV(0, Uapi.RESOLVE_NO_XDEV),
    /**
     * RESOLVE_CACHED: open only if every step of the lookup is in the kernel's caches; otherwise
     * fail at once with {@link WouldBlockException} (EAGAIN) instead of waiting for the disk.
     * Never succeeds together with CREATE, CREATE_NEW or TRUNCATE_EXISTING.
     */
    RESOLVE_CACHED(0, Uapi.RESOLVE_CACHED),
    /**
     * Open straight into the loop's registered file table as a direct descriptor, with no entry
     * in the process's fd table (seed 002). Every op then goes through the slot; {@link AsyncFile#fd()}
     * installs a plain descriptor on demand.
     */
    DIRECT_DESCRIPTOR(0, 0);

    final int flags;
    final long resolve;

    UringOpenOption(int flags, long resolve) {
        this.flags = flags;
        this.resolve = resolve;
    }
}
