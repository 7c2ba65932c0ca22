package org.uring4j.runtime;

import org.uring4j.ring.Ring;

/** Work that {@link EventLoop#call(LoopTask)} runs on the loop thread with the loop's ring. */
@FunctionalInterface
public interface LoopTask<T> {
    T run(Ring ring) throws Exception;
}
