package org.uring4j.fs;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.fs.FsTestSupport.failure;
import static org.uring4j.fs.FsTestSupport.mkfifo;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.runtime.LoopOptions;

/**
 * Closing a file with operations pending (issue 10, items 6 and 9): close returns instead of
 * waiting for a read that may never complete, and the pending operations fail with
 * AsynchronousCloseException, as with the JDK's FileChannel. Operations the kernel had already
 * started complete normally.
 */
class CloseWhilePendingTest {
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

    @Test
    void closeEndsAPendingFifoReadWithAsynchronousCloseExceptionAsTheJdkDoes() throws Exception {
        Path fifoPath = dir.resolve("fifo");
        mkfifo(fifoPath);
        // The JDK: a thread blocked reading the FIFO gets AsynchronousCloseException when the channel closes.
        FileChannel jdk = FileChannel.open(fifoPath, READ, WRITE);
        AtomicReference<Throwable> jdkOutcome = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                jdk.read(ByteBuffer.allocate(8));
            } catch (Throwable x) {
                jdkOutcome.set(x);
            }
        });
        while (t.getState() != Thread.State.RUNNABLE || !inNativeRead(t)) {
            Thread.sleep(5);
        }
        jdk.close();
        t.join();
        assertInstanceOf(AsynchronousCloseException.class, jdkOutcome.get());

        AsyncFile fifo = files.open(fifoPath, READ, WRITE); // O_RDWR: no writer needed to open, and no data ever
        CompletableFuture<Integer> heap = fifo.readAsync(new byte[8], 0, 8, 0);
        try (Arena arena = Arena.ofShared()) {
            CompletableFuture<Integer> direct = fifo.readAsync(arena.allocate(8), 0);
            fifo.close(); // returns: the reads are cancelled, not waited for
            failure(AsynchronousCloseException.class, heap);
            failure(AsynchronousCloseException.class, direct);
        }
        assertTrue(fifo.isClosed());
    }

    /** A platform thread blocked in read(2) shows as RUNNABLE in a native frame. */
    private static boolean inNativeRead(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.isNativeMethod() && e.getMethodName().startsWith("read")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Many writes in flight at close: each completes in full (the kernel had started it) or fails
     * with AsynchronousCloseException (it had not), none otherwise, and close waits for the
     * running ones only.
     */
    @Test
    void writesPendingAtCloseCompleteOrFailWithAsynchronousCloseException() throws Exception {
        AsyncFile f = files.open(dir.resolve("f"), CREATE, READ, WRITE);
        byte[] chunk = new byte[64 * 1024];
        List<CompletableFuture<Integer>> writes = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            writes.add(f.writeAsync(chunk, 0, chunk.length, (long) i * chunk.length));
        }
        f.close();
        for (CompletableFuture<Integer> w : writes) {
            try {
                assertEquals(chunk.length, w.get(FsTestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                assertInstanceOf(AsynchronousCloseException.class, e.getCause());
            }
        }
    }

    @Test
    void anOpAfterCloseFailsWithClosedChannelExceptionNotAsynchronousClose() throws Exception {
        AsyncFile f = files.open(dir.resolve("g"), CREATE, READ, WRITE);
        f.close();
        failure(java.nio.channels.ClosedChannelException.class, f.readAsync(new byte[1], 0, 1, 0));
    }
}
