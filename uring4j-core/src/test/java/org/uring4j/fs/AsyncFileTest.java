package org.uring4j.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.uring4j.fs.FsTestSupport.await;
import static org.uring4j.fs.FsTestSupport.failure;
import static org.uring4j.fs.FsTestSupport.pattern;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.uring4j.UringException;
import org.uring4j.ring.KernelAssumptions;
import org.uring4j.ring.Opcode;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.sys.Syscalls;

/** Positional I/O, metadata and space operations of {@link AsyncFile} against the real kernel. */
class AsyncFileTest {
    private static final long GIB = 1L << 30;

    static UringFiles files;
    /** Without registered bounce buffers: heap I/O always takes the plain READ/WRITE path. */
    static UringFiles unregistered;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() throws Exception {
        files = UringFiles.open(2, new LoopOptions());
        unregistered = UringFiles.open(1, new LoopOptions().registeredBufferBytes(0));
    }

    @AfterAll
    static void close() throws Exception {
        files.close();
        unregistered.close();
    }

    private AsyncFile create(String name) throws IOException {
        return files.open(dir.resolve(name), CREATE, READ, WRITE);
    }

    /** Blocking or async form of one call, chosen by the test parameter. */
    @FunctionalInterface
    interface Blocking<T> {
        T call() throws IOException;
    }

    private static <T> T io(boolean async, Blocking<T> blocking, java.util.function.Supplier<CompletableFuture<T>> asyncForm)
            throws Exception {
        return async ? await(asyncForm.get()) : blocking.call();
    }

