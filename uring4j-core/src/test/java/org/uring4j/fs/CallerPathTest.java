package org.uring4j.fs;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.uring4j.fs.FsTestSupport.pattern;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.UringException;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.LoopOptions;

/**
 * The caller's path: a read the page cache can serve, and a buffered write, are made on the
 * calling thread (preadv2/pwritev2 with RWF_NOWAIT, or pwrite as FileChannel makes it); only what
 * would wait goes through the ring. {@link EventLoop#operationsSubmitted()} tells which path ran.
 */
class CallerPathTest {
    private static final int POSIX_FADV_DONTNEED = 4;

    @TempDir
    Path dir;
    private UringFiles files;
    private EventLoop loop;

    @BeforeEach
    void open() throws Exception {
        files = UringFiles.open(1, new LoopOptions());
        FsTestSupport.assumeIoUring(files, "the caller's path is the io_uring backend's");
        loop = files.runtime().loop(0);
    }

    @AfterEach
    void close() throws Exception {
        files.close();
    }

    private Path file(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    /** Runs {@code body} on a new virtual thread (or platform thread) and returns its result. */
    /** Who makes a blocking call: a platform thread, a virtual thread, or one whose carrier may not wait. */
    private enum Caller {
        PLATFORM, VIRTUAL, VIRTUAL_CARRIERS_BUSY;

        /** Whether a call that must wait parks on the ring (none of the carriers may wait, as with a single carrier). */
        boolean waitsOnTheRing() {
            return this == VIRTUAL_CARRIERS_BUSY || (this == VIRTUAL && CarrierWaits.limit() == 0);
        }

        <T> T call(Callable<T> body) throws Exception {
            if (this != VIRTUAL_CARRIERS_BUSY) {
                return on(this == VIRTUAL, body);
            }
            int held = 0;
            while (CarrierWaits.tryAcquire()) {
                held++;
            }
            try {
                return on(true, body);
            } finally {
                for (; held > 0; held--) {
                    CarrierWaits.release();
                }
            }
        }
    }

    private static <T> T on(boolean virtual, Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable r = () -> {
            try {
                result.set(body.call());
            } catch (Throwable t) {
                failure.set(t);
            }
        };
        Thread t = virtual ? Thread.ofVirtual().start(r) : Thread.ofPlatform().start(r);
        t.join();
        if (failure.get() instanceof Exception e) {
            throw e;
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
        return result.get();
    }

    private boolean onTmpfs() throws IOException {
        return Files.getFileStore(dir).type().equals("tmpfs");
    }

    @Test
    void cachedReadsAreServedOnTheCallersThread() throws Exception {
        byte[] data = pattern(3 * 4096 + 100, 1);
        Path p = file("cached", data);
        try (AsyncFile f = files.open(p, READ); Arena arena = Arena.ofShared()) {
            f.read(new byte[1], 0, 1, 0); // the first transfer learns the file's kind
            long before = loop.operationsSubmitted();
            for (boolean virtual : new boolean[] {true, false}) {
                MemorySegment native4k = arena.allocate(4096);
                assertEquals(4096, (int) on(virtual, () -> f.read(native4k, 4096)));
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 4096, 8192), native4k.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                byte[] heap = new byte[200];
                assertEquals(100, (int) on(virtual, () -> f.read(heap, 0, 200, 3 * 4096)), "short read at the end");
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 3 * 4096, data.length), java.util.Arrays.copyOf(heap, 100));
                ByteBuffer direct = ByteBuffer.allocateDirect(10);
                assertEquals(-1, (int) on(virtual, () -> f.read(direct, data.length)), "end of file");
                assertEquals(0, direct.position());
                assertEquals(10, (int) f.readAsync(direct, 0).join(), "async forms take the same path");
                assertEquals(10, direct.position());
            }
            assertEquals(before, loop.operationsSubmitted(), "no read went through the ring");
        }
    }

    @Test
    void aCacheMissWaitsOnTheCarrierWhileOneMayElseParksOnTheRing() throws Exception {
        assumeFalse(onTmpfs(), "tmpfs has no page cache to miss");
        byte[] data = pattern(64 * 1024, 2);
        Path p = file("miss", data);
        try (AsyncFile f = files.open(p, READ, WRITE); Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(4096);
            f.read(buf, 0);
            // A virtual thread parks on the ring when the carriers allowed to wait are all waiting
            // (held here), and makes the read on its carrier when one may; a platform thread
            // always reads itself.
            for (Caller caller : Caller.values()) {
                // Drop the clean pages so that the next read misses. The kernel may keep a page
                // (one under writeback, or read back by a neighbour's readahead): try a few times,
                // and skip rather than fail if the page cache will not let go.
                long expected = caller.waitsOnTheRing() ? 1 : 0;
                long viaRing = -1;
                for (int attempt = 0; attempt < 5 && viaRing != expected; attempt++) {
                    f.sync();
                    f.advise(0, 0, POSIX_FADV_DONTNEED);
                    long before = loop.operationsSubmitted();
                    assertEquals(4096, (int) caller.call(() -> f.read(buf, 8192)));
                    assertArrayEquals(java.util.Arrays.copyOfRange(data, 8192, 12288),
                            buf.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                    viaRing = loop.operationsSubmitted() - before;
                }
                if (caller.waitsOnTheRing()) {
                    assumeTrue(viaRing == 1, "the page cache kept the page through POSIX_FADV_DONTNEED");
                }
                assertEquals(expected, viaRing, caller + ": RWF_NOWAIT said EAGAIN");
            }
        }
    }

    @Test
    void aRangeThePageCacheHoldsOnlyInPartIsStillReadWhole() throws Exception {
        assumeFalse(onTmpfs(), "tmpfs has no page cache to miss");
        byte[] data = pattern(256 * 1024, 9);
        Path p = file("partly", data);
        try (AsyncFile f = files.open(p, READ, WRITE); Arena arena = Arena.ofShared()) {
            MemorySegment all = arena.allocate(data.length);
            for (boolean virtual : new boolean[] {true, false}) {
                f.sync();
                f.advise(0, 0, POSIX_FADV_DONTNEED);
                f.advise(0, 0, 1); // POSIX_FADV_RANDOM: no readahead, so only what is read below is cached
                f.read(arena.allocate(4096), 0); // the first page cached, the rest not
                int n = on(virtual, () -> f.read(all, 0));
                assertEquals(data.length, n, "a regular file's read is short only at its end");
                assertArrayEquals(data, all.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                assertEquals(data.length, (int) f.readAsync(all, 0).join());
            }
        }
    }

    @Test
    void buffferedWritesAreMadeOnTheCallersThread() throws Exception {
        Path p = file("w", new byte[0]);
        byte[] data = pattern(8192, 3);
        try (AsyncFile f = files.open(p, READ, WRITE)) {
            f.write(new byte[1], 0, 1, 0);
            long before = loop.operationsSubmitted();
            assertEquals(4096, (int) on(true, () -> f.write(data, 0, 4096, 0)));
            assertEquals(4096, (int) on(false, () -> f.write(ByteBuffer.wrap(data, 4096, 4096), 4096)));
            assertEquals(before, loop.operationsSubmitted());
            byte[] big = pattern(200_000, 4); // heap memory beyond the inline bounce buffers: the ring
            f.writeFully(big, 8192);
            byte[] back = new byte[big.length];
            f.readFully(back, 8192);
            assertArrayEquals(big, back);
        }
        byte[] all = Files.readAllBytes(p);
        assertArrayEquals(data, java.util.Arrays.copyOf(all, 8192));
    }

    @Test
    void fileSystemsWithoutNowaitGoToTheRing() throws Exception {
        Path version = Path.of("/proc/version");
        assumeTrue(Files.isReadable(version), "no /proc/version");
        byte[] expected = Files.readAllBytes(version);
        try (AsyncFile f = files.open(version, READ)) {
            for (Caller caller : new Caller[] {Caller.VIRTUAL_CARRIERS_BUSY, Caller.PLATFORM, Caller.VIRTUAL,
                    Caller.VIRTUAL_CARRIERS_BUSY}) {
                byte[] got = new byte[4096];
                long before = loop.operationsSubmitted();
                int n = caller.call(() -> f.read(got, 0, got.length, 0));
                assertEquals(expected.length, n);
                assertArrayEquals(expected, java.util.Arrays.copyOf(got, n));
                // procfs answers RWF_NOWAIT with EOPNOTSUPP: a virtual thread parks on the ring
                // unless its carrier may wait; a platform thread reads itself.
                assertEquals(caller.waitsOnTheRing() ? 1 : 0, loop.operationsSubmitted() - before,
                        caller.toString());
            }
        }
    }

    @Test
    void anInterruptedThreadStillGetsItsCachedData() throws Exception {
        byte[] data = pattern(4096, 5);
        Path p = file("interrupted", data);
        try (AsyncFile f = files.open(p, READ)) {
            boolean stillInterrupted = on(true, () -> {
                Thread.currentThread().interrupt();
                byte[] got = new byte[4096];
                assertEquals(4096, f.read(got, 0, 4096, 0));
                assertArrayEquals(data, got);
                return Thread.currentThread().isInterrupted();
            });
            assertTrue(stillInterrupted, "the interrupt is left for the caller");
            assertTrue(f.read(new byte[1], 0, 1, 0) == 1, "the file stays open");
        }
    }

    @Test
    void directReadsOfAVirtualThreadWaitOnItsCarrierWhileOneMayElseParkOnTheRing() throws Exception {
        assumeFalse(onTmpfs(), "tmpfs refuses O_DIRECT at open");
        byte[] data = pattern(8192, 7);
        Path p = file("direct-carrier", data);
        try (AsyncFile f = files.open(p, READ, UringOpenOption.DIRECT); Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(4096, 4096);
            for (Caller caller : new Caller[] {Caller.VIRTUAL, Caller.VIRTUAL_CARRIERS_BUSY, Caller.PLATFORM}) {
                long before = loop.operationsSubmitted();
                assertEquals(4096, (int) caller.call(() -> f.read(buf, 4096)));
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 4096, 8192),
                        buf.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                assertEquals(caller.waitsOnTheRing() ? 1 : 0, loop.operationsSubmitted() - before,
                        caller.toString());
            }
            // An interrupt does not stop a read made on the carrier: the data comes back, the
            // interrupt stays set, the file stays open (as for a read served from the cache).
            assumeTrue(CarrierWaits.limit() > 0, "a single carrier never waits: the read goes to the ring");
            boolean stillInterrupted = Caller.VIRTUAL.call(() -> {
                Thread.currentThread().interrupt();
                assertEquals(4096, f.read(buf, 0));
                return Thread.currentThread().isInterrupted();
            });
            assertTrue(stillInterrupted, "the interrupt is left for the caller");
            assertArrayEquals(java.util.Arrays.copyOf(data, 4096), buf.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void misalignedDirectIoFailsWithEinvalOnEveryPath() throws Exception {
        assumeFalse(onTmpfs(), "tmpfs refuses O_DIRECT at open");
        Path p = file("direct", pattern(8192, 6));
        try (AsyncFile f = files.open(p, READ, UringOpenOption.DIRECT); Arena arena = Arena.ofShared()) {
            MemorySegment aligned = arena.allocate(4096, 4096);
            for (Caller caller : Caller.values()) {
                assertEquals(4096, (int) caller.call(() -> f.read(aligned, 4096)));
                // Automatic-arena memory, which the kernel uses in place on every path (a shared
                // arena's goes through aligned loop memory on the ring, which O_DIRECT accepts).
                MemorySegment odd = Arena.ofAuto().allocate(4096 + 1, 4096).asSlice(1, 4096);
                UringException e = assertThrows(UringException.class, () -> caller.call(() -> f.read(odd, 0)));
                assertEquals("EINVAL", e.errnoName());
                assertEquals("READ", e.operation());
            }
        }
    }

    @Test
    void aCachedOpensNonblockNeverShowsThroughFdOrTheRing() throws Exception {
        Path p = file("nonblock", pattern(100, 8));
        try (AsyncFile f = files.open(p, READ)) {
            assertEquals(100, f.read(new byte[100], 0, 100, 0));
            assertEquals(0, FsTestSupport.openFlags(f) & org.uring4j.ring.Uapi.O_NONBLOCK, "fd() restores the opener's flags");
        }
        Path fifo = dir.resolve("fifo");
        FsTestSupport.mkfifo(fifo);
        try (AsyncFile reader = files.open(fifo, READ)) { // cached open: O_NONBLOCK lets it not wait for a writer
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(20);
                    Files.write(fifo, new byte[] {1, 2, 3});
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] got = new byte[3];
            // Through the ring, which would answer EAGAIN at once for an O_NONBLOCK FIFO.
            assertEquals(3, (int) on(true, () -> reader.read(got, 0, 3, 0)));
            writer.join();
        }
    }

    @Test
    void inlineReadsOfAClosedFileFailLikeTheRingsOnes() throws Exception {
        Path p = file("closed", pattern(100, 7));
        AsyncFile f = files.open(p, READ);
        f.close();
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> f.read(new byte[10], 0, 10, 0));
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> f.write(new byte[10], 0, 10, 0));
    }

    @Test
    void tmpfsStyleSmallTransfersAndBigOnesAgree() throws Exception {
        byte[] data = pattern(2 * 1024 * 1024 + 17, 8);
        Path p = file("big", data);
        try (AsyncFile f = files.open(p, READ); Arena arena = Arena.ofShared()) {
            MemorySegment all = arena.allocate(data.length);
            for (boolean virtual : new boolean[] {true, false}) {
                on(virtual, () -> {
                    f.readFully(all, 0);
                    return null;
                });
                assertArrayEquals(data, all.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
            byte[] heap = new byte[data.length];
            f.readFully(heap, 0);
            assertArrayEquals(data, heap);
        }
    }
}
