package org.uring4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;

import org.junit.jupiter.api.Test;

/**
 * A loop that fails to start for a reason other than the ring (its registered buffers cannot be
 * allocated) fails the open with that error itself, and leaves nothing behind: the open threw a
 * CompletionException wrapping it.
 */
class LoopStartFailureTest {

    private static int openFds() {
        return new File("/proc/self/fd").list().length;
    }

    @Test
    void registeredBuffersLargerThanTheAddressSpaceFailTheOpenWithTheAllocationError() throws Exception {
        int fds = openFds();
        LoopOptions huge = new LoopOptions().registeredBufferBytes(1L << 50); // more than x86-64's 128 TiB of user space
        assertThrows(OutOfMemoryError.class, () -> UringRuntime.open(2, huge));
        assertThrows(OutOfMemoryError.class, () -> EventLoop.open(huge));
        assertEquals(fds, openFds(), "descriptors left by the failed opens");
        try (UringRuntime rt = UringRuntime.open(1, new LoopOptions())) { // and loops start as before
            assertEquals(1, rt.loopCount());
        }
    }
}
