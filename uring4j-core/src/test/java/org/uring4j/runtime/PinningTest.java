package org.uring4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.UringException;
import org.uring4j.ring.Uapi;
import org.uring4j.sys.Syscalls;

/**
 * Virtual threads that block on loop ops (Await.get) park without pinning their carrier, which
 * JFR's jdk.VirtualThreadPinned event, recorded in-process with a zero threshold, would show.
 * Also: link timeouts fail ops with ETIME, and a cancelled op leaves the loop working and closable.
 */
class PinningTest {
    private static final String PINNED = "jdk.VirtualThreadPinned";
    private static final int THREADS = 1000;
    private static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Bound on every wait, so a broken test fails instead of hanging. */
    private static final long WAIT_SECONDS = 60;

    @TempDir
    Path dir;

    private Arena arena;
    /** An empty pipe: a READ of its read end waits until written to. */
    private int readEnd = -1;
    private int writeEnd = -1;

    @BeforeEach
    void openPipe() throws Exception {
        arena = Arena.ofConfined();
        MemorySegment fds = arena.allocate(JAVA_INT, 2);
        assertEquals(0, Syscalls.pipe2(fds, Uapi.O_CLOEXEC));
        readEnd = fds.getAtIndex(JAVA_INT, 0);
        writeEnd = fds.getAtIndex(JAVA_INT, 1);
    }

