package org.uring4j.fs;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.fs.FsTestSupport.mkfifo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.runtime.LoopOptions;

/**
 * readFully and writeFully of a FIFO, interrupted again and again: each InterruptedIOException's
 * {@code bytesTransferred} says how much moved, so a caller that goes on from there loses and
 * repeats nothing (it said 0, and a FIFO has no position to go back to).
 */
class InterruptedFullTransferTest {
    @TempDir
    Path dir;

    /** One side of the transfer: moves {@code data[off..off+n)} with readFully or writeFully. */
    private interface Chunk {
        void move(byte[] data, int off, int n) throws IOException;
    }

    /** Runs {@code side} over all of {@code data} in chunks on a platform thread that is interrupted until it is done. */
    private static void underInterrupts(byte[] data, Chunk side) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                for (int off = 0; off < data.length; ) {
                    int n = Math.min(150_000, data.length - off);
                    try {
                        side.move(data, off, n);
                        off += n;
                    } catch (InterruptedIOException e) {
                        Thread.interrupted();
                        off += e.bytesTransferred;
                    }
                }
            } catch (IOException | RuntimeException e) {
                failure.set(e);
            } finally {
                done.set(true);
            }
        });
        Random r = new Random(4);
        long deadline = System.nanoTime() + 20_000_000_000L; // then the transfer goes on uninterrupted
        while (!done.get() && System.nanoTime() < deadline) {
            t.interrupt();
            Thread.sleep(0, r.nextInt(300_000));
        }
        t.join();
        assertTrue(failure.get() == null, () -> "failed: " + failure.get());
    }

    @Test
    void writeFullyResumedFromBytesTransferredDeliversEveryByteOnce() throws Exception {
        Path fifo = dir.resolve("fifo");
        mkfifo(fifo);
        byte[] data = new byte[2_000_000];
        new Random(1).nextBytes(data);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().start(() -> { // until end of stream: more than sent shows as such
            try (FileChannel in = FileChannel.open(fifo, READ)) {
                ByteBuffer b = ByteBuffer.allocate(8192);
                for (int n; (n = in.read(b.clear())) >= 0; ) {
                    got.write(b.array(), 0, n);
                }
            } catch (IOException e) {
                // the assertion below reports the shortfall
            }
        });
        try (UringFiles files = UringFiles.open(1, new LoopOptions())) {
            try (AsyncFile out = files.open(fifo, WRITE)) { // meets the reader's open
                underInterrupts(data, (d, off, n) -> out.writeFully(Arrays.copyOfRange(d, off, off + n), 0));
            }
        }
        reader.join(FsTestSupport.WAIT_SECONDS * 1000);
        assertArrayEquals(data, got.toByteArray());
    }

    @Test
    void readFullyResumedFromBytesTransferredLosesNothing() throws Exception {
        Path fifo = dir.resolve("fifo");
        mkfifo(fifo);
        byte[] data = new byte[2_000_000];
        new Random(2).nextBytes(data);
        byte[] got = new byte[data.length];
        Thread writer = Thread.ofPlatform().start(() -> { // then closes: a reader wanting more meets end of file
            try (FileChannel out = FileChannel.open(fifo, WRITE)) {
                for (int off = 0; off < data.length; off += 4096) {
                    out.write(ByteBuffer.wrap(data, off, Math.min(4096, data.length - off)));
                }
            } catch (IOException e) {
                // the assertion below reports the shortfall
            }
        });
        try (UringFiles files = UringFiles.open(1, new LoopOptions());
             AsyncFile in = files.open(fifo, READ)) {
            underInterrupts(got, (d, off, n) -> {
                byte[] part = new byte[n];
                try {
                    in.readFully(part, 0);
                } finally {
                    System.arraycopy(part, 0, d, off, n); // what arrived before an interrupt is in part
                }
            });
        }
        writer.join(FsTestSupport.WAIT_SECONDS * 1000);
        assertArrayEquals(data, got);
    }
}
