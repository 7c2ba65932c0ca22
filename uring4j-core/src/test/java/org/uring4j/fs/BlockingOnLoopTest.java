package org.uring4j.fs;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.fs.FsTestSupport.assumeIoUring;
import static org.uring4j.fs.FsTestSupport.await;
import static org.uring4j.fs.FsTestSupport.mkfifo;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.runtime.BlockingOperationException;
import org.uring4j.runtime.LoopOptions;

/**
 * A blocking call made on an event loop's own thread (from a callback chained onto one of its
 * futures) fails with BlockingOperationException instead of hanging the loop for good (issue 10,
 * item 8), and the loop goes on serving.
 */
class BlockingOnLoopTest {
    @TempDir
    Path dir;

    @Test
    void aBlockingReadInALoopCallbackFailsAndTheLoopGoesOn() throws Exception {
        Path fifoPath = dir.resolve("fifo");
        mkfifo(fifoPath);
        try (UringFiles files = UringFiles.open(1, new LoopOptions())) {
            assumeIoUring(files, "event loops");
            try (AsyncFile fifo = files.open(fifoPath, READ, WRITE)) {
                byte[] b = new byte[8];
                // Completed on the loop thread, so the stage below surely runs there (a stage added to
                // an already completed future would run on this thread instead).
                CompletableFuture<Void> onLoop = new CompletableFuture<>();
                CompletableFuture<Integer> chained = onLoop
                        .thenApply(v -> {
                            try {
                                return fifo.read(b, 0, b.length, 0); // on the loop thread: would wait for itself
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                fifo.loop().call(ring -> onLoop.complete(null));
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> chained.get(FsTestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
                BlockingOperationException boe = assertInstanceOf(BlockingOperationException.class, e.getCause());
                assertTrue(boe.getMessage().contains("uring4j-loop"), boe.getMessage());
                // The loop is not stuck: the same file still works from a thread that may block.
                assertEquals(2, fifo.write(new byte[] {1, 2}, 0, 2, 0));
                assertEquals(2, await(fifo.readAsync(b, 0, b.length, 0)));
            }
        }
    }
}