    @AfterEach
    void closePipe() {
        Syscalls.close(readEnd);
        Syscalls.close(writeEnd);
        arena.close();
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    /** Runs {@code action} under a JFR recording of pinned virtual threads (threshold 0); the events. */
    private List<RecordedEvent> pinnedEventsDuring(Action action) throws Exception {
        Path out = Files.createTempFile(dir, "pinning", ".jfr");
        try (Recording rec = new Recording()) {
            rec.enable(PINNED).withThreshold(Duration.ZERO).withStackTrace();
            rec.start();
            action.run();
            rec.stop();
            rec.dump(out);
        }
        return RecordingFile.readAllEvents(out).stream().filter(e -> e.getEventType().getName().equals(PINNED)).toList();
    }

    /** Parks in its static initializer: the JVM must keep a virtual thread initializing it on its carrier. */
    static final class SlowToInitialize {
        static {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }

        static void touch() {
        }
    }

    @Test
    void recordingDoesSeeAPinnedVirtualThread() throws Exception {
        // The control for the test below: zero events there means nothing pinned, not a blind recording.
        List<RecordedEvent> events = pinnedEventsDuring(() -> Thread.ofVirtual().start(SlowToInitialize::touch).join());
        assertFalse(events.isEmpty(), "parking in a class initializer pins, and JFR records it");
    }

    /** What one virtual thread saw: the NOP's result and how the timed-out READ failed. */
    record Outcome(int nop, Throwable readFailure) {
    }

    @Test
    void thousandVirtualThreadsBlockOnLoopOpsWithoutPinning() throws Exception {
        List<TestOps.Read> reads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            TestOps.Read read = new TestOps.Read(readEnd, 64, -1);
            read.timeout(TIMEOUT_NANOS);
            reads.add(read);
        }
        List<Outcome> outcomes = new ArrayList<>();
        // Load the test's own record class now: its first loading, by many virtual threads at once,
        // waits on the class loader's lock, a pin that says nothing about the library.
        outcomes.add(new Outcome(0, null));
        outcomes.clear();
        EventLoop loop = EventLoop.open();
        try {
            List<RecordedEvent> pinned = pinnedEventsDuring(() -> {
                ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor();
                try {
                    List<Future<Outcome>> tasks = new ArrayList<>();
                    for (TestOps.Read read : reads) {
                        tasks.add(vts.submit(() -> {
                            int nop = Await.get(loop.submit(new NopOperation()));
                            try {
                                Await.get(loop.submit(read));
                                return new Outcome(nop, null);
                            } catch (Exception e) {
                                return new Outcome(nop, e);
                            }
                        }));
                    }
                    for (Future<Outcome> t : tasks) {
                        outcomes.add(t.get(WAIT_SECONDS, TimeUnit.SECONDS));
                    }
                } finally {
                    vts.shutdownNow(); // only does anything if a wait above failed
                    vts.close();
                }
            });
            assertTrue(pinned.isEmpty(), () -> pinned.size() + " pinned event(s), e.g.\n" + pinned.stream().limit(3)
                    .map(RecordedEvent::toString).collect(Collectors.joining("\n")));
        } finally {
            loop.close(); // throws if an op were left in the kernel
        }

        assertEquals(THREADS, outcomes.size());
        for (Outcome o : outcomes) {
            assertEquals(0, o.nop());
            UringException e = assertInstanceOf(UringException.class, o.readFailure(), "a timed-out READ fails");
            assertEquals("ETIME", e.errnoName(), e::getMessage);
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            assertEquals("READ", e.operation());
        }
        for (TestOps.Read read : reads) {
            assertTrue(read.future().isCompletedExceptionally());
            // Released only after both the READ's and its LINK_TIMEOUT's completions arrived.
            read.released.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Test
    void cancellingAPendingReadCompletesItCancelledAndTheLoopCarriesOn() throws Exception {
        try (EventLoop loop = EventLoop.open()) {
            TestOps.Read read = new TestOps.Read(readEnd, 64, -1);
            CompletableFuture<byte[]> f = loop.submit(read);
            // Ops are admitted in order: once a later NOP completed, the READ is in the kernel.
            assertEquals(0, Await.get(loop.submit(new NopOperation())));
            assertFalse(f.isDone(), "nothing was written, so the READ waits");

            assertTrue(f.cancel(true));
            assertTrue(f.isCancelled());
            assertThrows(CancellationException.class, () -> Await.get(f));
            // The kernel posted the READ's final completion (ASYNC_CANCEL reached it) and its memory was freed.
            read.released.get(WAIT_SECONDS, TimeUnit.SECONDS);

            // Nothing is left reading the pipe: the next READ gets what is written.
            byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
            assertEquals(ping.length, Syscalls.write(writeEnd, arena.allocateFrom(JAVA_BYTE, ping)));
            assertArrayEquals(ping, loop.submit(new TestOps.Read(readEnd, 64, -1)).get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertEquals(0, Await.get(loop.submit(new NopOperation())));
        } // close() returning normally: nothing was left in flight
    }

    @Test
    void cancellingFromAnotherThreadWakesTheVirtualThreadWaitingOnIt() throws Exception {
        try (EventLoop loop = EventLoop.open()) {
            TestOps.Read read = new TestOps.Read(readEnd, 64, -1);
            CompletableFuture<byte[]> f = loop.submit(read);
            CompletableFuture<Throwable> seen = new CompletableFuture<>();
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    Await.get(f);
                    seen.complete(null);
                } catch (Throwable t) {
                    seen.complete(t);
                }
            });
            assertEquals(0, Await.get(loop.submit(new NopOperation())));
            f.cancel(true);
            assertInstanceOf(CancellationException.class, seen.get(WAIT_SECONDS, TimeUnit.SECONDS));
            waiter.join(Duration.ofSeconds(WAIT_SECONDS));
            read.released.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Test
    void closingWithAReadPendingCancelsItAndReturnsNormally() throws Exception {
        EventLoop loop = EventLoop.open();
        TestOps.Read read = new TestOps.Read(readEnd, 64, -1);
        CompletableFuture<byte[]> f = loop.submit(read);
        assertEquals(0, Await.get(loop.submit(new NopOperation())));

        loop.close(); // would throw if the READ's completion did not arrive within the close timeout
        assertTrue(read.released.isDone(), "the READ's memory is freed by the time close() returns");
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT_SECONDS, TimeUnit.SECONDS));
        UringException u = assertInstanceOf(UringException.class, e.getCause());
        assertEquals("ECANCELED", u.errnoName());
        assertThrows(RuntimeClosedException.class, () -> loop.submit(new NopOperation()));
    }
}
