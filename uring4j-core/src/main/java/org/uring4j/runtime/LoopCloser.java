package org.uring4j.runtime;

import org.uring4j.ring.Ring;

/** Cleanup {@link EventLoop#close()} runs on the loop thread once nothing is in flight, before the ring closes. */
@FunctionalInterface
public interface LoopCloser {
    void close(Ring ring) throws Exception;
}
