package org.uring4j.nio;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileLock;

/**
 * A lock on a region of a {@link UringFileChannel}'s file: an open file description lock (on the
 * portable backend, a FileChannel lock it delegates to), valid until released or until the channel
 * is closed.
 */
final class UringFileLock extends FileLock {
    private volatile boolean invalid;
    /** On the portable backend: the JDK's lock that holds the region (through the channel's lock channel). */
    volatile FileLock delegate;

    UringFileLock(UringFileChannel channel, long position, long size, boolean shared) {
        super(channel, position, size, shared);
    }

    @Override
    public boolean isValid() {
        return !invalid;
    }

    /** Marks the lock released; the caller holds this lock's monitor. */
    void invalidate() {
        invalid = true;
    }

    /** As the JDK's: ClosedChannelException once the channel is closed, even for a lock already released. */
    @Override
    public synchronized void release() throws IOException {
        UringFileChannel ch = (UringFileChannel) acquiredBy();
        if (!ch.isOpen()) {
            throw new ClosedChannelException();
        }
        if (!invalid) {
            ch.release(this);
            invalid = true;
        }
    }
}
