package org.uring4j.nio;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.fs.UringFiles;
import org.uring4j.runtime.LoopOptions;

/**
 * Future.cancel(true) of a pending read returns promptly and closes the channel, and the channel's
 * other pending reads fail with AsynchronousCloseException (issue 10, items 6 and 7). The reads are
 * of an empty FIFO, so they never complete on their own. (The JDK's channel has no counterpart: its
 * positional read of a FIFO fails at once with ESPIPE.)
 */
class CancelWhilePendingTest {
    static UringFiles files;

    @TempDir
    Path dir;

    @BeforeAll
    static void openFiles() throws Exception {
        files = UringFiles.open(1, new LoopOptions());
    }



    @AfterAll
    static void closeFiles() throws Exception {
        files.close();
    }

    @Test
    void cancelTrueOfAPendingFifoReadReturnsAndClosesTheChannel() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mk.waitFor(30, TimeUnit.SECONDS) && mk.exitValue() == 0);
        AsynchronousFileChannel ch = UringFileChannel.open(files, fifo, Set.of(READ, WRITE), null); // O_RDWR: opens without a writer
        Future<Integer> first = ch.read(ByteBuffer.allocate(8), 0);
        Future<Integer> second = ch.read(ByteBuffer.allocate(8), 0);
        // On another thread, bounded: a cancel that waited for the read would never return.
        CompletableFuture<Boolean> cancelled = CompletableFuture.supplyAsync(() -> first.cancel(true));
        assertTrue(cancelled.get(ChannelTestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(first.isCancelled());
        assertThrows(CancellationException.class, first::get);
        assertFalse(ch.isOpen());
        ExecutionException e = assertThrows(ExecutionException.class, () -> second.get(ChannelTestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(AsynchronousCloseException.class, e.getCause());
        ch.close();
    }
}
