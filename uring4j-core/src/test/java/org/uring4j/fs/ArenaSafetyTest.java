package org.uring4j.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.fs.FsTestSupport.await;
import static org.uring4j.fs.FsTestSupport.mkfifo;
import static org.uring4j.fs.FsTestSupport.pattern;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.runtime.LoopOptions;

/**
 * Arena memory under pending operations (issue 10, items 3 and 16): closing a shared arena under a
 * pending read never lets the kernel write freed memory; a confined arena's memory is refused by
 * async calls and taken by blocking ones; blocking vectored calls take heap and confined buffers
 * as FileChannel does.
 */
class ArenaSafetyTest {
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

    /**
     * The JDK's FileChannel holds the arena open while it reads (its close fails). Here the close
     * may succeed — the read goes through loop memory — and the read then fails with
     * IllegalStateException instead of writing into the freed block; memory allocated after the
     * close (which malloc may hand the same block) stays untouched. Either way, no use after free.
     */
    @Test
    void closingASharedArenaUnderAPendingReadNeverFreesMemoryTheKernelWrites() throws Exception {
        Path fifoPath = dir.resolve("fifo");
        mkfifo(fifoPath);
        try (AsyncFile fifo = files.open(fifoPath, READ, WRITE)) {
            Arena shared = Arena.ofShared();
            MemorySegment target = shared.allocate(4096);
            CompletableFuture<Integer> read = fifo.readAsync(target, 0);
            if (FsTestSupport.onIoUring(files)) {
                await(fifo.loop().submit(new org.uring4j.runtime.NopOperation())); // the read is in the kernel
            }
            boolean closed;
            try {
                shared.close();
                closed = true;
            } catch (IllegalStateException e) {
                closed = false; // held open while in use, as the JDK does
            }
            try (Arena later = Arena.ofShared()) {
                MemorySegment canary = later.allocate(4096);
                canary.fill((byte) 0);
                byte[] hello = "hello".getBytes();
                try (FileChannel writer = FileChannel.open(fifoPath, WRITE)) {
                    writer.write(ByteBuffer.wrap(hello));
                }
                if (closed) {
                    ExecutionException e = assertThrows(ExecutionException.class, () -> read.get(FsTestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
                    assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
                } else {
                    assertEquals(hello.length, await(read));
                    shared.close();
                }
                assertEquals(-1L, canary.mismatch(later.allocate(4096)), "memory allocated after the close was written");
            }
        }
    }

    @Test
    void aConfinedArenaIsRefusedByAsyncCallsAndTakenByBlockingOnes() throws Exception {
        Path p = dir.resolve("f");
        Files.write(p, pattern(64, 1));
        try (AsyncFile f = files.open(p, READ, WRITE); Arena confined = Arena.ofConfined()) {
            MemorySegment seg = confined.allocate(64);
            assertThrows(IllegalStateException.class, () -> f.readAsync(seg, 0));
            assertThrows(IllegalStateException.class, () -> f.writeAsync(seg.asByteBuffer(), 0));
            assertThrows(IllegalStateException.class, () -> f.readAsync(new ByteBuffer[] {seg.asByteBuffer()}, 0));
            assertEquals(64, f.read(seg, 0));
            assertArrayEquals(pattern(64, 1), seg.toArray(JAVA_BYTE));
            assertEquals(64, f.write(seg.asByteBuffer(), 64));
        }
        byte[] both = new byte[128];
        System.arraycopy(pattern(64, 1), 0, both, 0, 64);
        System.arraycopy(pattern(64, 1), 0, both, 64, 64);
        assertArrayEquals(both, Files.readAllBytes(p));
    }

    /** A blocking vectored read and write over heap and confined buffers, side by side with FileChannel. */
    @Test
    void blockingVectoredCallsTakeHeapAndConfinedBuffersAsFileChannelDoes() throws Exception {
        Path p = dir.resolve("v");
        byte[] data = pattern(300, 2);
        Files.write(p, data);
        try (AsyncFile f = files.open(p, READ, WRITE, CREATE); FileChannel jdk = FileChannel.open(p, READ);
             Arena confined = Arena.ofConfined()) {
            ByteBuffer[] ours = {ByteBuffer.allocate(100), confined.allocate(100).asByteBuffer(), ByteBuffer.allocateDirect(150)};
            ByteBuffer[] theirs = {ByteBuffer.allocate(100), confined.allocate(100).asByteBuffer(), ByteBuffer.allocateDirect(150)};
            long n = f.read(ours, 0);
            assertEquals(jdk.read(theirs), n);
            for (int i = 0; i < ours.length; i++) {
                assertEquals(theirs[i].position(), ours[i].position(), "buffer " + i);
                assertEquals(theirs[i].flip(), ours[i].flip(), "buffer " + i);
            }
            ByteBuffer[] out = {ByteBuffer.wrap(pattern(10, 3)), confined.allocate(20).asByteBuffer()};
            assertEquals(30, f.write(out, 300));
            assertEquals(0, out[0].remaining() + out[1].remaining());
            assertEquals(330, Files.size(p));
        }
    }
}
