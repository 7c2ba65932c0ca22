package org.uring4j.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.uring4j.fs.Backend;

/**
 * Interrupting a thread blocked in a read of a child's stdout loses nothing (issue 10, item 2): on
 * io_uring the READ is cancelled in the kernel and its completion awaited; on the portable backend
 * (a Process stream underneath) the read waits through the interrupt, as Process streams do.
 */
class InterruptedChildReadTest extends SharedRuntimeTest {
    @ParameterizedTest
    @EnumSource(Backend.class)
    void anInterruptedStdoutReadLosesNothing(Backend backend) throws Exception {
        try (Child cat = start(Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE), backend)) {
            byte[] got = new byte[64];
            AtomicReference<Object> outcome = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    outcome.set(cat.stdout().read(got, 0, got.length));
                } catch (Throwable t) {
                    outcome.set(t);
                }
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            while (reader.getState() != Thread.State.WAITING) {
                Thread.sleep(5);
            }
            Thread.sleep(20);
            reader.interrupt();
            if (backend == Backend.IO_URING) {
                reader.join(); // the cancel ends the read
            }
            byte[] hello = "hello\n".getBytes(StandardCharsets.US_ASCII);
            cat.stdin().writeFully(hello);
            reader.join();
            assertTrue(stillInterrupted.get(), "the interrupt status is kept");
            String seen;
            if (outcome.get() instanceof Integer n) {
                seen = new String(got, 0, n, StandardCharsets.US_ASCII);
            } else {
                assertInstanceOf(InterruptedIOException.class, outcome.get());
                byte[] again = new byte[64];
                int n = cat.stdout().readAsync(again, 0, again.length).get(30, TimeUnit.SECONDS);
                seen = new String(again, 0, n, StandardCharsets.US_ASCII);
            }
            assertEquals("hello\n", seen);
            cat.stdin().close();
            assertTrue(cat.onExit().get(30, TimeUnit.SECONDS).success());
        }
    }
}
