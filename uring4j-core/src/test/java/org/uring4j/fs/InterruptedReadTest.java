package org.uring4j.fs;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.fs.FsTestSupport.await;
import static org.uring4j.fs.FsTestSupport.mkfifo;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.uring4j.runtime.LoopOptions;

/**
 * Interrupting a thread blocked in a read of a FIFO never loses a byte (issue 10, item 2). On
 * io_uring the READ is cancelled in the kernel and its completion awaited: the call throws
 * InterruptedIOException having read nothing, or returns what the read got first. On the portable
 * backend the read waits through the interrupt, as the JDK's Process streams do. Either way the
 * bytes written next reach exactly one reader. (The JDK's FileChannel closes itself instead,
 * ClosedByInterruptException, and also consumes nothing.)
 */
class InterruptedReadTest {
    static UringFiles files;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() throws Exception {
        files = UringFiles.open(1, new LoopOptions());
    }

    @AfterAll
    static void close() throws Exception {
        files.close();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anInterruptedFifoReadLosesNothing(boolean virtual) throws Exception {
        Path fifoPath = dir.resolve("fifo");
        mkfifo(fifoPath);
        try (AsyncFile fifo = files.open(fifoPath, READ, WRITE)) { // O_RDWR: no writer needed to open
            byte[] got = new byte[64];
            AtomicReference<Object> outcome = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread reader = (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
                try {
                    outcome.set(fifo.read(got, 0, got.length, 0));
                } catch (Throwable t) {
                    outcome.set(t);
                }
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            awaitBlocked(reader);
            reader.interrupt();
            byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
            if (onIoUring()) {
                reader.join(); // the cancel completes the read: the call returns without any data
            }
            try (FileChannel writer = FileChannel.open(fifoPath, WRITE)) { // a writer of its own (a FileChannel's stream calls queue behind each other)
                assertEquals(hello.length, writer.write(ByteBuffer.wrap(hello)));
            }
            reader.join();
            assertTrue(stillInterrupted.get(), "the interrupt status is kept");
            String seen;
            if (outcome.get() instanceof Integer n) {
                seen = new String(got, 0, n, StandardCharsets.US_ASCII); // it read them before the cancel (or waited through)
            } else {
                assertInstanceOf(InterruptedIOException.class, outcome.get());
                byte[] again = new byte[64];
                int n = await(fifo.readAsync(again, 0, again.length, 0)); // the bytes are still in the FIFO
                seen = new String(again, 0, n, StandardCharsets.US_ASCII);
            }
            assertEquals("hello", seen);
        }
    }

    private static boolean onIoUring() {
        return FsTestSupport.onIoUring(files);
    }

    /** Waits until {@code t} is parked or blocked (in the read). */
    static void awaitBlocked(Thread t) throws InterruptedException {
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING
                && t.getState() != Thread.State.BLOCKED && !(t.getState() == Thread.State.RUNNABLE && isInRead(t))) {
            Thread.sleep(5);
        }
        Thread.sleep(20); // into the kernel (a state change does not say the op was submitted; no assertion depends on it)
    }

    /** A platform thread blocked in read(2) (the portable backend's stream read) shows as RUNNABLE. */
    private static boolean isInRead(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getMethodName().contains("read0") || e.getMethodName().equals("get") || e.getMethodName().equals("join")) {
                return true;
            }
        }
        return false;
    }
}