    // ------------------------------------------------------------------ each buffer kind

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void nativeSegmentWriteAndRead(boolean async) throws Exception {
        byte[] data = pattern(10_000, 1);
        try (AsyncFile f = create("seg"); Arena arena = Arena.ofShared()) {
            MemorySegment src = arena.allocateFrom(JAVA_BYTE, data);
            assertEquals(data.length, io(async, () -> f.write(src, 100), () -> f.writeAsync(src, 100)));
            // Read into the middle of a larger segment: the bytes around it stay untouched.
            MemorySegment big = arena.allocate(data.length + 64);
            big.fill((byte) 0x5a);
            MemorySegment dst = big.asSlice(32, data.length);
            assertEquals(data.length, io(async, () -> f.read(dst, 100), () -> f.readAsync(dst, 100)));
            assertArrayEquals(data, dst.toArray(JAVA_BYTE));
            assertEquals(0x5a, big.get(JAVA_BYTE, 31));
            assertEquals(0x5a, big.get(JAVA_BYTE, 32 + data.length));
        }
        byte[] onDisk = Files.readAllBytes(dir.resolve("seg"));
        assertEquals(100 + data.length, onDisk.length);
        assertArrayEquals(data, Arrays.copyOfRange(onDisk, 100, onDisk.length));
        assertArrayEquals(new byte[100], Arrays.copyOf(onDisk, 100)); // the hole before it reads as zeros
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void directByteBufferPositionsAdvance(boolean async) throws Exception {
        byte[] data = pattern(5000, 2);
        try (AsyncFile f = create("direct")) {
            ByteBuffer src = ByteBuffer.allocateDirect(data.length + 10);
            src.position(3).put(data).flip().position(3); // remaining: exactly data
            assertEquals(data.length, io(async, () -> f.write(src, 7), () -> f.writeAsync(src, 7)));
            assertEquals(src.limit(), src.position());
            assertFalse(src.hasRemaining());

            ByteBuffer dst = ByteBuffer.allocateDirect(data.length + 20);
            dst.position(5).limit(5 + data.length);
            assertEquals(data.length, io(async, () -> f.read(dst, 7), () -> f.readAsync(dst, 7)));
            assertEquals(5 + data.length, dst.position());
            byte[] back = new byte[data.length];
            dst.position(5);
            dst.get(back);
            assertArrayEquals(data, back);
        }
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void heapByteBufferPositionsAdvance(boolean async) throws Exception {
        byte[] data = pattern(3000, 3);
        try (AsyncFile f = create("heap")) {
            ByteBuffer src = ByteBuffer.allocate(data.length + 8);
            src.position(8).put(data, 0, data.length).position(8);
            assertEquals(data.length, io(async, () -> f.write(src, 0), () -> f.writeAsync(src, 0)));
            assertEquals(8 + data.length, src.position());

            ByteBuffer dst = ByteBuffer.allocate(data.length + 4);
            dst.position(4);
            assertEquals(data.length, io(async, () -> f.read(dst, 0), () -> f.readAsync(dst, 0)));
            assertEquals(4 + data.length, dst.position());
            assertArrayEquals(data, Arrays.copyOfRange(dst.array(), 4, 4 + data.length));
        }
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void heapSliceWithArrayOffset(boolean async) throws Exception {
        byte[] data = pattern(777, 4);
        try (AsyncFile f = create("slice")) {
            byte[] backing = new byte[data.length + 64];
            Arrays.fill(backing, (byte) 0x11);
            System.arraycopy(data, 0, backing, 16, data.length);
            ByteBuffer src = ByteBuffer.wrap(backing, 16, data.length).slice();
            assertEquals(16, src.arrayOffset());
            assertEquals(data.length, io(async, () -> f.write(src, 0), () -> f.writeAsync(src, 0)));
            assertEquals(data.length, src.position());
            assertArrayEquals(data, Files.readAllBytes(dir.resolve("slice")));

            byte[] into = new byte[data.length + 64];
            Arrays.fill(into, (byte) 0x22);
            ByteBuffer dst = ByteBuffer.wrap(into, 24, data.length).slice();
            assertEquals(24, dst.arrayOffset());
            assertEquals(data.length, io(async, () -> f.read(dst, 0), () -> f.readAsync(dst, 0)));
            assertEquals(data.length, dst.position());
            assertArrayEquals(data, Arrays.copyOfRange(into, 24, 24 + data.length));
            assertEquals(0x22, into[23]); // the backing array outside the slice is untouched
            assertEquals(0x22, into[24 + data.length]);
        }
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void readOnlyBuffersCanBeWrittenFromButNotReadInto(boolean async) throws Exception {
        byte[] data = pattern(1234, 5);
        try (AsyncFile f = create("ro")) {
            ByteBuffer heapRo = ByteBuffer.wrap(data).asReadOnlyBuffer();
            assertEquals(data.length, io(async, () -> f.write(heapRo, 0), () -> f.writeAsync(heapRo, 0)));
            assertEquals(data.length, heapRo.position());

            ByteBuffer directRo = ByteBuffer.allocateDirect(data.length).put(data).flip().asReadOnlyBuffer();
            assertEquals(data.length, io(async, () -> f.write(directRo, data.length), () -> f.writeAsync(directRo, data.length)));
            assertEquals(data.length, directRo.position());

            byte[] twice = Files.readAllBytes(dir.resolve("ro"));
            assertArrayEquals(data, Arrays.copyOf(twice, data.length));
            assertArrayEquals(data, Arrays.copyOfRange(twice, data.length, 2 * data.length));

            assertThrows(IllegalArgumentException.class, () -> f.readAsync(ByteBuffer.allocate(4).asReadOnlyBuffer(), 0));
            assertThrows(IllegalArgumentException.class,
                    () -> f.readAsync(new ByteBuffer[] {ByteBuffer.allocate(4), ByteBuffer.allocateDirect(4).asReadOnlyBuffer()}, 0));
        }
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void byteArrayWithOffsetAndLength(boolean async) throws Exception {
        byte[] data = pattern(4000, 6);
        try (AsyncFile f = create("array")) {
            byte[] src = new byte[data.length + 20];
            System.arraycopy(data, 0, src, 7, data.length);
            assertEquals(data.length, io(async, () -> f.write(src, 7, data.length, 50), () -> f.writeAsync(src, 7, data.length, 50)));

            byte[] dst = new byte[data.length + 30];
            Arrays.fill(dst, (byte) -1);
            assertEquals(data.length, io(async, () -> f.read(dst, 9, data.length, 50), () -> f.readAsync(dst, 9, data.length, 50)));
            assertArrayEquals(data, Arrays.copyOfRange(dst, 9, 9 + data.length));
            assertEquals(-1, dst[8]);
            assertEquals(-1, dst[9 + data.length]);

            assertThrows(IndexOutOfBoundsException.class, () -> f.readAsync(dst, 10, dst.length, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> f.writeAsync(src, -1, 2, 0));
            assertThrows(IllegalArgumentException.class, () -> f.readAsync(dst, 0, 1, -5));
        }
    }

    // ------------------------------------------------------------------ end of file

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void shortReadsAtEndOfFileThenMinusOne(boolean async) throws Exception {
        Path p = dir.resolve("ten");
        Files.write(p, "0123456789".getBytes(StandardCharsets.US_ASCII));
        try (AsyncFile f = files.open(p); Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(100);
            assertEquals(6, io(async, () -> f.read(seg, 4), () -> f.readAsync(seg, 4)));
            assertEquals("456789", new String(seg.asSlice(0, 6).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
            assertEquals(-1, io(async, () -> f.read(seg, 10), () -> f.readAsync(seg, 10)));
            assertEquals(-1, io(async, () -> f.read(seg, 1 << 20), () -> f.readAsync(seg, 1 << 20)));

            ByteBuffer direct = ByteBuffer.allocateDirect(100);
            assertEquals(3, io(async, () -> f.read(direct, 7), () -> f.readAsync(direct, 7)));
            assertEquals(3, direct.position());
            assertEquals(-1, io(async, () -> f.read(direct, 10), () -> f.readAsync(direct, 10)));
            assertEquals(3, direct.position(), "no bytes at EOF: position unchanged");

            ByteBuffer heap = ByteBuffer.allocate(100);
            assertEquals(1, io(async, () -> f.read(heap, 9), () -> f.readAsync(heap, 9)));
            assertEquals(1, heap.position());
            assertEquals(-1, io(async, () -> f.read(heap, 10), () -> f.readAsync(heap, 10)));
            assertEquals(1, heap.position());

            byte[] arr = new byte[100];
            assertEquals(10, io(async, () -> f.read(arr, 0, 100, 0), () -> f.readAsync(arr, 0, 100, 0)));
            assertEquals(-1, io(async, () -> f.read(arr, 0, 100, 11), () -> f.readAsync(arr, 0, 100, 11)));
            // A zero-length read is not end of file.
            assertEquals(0, io(async, () -> f.read(arr, 0, 0, 0), () -> f.readAsync(arr, 0, 0, 0)));
            assertEquals(0, io(async, () -> f.read(arr, 0, 0, 10), () -> f.readAsync(arr, 0, 0, 10)));
        }
    }

    @Test
    void readFullyAndWriteFully() throws Exception {
        byte[] data = pattern(3 << 20, 7); // several MiB: more than one kernel call may be needed
        try (AsyncFile f = create("fully"); Arena arena = Arena.ofShared()) {
            f.writeFully(arena.allocateFrom(JAVA_BYTE, data), 0);
            await(f.writeFullyAsync(MemorySegment.ofArray(data), data.length));
            assertEquals(2L * data.length, f.size());

            MemorySegment back = arena.allocate(data.length);
            f.readFully(back, data.length);
            assertArrayEquals(data, back.toArray(JAVA_BYTE));
            byte[] heap = new byte[data.length];
            await(f.readFullyAsync(MemorySegment.ofArray(heap), 0));
            assertArrayEquals(data, heap);
            byte[] small = new byte[1000];
            f.readFully(small, 5);
            assertArrayEquals(Arrays.copyOfRange(data, 5, 1005), small);
            f.readFully(new byte[0], 1L << 40); // nothing to read: no I/O, no EOF
        }
    }

    @Test
    void readFullyPastEndIsEofException() throws Exception {
        Path p = dir.resolve("short");
        Files.write(p, pattern(100, 8));
        try (AsyncFile f = files.open(p)) {
            EOFException e = assertThrows(EOFException.class, () -> f.readFully(new byte[10], 95));
            assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
            assertThrows(EOFException.class, () -> f.readFully(new byte[1], 100));
            failure(EOFException.class, f.readFullyAsync(MemorySegment.ofArray(new byte[200]), 0));
            try (Arena arena = Arena.ofShared()) {
                failure(EOFException.class, f.readFullyAsync(arena.allocate(101), 0));
            }
        }
    }

    @Test
    void readFullyAndWriteFullyBeyondTwoGiBInOneCall() throws Exception {
        // One call may move at most 2 GiB; readFully/writeFully must split larger segments. The
        // memory is an untouched MAP_NORESERVE mapping, and the I/O goes to /dev/null or stops at
        // a 10-byte EOF, so nothing of the 2 GiB is ever committed.
        long len = (2L << 30) + 4096;
        long addr = Syscalls.mmap(len, Uapi.PROT_READ | Uapi.PROT_WRITE, Uapi.MAP_PRIVATE | Uapi.MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        assertTrue(addr > 0, "mmap: " + addr);
        try {
            MemorySegment huge = MemorySegment.ofAddress(addr).reinterpret(len);
            try (AsyncFile devNull = files.open(Path.of("/dev/null"), WRITE)) {
                devNull.writeFully(huge, 0);
            }
            Path p = dir.resolve("ten");
            byte[] data = pattern(10, 22);
            Files.write(p, data);
            try (AsyncFile f = files.open(p)) {
                assertThrows(EOFException.class, () -> f.readFully(huge, 0));
                assertArrayEquals(data, huge.asSlice(0, 10).toArray(JAVA_BYTE));
            }
        } finally {
            Syscalls.munmap(addr, len);
        }
    }

    private static final int MAP_NORESERVE = 0x4000;

    @Test
    void readIntoAReadOnlySegmentIsRefused() throws Exception {
        Path p = dir.resolve("src");
        Files.write(p, pattern(16, 23));
        try (AsyncFile f = files.open(p); Arena arena = Arena.ofShared()) {
            MemorySegment nativeRo = arena.allocate(16).asReadOnly();
            MemorySegment heapRo = MemorySegment.ofArray(new byte[16]).asReadOnly();
            for (MemorySegment ro : List.of(nativeRo, heapRo)) {
                // As FileChannel refuses a read-only ByteBuffer: refused at once, or the future fails.
                try {
                    Integer n = await(f.readAsync(ro, 0));
                    org.junit.jupiter.api.Assertions.fail("read into a read-only " + (ro.isNative() ? "native" : "heap")
                            + " segment returned " + n);
                } catch (IllegalArgumentException | UnsupportedOperationException expected) {
                    // right
                }
                assertArrayEquals(new byte[16], ro.toArray(JAVA_BYTE), "the read-only memory was written");
            }
            // Writing from read-only memory is fine.
            try (AsyncFile w = files.open(dir.resolve("dst"), CREATE, WRITE)) {
                assertEquals(16, w.write(nativeRo, 0));
            }
        }
    }

    // ------------------------------------------------------------------ vectored

    @Test
    void vectoredWithDirectBuffers() throws Exception {
        byte[] a = pattern(10, 9);
        byte[] b = pattern(70_000, 10);
        byte[] c = pattern(333, 11);
        try (AsyncFile f = create("vdirect")) {
            ByteBuffer[] srcs = {direct(a), ByteBuffer.allocateDirect(0), direct(b), direct(c)};
            assertEquals(a.length + b.length + c.length, f.write(srcs, 4));
            for (ByteBuffer s : srcs) {
                assertFalse(s.hasRemaining());
            }
            byte[] disk = Files.readAllBytes(dir.resolve("vdirect"));
            assertArrayEquals(concat(new byte[4], a, b, c), disk);

            ByteBuffer[] dsts = {ByteBuffer.allocateDirect(a.length), ByteBuffer.allocateDirect(b.length),
                ByteBuffer.allocateDirect(c.length + 50)};
            assertEquals(a.length + b.length + c.length, (long) await(f.readAsync(dsts, 4)));
            assertEquals(a.length, dsts[0].position());
            assertEquals(b.length, dsts[1].position());
            assertEquals(c.length, dsts[2].position(), "short vectored read: the last buffer filled partly");
            assertArrayEquals(a, bytes(dsts[0]));
            assertArrayEquals(b, bytes(dsts[1]));
            assertArrayEquals(c, bytes(dsts[2]));

            ByteBuffer[] atEof = {ByteBuffer.allocateDirect(8), ByteBuffer.allocateDirect(8)};
            assertEquals(-1L, f.read(atEof, disk.length));
            assertEquals(0, atEof[0].position());
        }
    }

    @Test
    void vectoredWithHeapBuffersBounce() throws Exception {
        byte[] a = pattern(1000, 12);
        byte[] b = pattern(100_000, 13);
        try (AsyncFile f = create("vheap")) {
            ByteBuffer sliced = ByteBuffer.wrap(concat(new byte[3], a, new byte[3]), 3, a.length).slice();
            ByteBuffer[] srcs = {sliced, ByteBuffer.wrap(b).asReadOnlyBuffer(), direct(a)}; // mixed: heap path
            assertEquals(2L * a.length + b.length, (long) await(f.writeAsync(srcs, 0)));
            for (ByteBuffer s : srcs) {
                assertFalse(s.hasRemaining());
            }
            assertArrayEquals(concat(a, b, a), Files.readAllBytes(dir.resolve("vheap")));

            ByteBuffer[] dsts = {ByteBuffer.allocate(a.length), ByteBuffer.allocate(b.length + 10)};
            dsts[1].position(10);
            assertEquals((long) a.length + b.length, f.read(dsts, 0));
            assertEquals(a.length, dsts[0].position());
            assertEquals(b.length + 10, dsts[1].position());
            assertArrayEquals(a, dsts[0].array());
            assertArrayEquals(b, Arrays.copyOfRange(dsts[1].array(), 10, 10 + b.length));

            // Short read spread over heap buffers: first full, second partly.
            ByteBuffer[] tail = {ByteBuffer.allocate(500), ByteBuffer.allocate(2000)};
            long at = a.length + b.length; // a.length bytes left
            assertEquals(a.length, f.read(tail, at));
            assertEquals(500, tail[0].position());
            assertEquals(a.length - 500, tail[1].position());
            assertArrayEquals(Arrays.copyOf(a, 500), tail[0].array());
            assertArrayEquals(Arrays.copyOfRange(a, 500, a.length), Arrays.copyOf(tail[1].array(), a.length - 500));
            assertEquals(-1L, f.read(new ByteBuffer[] {ByteBuffer.allocate(4)}, at + a.length));
        }
    }

    private static ByteBuffer direct(byte[] b) {
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }

    private static byte[] bytes(ByteBuffer filled) {
        ByteBuffer d = filled.duplicate().flip();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    // ------------------------------------------------------------------ large offsets

    @Test
    void offsetsBeyondFourGiB() throws Exception {
        long at = 5 * GIB;
        byte[] data = pattern(1 << 20, 14);
        try (AsyncFile f = create("large"); Arena arena = Arena.ofShared()) {
            f.writeFully(arena.allocateFrom(JAVA_BYTE, data), at);
            assertEquals(at + data.length, f.size());
            assertEquals(at + data.length, Files.size(dir.resolve("large")));
            assertEquals(at + data.length, f.stat().size());

            MemorySegment back = arena.allocate(data.length);
            f.readFully(back, at);
            assertArrayEquals(data, back.toArray(JAVA_BYTE));
            // Heap path at the same offset, and a few bytes straddling the end.
            byte[] heap = new byte[4096];
            assertEquals(4096, f.read(heap, 0, heap.length, at + 12345));
            assertArrayEquals(Arrays.copyOfRange(data, 12345, 12345 + 4096), heap);
            assertEquals(10, f.read(ByteBuffer.allocate(100), at + data.length - 10));
            // Before it, a hole of zeros (4 GiB + 1: past what 32 bits can address).
            byte[] hole = new byte[64];
            Arrays.fill(hole, (byte) 1);
            assertEquals(64, f.read(hole, 0, 64, 4 * GIB + 1));
            assertArrayEquals(new byte[64], hole);
            // The same through an independent reader.
            try (var ch = java.nio.channels.FileChannel.open(dir.resolve("large"))) {
                ByteBuffer check = ByteBuffer.allocate(100);
                ch.read(check, at + 1000);
                assertArrayEquals(Arrays.copyOfRange(data, 1000, 1100), check.array());
            }
        }
    }

    // ------------------------------------------------------------------ sync and space

    @Test
    void syncAndDataSync() throws Exception {
        try (AsyncFile f = create("sync")) {
            f.writeFully(pattern(8192, 15), 0);
            f.sync();
            f.dataSync();
            await(f.syncAsync());
            await(f.dataSyncAsync());
            assertEquals(8192, f.size());
        }
    }

    @Test
    void allocateExtendsKeepsSizeAndPunchesHoles() throws Exception {
        try (AsyncFile f = create("alloc")) {
            f.allocate(0, 1 << 20, 0);
            assertEquals(1 << 20, f.size());
            if (!FsTestSupport.onIoUring(files)) {
                // The portable backend only extends (sparsely): KEEP_SIZE is a hint it ignores, the other modes it refuses.
                f.allocate(1 << 20, 1 << 20, Uapi.FALLOC_FL_KEEP_SIZE);
                assertEquals(1 << 20, f.size(), "KEEP_SIZE leaves the size");
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                        () -> f.allocate(4096, 8192, Uapi.FALLOC_FL_PUNCH_HOLE | Uapi.FALLOC_FL_KEEP_SIZE));
                assertTrue(e.getMessage().contains("0x3") && e.getMessage().contains(f.path()), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> f.allocateAsync(0, 0, 0));
                assertThrows(IllegalArgumentException.class, () -> f.allocateAsync(-1, 10, 0));
                assertArrayEquals(new byte[1 << 20], Files.readAllBytes(dir.resolve("alloc")));
                return;
            }
            FileStat st = f.stat();
            assertTrue(st.blocks() * 512 >= 1 << 20, "allocated blocks: " + st.blocks());

            await(f.allocateAsync(1 << 20, 1 << 20, Uapi.FALLOC_FL_KEEP_SIZE));
            assertEquals(1 << 20, f.size(), "KEEP_SIZE leaves the size");
            assertTrue(f.stat().blocks() * 512 >= 2 << 20, "blocks past EOF are allocated");

            byte[] data = pattern(1 << 16, 16);
            f.writeFully(data, 0);
            f.allocate(4096, 8192, Uapi.FALLOC_FL_PUNCH_HOLE | Uapi.FALLOC_FL_KEEP_SIZE);
            byte[] back = new byte[1 << 16];
            f.readFully(back, 0);
            assertArrayEquals(Arrays.copyOf(data, 4096), Arrays.copyOf(back, 4096));
            assertArrayEquals(new byte[8192], Arrays.copyOfRange(back, 4096, 4096 + 8192), "punched hole reads as zeros");
            assertArrayEquals(Arrays.copyOfRange(data, 12288, data.length), Arrays.copyOfRange(back, 12288, data.length));

            assertThrows(IllegalArgumentException.class, () -> f.allocateAsync(0, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> f.allocateAsync(-1, 10, 0));
            // PUNCH_HOLE without KEEP_SIZE is refused by the kernel.
            UringException e = assertThrows(UringException.class, () -> f.allocate(0, 4096, Uapi.FALLOC_FL_PUNCH_HOLE));
            assertEquals("EOPNOTSUPP", e.errnoName());
        }
    }

    @Test
    void truncateShrinksAndExtends() throws Exception {
        KernelAssumptions.assumeOp(Opcode.FTRUNCATE);
        try (AsyncFile f = create("trunc")) {
            byte[] data = pattern(100, 17);
            f.writeFully(data, 0);
            f.truncate(10);
            assertEquals(10, f.size());
            assertArrayEquals(Arrays.copyOf(data, 10), Files.readAllBytes(dir.resolve("trunc")));
            await(f.truncateAsync(5 * GIB));
            assertEquals(5 * GIB, f.size());
            byte[] zeros = new byte[16];
            assertEquals(16, f.read(zeros, 0, 16, 10));
            assertArrayEquals(new byte[16], zeros);
            f.truncate(0);
            assertEquals(0, f.size());
            assertThrows(IllegalArgumentException.class, () -> f.truncateAsync(-1));
        }
        try (AsyncFile ro = files.open(dir.resolve("trunc"))) {
            // As ftruncate(2) and fallocate(2) answer, on both backends.
            assertEquals("EINVAL", assertThrows(UringException.class, () -> ro.truncate(1)).errnoName());
            assertEquals("EBADF", assertThrows(UringException.class, () -> ro.allocate(0, 1, 0)).errnoName());
        }
    }

    @Test
    void adviseAcceptsEveryAdviceAndRefusesNonsense() throws Exception {
        try (AsyncFile f = create("advise")) {
            f.writeFully(pattern(1 << 16, 18), 0);
            for (int advice : new int[] {Uapi.POSIX_FADV_NORMAL, Uapi.POSIX_FADV_RANDOM, Uapi.POSIX_FADV_SEQUENTIAL,
                Uapi.POSIX_FADV_WILLNEED, Uapi.POSIX_FADV_NOREUSE, Uapi.POSIX_FADV_DONTNEED}) {
                f.advise(0, 0, advice);
                await(f.adviseAsync(4096, 8192, advice));
            }
            UringException e = assertThrows(UringException.class, () -> f.advise(0, 0, 99));
            assertEquals("EINVAL", e.errnoName());
            assertThrows(IllegalArgumentException.class, () -> f.adviseAsync(0, -1, 0));
            // Data still reads after DONTNEED dropped it from the cache.
            byte[] back = new byte[100];
            f.readFully(back, 0);
            assertArrayEquals(Arrays.copyOf(pattern(1 << 16, 18), 100), back);
        }
    }

    // ------------------------------------------------------------------ stat

    @Test
    void statMatchesUnixAttributes() throws Exception {
        Path p = dir.resolve("stat");
        Files.write(p, pattern(12_345, 19));
        Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(1_600_000_000L, 123_456_789)));
        Files.createLink(dir.resolve("stat-link"), p); // nlink 2
        Map<String, Object> unix = Files.readAttributes(p, "unix:*");
        try (AsyncFile f = files.open(p)) {
            for (FileStat st : List.of(f.stat(), await(f.statAsync()), files.stat(p), await(files.statAsync(p)))) {
                assertEquals(12_345L, st.size());
                assertEquals(((Number) unix.get("size")).longValue(), st.size());
                assertEquals(unix.get("mode"), st.mode());
                assertEquals(unix.get("ino"), st.inode());
                assertEquals(unix.get("nlink"), st.nlink());
                assertEquals(2, st.nlink());
                assertEquals(unix.get("uid"), st.uid());
                assertEquals(unix.get("gid"), st.gid());
                assertEquals(Instant.ofEpochSecond(1_600_000_000L, 123_456_789), st.modifiedTime());
                assertEquals(((FileTime) unix.get("lastModifiedTime")).toInstant(), st.modifiedTime());
                assertEquals(((FileTime) unix.get("ctime")).toInstant(), st.changeTime());
                assertEquals(((FileTime) unix.get("lastAccessTime")).toInstant(), st.accessTime());
                long dev = (Long) unix.get("dev");
                assertEquals(major(dev), st.devMajor());
                assertEquals(minor(dev), st.devMinor());
                assertTrue(st.isRegularFile());
                assertFalse(st.isDirectory() || st.isSymbolicLink() || st.isOther());
                assertEquals(Files.getPosixFilePermissions(p), st.permissions());
                assertEquals(Files.getLastModifiedTime(p), st.lastModifiedFileTime());
                assertTrue(st.dioMemAlign() >= 0 && st.dioOffsetAlign() >= 0,
                        "DIO alignment: " + st.dioMemAlign() + "/" + st.dioOffsetAlign());
                if (FsTestSupport.onIoUring(files)) {
                    assertTrue(st.blockSize() > 0);
                    assertTrue(st.blocks() > 0);
                    assertTrue((st.mask() & Uapi.STATX_BASIC_STATS) == Uapi.STATX_BASIC_STATS, "mask " + Integer.toHexString(st.mask()));
                } else {
                    // java.nio gives no block counts: the portable backend leaves them 0 and out of the mask.
                    assertEquals(0, st.blocks());
                    assertEquals(Uapi.STATX_BASIC_STATS & ~Uapi.STATX_BLOCKS, st.mask(), "mask " + Integer.toHexString(st.mask()));
                }
            }
        }
        FileStat d = files.stat(dir);
        assertTrue(d.isDirectory());
        assertEquals(Files.readAttributes(dir, "unix:ino").get("ino"), d.inode());
    }

    /** glibc's gnu_dev_major/minor. */
    private static int major(long dev) {
        return (int) (((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL));
    }

    private static int minor(long dev) {
        return (int) (((dev >>> 12) & 0xffffff00L) | (dev & 0xffL));
    }

    // ------------------------------------------------------------------ xattrs

    @Test
    void extendedAttributesOnFileAndPath() throws Exception {
        Path p = xattrCapableFile();
        try (AsyncFile f = files.open(p, READ, WRITE)) {
            byte[] v1 = "text/plain".getBytes(StandardCharsets.UTF_8);
            f.setXattr("user.mime", v1, 0);
            assertArrayEquals(v1, f.getXattr("user.mime"));
            assertArrayEquals(v1, files.getXattr(p, "user.mime"));
            // The JDK's view of the same attribute (it drops the "user." prefix).
            UserDefinedFileAttributeView view = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
            assertNotNull(view);
            ByteBuffer jdk = ByteBuffer.allocate(100);
            view.read("mime", jdk);
            assertArrayEquals(v1, bytes(jdk));

            byte[] v2 = pattern(1000, 20);
            files.setXattr(p, "user.blob", v2, Uapi.XATTR_CREATE);
            assertArrayEquals(v2, await(f.getXattrAsync("user.blob")));
            await(files.setXattrAsync(p, "user.empty", new byte[0], 0));
            assertArrayEquals(new byte[0], await(files.getXattrAsync(p, "user.empty")));
            await(f.setXattrAsync("user.mime", "x".getBytes(StandardCharsets.UTF_8), Uapi.XATTR_REPLACE));
            assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), files.getXattr(p, "user.mime"));

            // XATTR_CREATE of an existing attribute: EEXIST (a FileAlreadyExistsException on a path).
            UringException onFile = assertThrows(UringException.class, () -> f.setXattr("user.blob", v1, Uapi.XATTR_CREATE));
            assertEquals("EEXIST", onFile.errnoName());
            FileSystemException onPath = assertThrows(java.nio.file.FileAlreadyExistsException.class,
                    () -> files.setXattr(p, "user.blob", v1, Uapi.XATTR_CREATE));
            FsTestSupport.assertCauseErrno("EEXIST", onPath);
            // Missing attribute: ENODATA; REPLACE of a missing one likewise.
            assertEquals("ENODATA", assertThrows(UringException.class, () -> f.getXattr("user.nope")).errnoName());
            FsTestSupport.assertErrnoInChain("ENODATA", assertThrows(IOException.class, () -> files.getXattr(p, "user.nope")));
            FsTestSupport.assertErrnoInChain("ENODATA",
                    assertThrows(IOException.class, () -> f.setXattr("user.nope", v1, Uapi.XATTR_REPLACE)));
            // A missing file through the path form.
            assertThrows(java.nio.file.NoSuchFileException.class, () -> files.getXattr(p.resolveSibling("missing"), "user.mime"));
        }
    }

    /** A file whose filesystem takes user xattrs: in @TempDir, else /dev/shm; skips if neither does. */
    private Path xattrCapableFile() throws Exception {
        List<Path> candidates = new ArrayList<>(List.of(dir));
        if (Files.isDirectory(Path.of("/dev/shm"))) {
            candidates.add(Files.createTempDirectory(Path.of("/dev/shm"), "uring4j-xattr"));
        }
        List<String> refusals = new ArrayList<>();
        for (Path d : candidates) {
            Path p = d.resolve("xattr");
            Files.write(p, new byte[] {1});
            try {
                files.setXattr(p, "user.probe", new byte[] {1}, 0);
                if (!d.equals(dir)) {
                    d.toFile().deleteOnExit();
                    p.toFile().deleteOnExit();
                }
                return p;
            } catch (UringException e) {
                refusals.add(d + ": " + e.errnoName());
                Files.delete(p);
                if (!d.equals(dir)) {
                    Files.delete(d);
                }
            }
        }
        assumeTrue(false, "no filesystem here takes user xattrs: " + refusals);
        throw new AssertionError();
    }

    // ------------------------------------------------------------------ heap bounce paths

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 4096, 65535, 65536, 65537, 200_000, 1 << 20, (2 << 20) + 3})
    void heapIoAroundTheRegisteredChunkSize(int size) throws Exception {
        // <= 64 KiB goes through a registered bounce buffer (READ_FIXED/WRITE_FIXED); larger ones,
        // and everything on a loop without registered buffers, through plain READ/WRITE.
        byte[] data = pattern(size, size);
        for (UringFiles fs : List.of(files, unregistered)) {
            Path p = dir.resolve("heap-" + size + (fs == files ? "-reg" : "-plain"));
            try (AsyncFile f = fs.open(p, CREATE, READ, WRITE)) {
                assertEquals(size, f.write(data, 0, size, 3));
                byte[] back = new byte[size + 2];
                assertEquals(size, f.read(back, 1, size, 3));
                assertArrayEquals(data, Arrays.copyOfRange(back, 1, 1 + size));
                ByteBuffer hb = ByteBuffer.allocate(size);
                assertEquals(size, (int) await(f.readAsync(hb, 3)));
                assertArrayEquals(data, hb.array());
            }
            byte[] disk = Files.readAllBytes(p);
            assertArrayEquals(data, Arrays.copyOfRange(disk, 3, disk.length));
        }
    }

    @Test
    void manyConcurrentSmallHeapReadsOutnumberTheRegisteredBuffers() throws Exception {
        // 4 MiB of registered buffers are 64 chunks; 300 reads in flight must fall back beyond them.
        int n = 300;
        int len = 4096;
        byte[] data = pattern(n * len, 21);
        Path p = dir.resolve("many");
        Files.write(p, data);
        try (AsyncFile f = files.open(p)) {
            List<CompletableFuture<Integer>> reads = new ArrayList<>();
            byte[][] into = new byte[n][len];
            for (int i = 0; i < n; i++) {
                reads.add(f.readAsync(into[i], 0, len, (long) i * len));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(len, (int) await(reads.get(i)));
                assertArrayEquals(Arrays.copyOfRange(data, i * len, (i + 1) * len), into[i], "read " + i);
            }
        }
        try (AsyncFile w = files.open(p, WRITE)) {
            List<CompletableFuture<Integer>> writes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                writes.add(w.writeAsync(pattern(len, 1000 + i), 0, len, (long) i * len));
            }
            for (CompletableFuture<Integer> wf : writes) {
                assertEquals(len, (int) await(wf));
            }
        }
        byte[] disk = Files.readAllBytes(p);
        for (int i = 0; i < n; i++) {
            assertArrayEquals(pattern(len, 1000 + i), Arrays.copyOfRange(disk, i * len, (i + 1) * len), "write " + i);
        }
    }
}
