package org.uring4j.fs;

import org.uring4j.Errno;
import org.uring4j.UringException;

/**
 * A {@link UringOpenOption#RESOLVE_CACHED} open found part of the path outside the kernel's
 * caches: answering would mean waiting for the disk, so it answered EAGAIN instead. Retry without
 * RESOLVE_CACHED (on a thread that may block) to open it.
 */
public final class WouldBlockException extends UringException {
    private static final long serialVersionUID = 1L;

    public WouldBlockException(String operation, String path) {
        super(operation, Errno.EAGAIN.number(), NO_FD, path, "the lookup is not cached and RESOLVE_CACHED forbids waiting");
    }
}
