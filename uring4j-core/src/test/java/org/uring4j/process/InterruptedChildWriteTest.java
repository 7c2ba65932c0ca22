package org.uring4j.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.process.ProcTestSupport.exit;
import static org.uring4j.process.ProcTestSupport.get;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.uring4j.fs.Backend;

/**
 * A writer to a child's stdin interrupted again and again loses and repeats nothing when it goes
 * on from what each InterruptedIOException's {@code bytesTransferred} says was written.
 */
class InterruptedChildWriteTest extends SharedRuntimeTest {

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWriterResumingFromBytesTransferredDeliversEveryByteOnce(Backend backend) throws Exception {
        byte[] data = new byte[2_000_000];
        new Random(5).nextBytes(data);
        try (Child c = start(Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE), backend)) {
            CompletableFuture<byte[]> out = c.stdout().readAllBytesAsync();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            java.util.concurrent.atomic.AtomicBoolean written = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.CountDownLatch quiet = new java.util.concurrent.CountDownLatch(1);
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    for (int off = 0; off < data.length; ) {
                        int n = Math.min(150_000, data.length - off);
                        try {
                            c.stdin().writeFully(MemorySegment.ofArray(data).asSlice(off, n));
                            off += n;
                        } catch (InterruptedIOException e) {
                            Thread.interrupted();
                            off += e.bytesTransferred;
                        }
                    }
                    written.set(true);
                    while (true) { // until the interrupts have stopped: the close is not to be interrupted
                        try {
                            quiet.await();
                            break;
                        } catch (InterruptedException again) {
                            // one more of the test's interrupts
                        }
                    }
                    Thread.interrupted();
                    c.stdin().close();
                } catch (IOException | RuntimeException e) {
                    failure.set(e);
                }
            });
            Random r = new Random(9);
            while (writer.isAlive() && !written.get()) {
                writer.interrupt();
                Thread.sleep(0, r.nextInt(300_000));
            }
            quiet.countDown();
            writer.join();
            assertTrue(failure.get() == null, () -> "the writer failed: " + failure.get());
            assertArrayEquals(data, get(out));
            assertTrue(exit(c).success());
        }
    }
}
