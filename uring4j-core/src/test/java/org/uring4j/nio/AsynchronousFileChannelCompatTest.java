package org.uring4j.nio;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.nio.ChannelTestSupport.WAIT_SECONDS;
import static org.uring4j.nio.ChannelTestSupport.eventually;
import static org.uring4j.nio.ChannelTestSupport.failureOf;
import static org.uring4j.nio.ChannelTestSupport.get;
import static org.uring4j.nio.ChannelTestSupport.pattern;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.uring4j.fs.UringFiles;
import org.uring4j.nio.ChannelTestSupport.Capture;
import org.uring4j.nio.ChannelTestSupport.Impl;
import org.uring4j.nio.ChannelTestSupport.RawHolder;
import org.uring4j.runtime.LoopOptions;

/**
 * One suite, run against the JDK's {@code AsynchronousFileChannel.open} and against
 * {@link UringFileChannel#open}: every test asserts the same behaviour of both. Where they differ
 * by design (locks across channels of one JVM, handler threads), {@link UringFileChannelDifferencesTest}
 * pins each side down.
 */
class AsynchronousFileChannelCompatTest {
    static UringFiles files;

    @BeforeAll
    static void openFiles() throws Exception {
        files = UringFiles.open(1, new LoopOptions());
    }

    @AfterAll
    static void closeFiles() throws Exception {
        files.close();
    }

    static Stream<Impl> implementations() {
        return Stream.of(new Impl("JDK", AsynchronousFileChannel::open),
                new Impl("uring4j", (p, o, e, a) -> UringFileChannel.open(files, p, o, e, a)));
    }

    /** A test run once per implementation. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedTest(name = "{0}")
    @MethodSource("org.uring4j.nio.AsynchronousFileChannelCompatTest#implementations")
    @interface BothImplementations {
    }

    @TempDir
    Path dir;

    private Path file(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    // ------------------------------------------------------------------ read and write

    @BothImplementations
    void heapBuffersRoundTripAndAdvancePositions(Impl impl) throws Exception {
        Path p = dir.resolve("heap");
        byte[] data = pattern(1000, 1);
        try (AsynchronousFileChannel ch = impl.open(p, CREATE_NEW, READ, WRITE)) {
            ByteBuffer src = ByteBuffer.wrap(data);
            assertEquals(1000, get(ch.write(src, 0)));
            assertEquals(1000, src.position());
            assertEquals(0, src.remaining());
            ByteBuffer dst = ByteBuffer.allocate(1000);
            assertEquals(1000, get(ch.read(dst, 0)));
            assertEquals(1000, dst.position());
            assertArrayEquals(data, dst.array());
        }
        assertArrayEquals(data, Files.readAllBytes(p));
    }

    @BothImplementations
    void directBuffersAtAPositionLeaveAZeroHoleBefore(Impl impl) throws Exception {
        Path p = dir.resolve("direct");
        byte[] data = pattern(300, 2);
        try (AsynchronousFileChannel ch = impl.open(p, CREATE, READ, WRITE)) {
            ByteBuffer src = ByteBuffer.allocateDirect(300).put(data).flip();
            assertEquals(300, get(ch.write(src, 100)));
            assertEquals(300, src.position());
            assertEquals(400, ch.size());
            ByteBuffer dst = ByteBuffer.allocateDirect(400);
            assertEquals(400, get(ch.read(dst, 0)));
            byte[] back = new byte[400];
            dst.flip().get(back);
            byte[] expected = new byte[400];
            System.arraycopy(data, 0, expected, 100, 300);
            assertArrayEquals(expected, back);
        }
    }

    @BothImplementations
    void onlyTheRemainingBytesMoveAndOnlyPositionChanges(Impl impl) throws Exception {
        Path p = file("window", pattern(64, 3));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE)) {
            ByteBuffer dst = ByteBuffer.allocate(16).position(3).limit(7);
            assertEquals(4, get(ch.read(dst, 10)));
            assertEquals(7, dst.position());
            assertEquals(7, dst.limit());
            byte[] expected = new byte[16];
            System.arraycopy(pattern(64, 3), 10, expected, 3, 4);
            assertArrayEquals(expected, dst.array());

            ByteBuffer src = ByteBuffer.wrap(new byte[] {9, 9, 1, 2, 3, 9}).position(2).limit(5);
            assertEquals(3, get(ch.write(src, 0)));
            assertEquals(5, src.position());
            ByteBuffer check = ByteBuffer.allocate(4);
            assertEquals(4, get(ch.read(check, 0)));
            assertArrayEquals(new byte[] {1, 2, 3, pattern(64, 3)[3]}, check.array());
        }
    }

    @BothImplementations
    void sliceOfADirectBufferReadsAtItsOwnOffset(Impl impl) throws Exception {
        Path p = file("slice", pattern(32, 4));
        try (AsynchronousFileChannel ch = impl.open(p, READ)) {
            ByteBuffer whole = ByteBuffer.allocateDirect(32);
            ByteBuffer slice = whole.slice(8, 8);
            assertEquals(8, get(ch.read(slice, 0)));
            byte[] back = new byte[8];
            whole.get(8, back);
            byte[] expected = new byte[8];
            System.arraycopy(pattern(32, 4), 0, expected, 0, 8);
            assertArrayEquals(expected, back);
            assertEquals(0, whole.get(0));
        }
    }

    @BothImplementations
    void readAtOrPastEndOfFileIsMinusOneAndAcrossItIsShort(Impl impl) throws Exception {
        Path p = file("eof", pattern(10, 5));
        try (AsynchronousFileChannel ch = impl.open(p, READ)) {
            ByteBuffer b = ByteBuffer.allocate(8);
            assertEquals(-1, get(ch.read(b, 10)));
            assertEquals(0, b.position());
            assertEquals(-1, get(ch.read(b, 1_000_000)));
            assertEquals(-1, get(ch.read(ByteBuffer.allocateDirect(8), 11)));
            assertEquals(4, get(ch.read(b, 6)));
            assertEquals(4, b.position());
        }
    }

    @BothImplementations
    void emptyBuffersCompleteWithZeroWithoutTouchingTheFile(Impl impl) throws Exception {
        Path p = file("empty", pattern(5, 6));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE)) {
            assertEquals(0, get(ch.read(ByteBuffer.allocate(0), 100))); // 0 even past the end
            assertEquals(0, get(ch.write(ByteBuffer.allocate(0), 100)));
            assertEquals(5, ch.size()); // an empty write does not extend the file
            Capture<Integer> c = new Capture<>();
            ch.read(ByteBuffer.allocate(4).position(4), 0, "att", c);
            assertEquals(0, c.result());
            assertEquals("att", c.attachment);
        }
    }

    @BothImplementations
    void buffersLargerThanOneBounceChunkRoundTrip(Impl impl) throws Exception {
        Path p = dir.resolve("large");
        int n = (1 << 20) + 123; // more than a 64 KiB registered bounce buffer
        byte[] data = pattern(n, 7);
        try (AsynchronousFileChannel ch = impl.open(p, CREATE, READ, WRITE)) {
            assertEquals(n, get(ch.write(ByteBuffer.wrap(data), 0)));
            ByteBuffer heap = ByteBuffer.allocate(n);
            assertEquals(n, get(ch.read(heap, 0)));
            assertArrayEquals(data, heap.array());
            ByteBuffer direct = ByteBuffer.allocateDirect(n);
            assertEquals(n, get(ch.read(direct, 0)));
            byte[] back = new byte[n];
            direct.flip().get(back);
            assertArrayEquals(data, back);
        }
    }

    @BothImplementations
    void positionsBeyondFourGibibytesOnASparseFile(Impl impl) throws Exception {
        Path p = dir.resolve("sparse");
        long far = (5L << 30) + 3;
        long edge = (4L << 30) - 4; // straddles the 32-bit boundary
        try (AsynchronousFileChannel ch = impl.open(p, CREATE_NEW, READ, WRITE, StandardOpenOption.SPARSE)) {
            assertEquals(8, get(ch.write(ByteBuffer.wrap(pattern(8, 8)), far)));
            assertEquals(far + 8, ch.size());
            assertEquals(8, get(ch.write(ByteBuffer.allocateDirect(8).put(pattern(8, 9)).flip(), edge)));
            ByteBuffer b = ByteBuffer.allocate(8);
            assertEquals(8, get(ch.read(b, far)));
            assertArrayEquals(pattern(8, 8), b.array());
            ByteBuffer d = ByteBuffer.allocateDirect(8);
            assertEquals(8, get(ch.read(d, edge)));
            byte[] back = new byte[8];
            d.flip().get(back);
            assertArrayEquals(pattern(8, 9), back);
            ByteBuffer hole = ByteBuffer.allocate(16);
            assertEquals(16, get(ch.read(hole, (4L << 30) + 4096)));
            assertArrayEquals(new byte[16], hole.array());
            assertEquals(-1, get(ch.read(ByteBuffer.allocate(1), far + 8)));
        }
    }

    @BothImplementations
    void extremePositionsFailAsTheKernelSays(Impl impl) throws Exception {
        Path p = file("extreme", pattern(10, 43));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE)) {
            assertInstanceOf(IOException.class, failureOf(ch.read(ByteBuffer.allocate(4), Long.MAX_VALUE))); // EINVAL
            assertInstanceOf(IOException.class, failureOf(ch.write(ByteBuffer.allocate(4), Long.MAX_VALUE - 2))); // EINVAL
            assertInstanceOf(IOException.class, failureOf(ch.write(ByteBuffer.allocate(4), 1L << 62))); // EFBIG
            Capture<Integer> c = new Capture<>();
            ch.read(ByteBuffer.allocate(4), Long.MAX_VALUE - 2, "x", c);
            assertInstanceOf(IOException.class, c.failure());
            assertEquals(10, ch.size());
            ch.truncate(1L << 62); // larger than the file: nothing to do
            assertEquals(10, ch.size());
        }
    }

    @BothImplementations
    void extremeLockRangesLockAsAsked(Impl impl) throws Exception {
        Path p = file("extreme-lock", pattern(10, 43));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE)) {
            FileLock last = ch.tryLock(Long.MAX_VALUE - 1, 1, false);
            FileLock rest = get(ch.lock(0, Long.MAX_VALUE - 1, false));
            assertTrue(last.isValid());
            assertEquals(Long.MAX_VALUE - 1, rest.size());
            assertEquals(10, ch.size());
        }
    }

    @BothImplementations
    void manyConcurrentWritesThenReadsAllLand(Impl impl) throws Exception {
        Path p = dir.resolve("many");
        int n = 200;
        try (AsynchronousFileChannel ch = impl.open(p, CREATE, READ, WRITE)) {
            List<Future<Integer>> writes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ByteBuffer b = (i % 2 == 0 ? ByteBuffer.allocate(100) : ByteBuffer.allocateDirect(100)).put(pattern(100, i)).flip();
                writes.add(ch.write(b, 100L * i));
            }
            for (Future<Integer> w : writes) {
                assertEquals(100, get(w));
            }
            List<Future<Integer>> reads = new ArrayList<>();
            List<ByteBuffer> bufs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ByteBuffer b = ByteBuffer.allocate(100);
                bufs.add(b);
                reads.add(ch.read(b, 100L * i));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(100, get(reads.get(i)));
                assertArrayEquals(pattern(100, i), bufs.get(i).array());
            }
        }
    }

    @BothImplementations
    void writeFromAReadOnlyBufferIsAllowed(Impl impl) throws Exception {
        Path p = dir.resolve("ro-src");
        try (AsynchronousFileChannel ch = impl.open(p, CREATE, WRITE)) {
            ByteBuffer ro = ByteBuffer.wrap(pattern(10, 10)).asReadOnlyBuffer();
            assertEquals(10, get(ch.write(ro, 0)));
            assertEquals(10, ro.position());
            ByteBuffer roDirect = ByteBuffer.allocateDirect(4).put(new byte[] {1, 2, 3, 4}).flip().asReadOnlyBuffer();
            assertEquals(4, get(ch.write(roDirect, 10)));
        }
        assertEquals(14, Files.size(p));
    }

    // ------------------------------------------------------------------ futures and handlers

    @BothImplementations
    void futuresReportDoneAndCannotBeCancelledOnceDone(Impl impl) throws Exception {
        Path p = file("fut", pattern(10, 11));
        try (AsynchronousFileChannel ch = impl.open(p, READ)) {
            Future<Integer> f = ch.read(ByteBuffer.allocate(10), 0);
            assertEquals(10, f.get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertTrue(f.isDone());
            assertFalse(f.isCancelled());
            assertFalse(f.cancel(true));
            assertTrue(ch.isOpen()); // a cancel that did nothing closes nothing
            assertEquals(10, f.get());
        }
    }

    @BothImplementations
    void handlersGetResultAndAttachmentOnAnotherThread(Impl impl) throws Exception {
        Path p = dir.resolve("handler");
        try (AsynchronousFileChannel ch = impl.open(p, CREATE, READ, WRITE)) {
            Object att = new Object();
            Capture<Integer> w = new Capture<>();
            ByteBuffer src = ByteBuffer.wrap(pattern(50, 12));
            ch.write(src, 0, att, w);
            assertEquals(50, w.result());
            assertSame(att, w.attachment);
            assertNotSame(Thread.currentThread(), w.thread);
            assertEquals(50, src.position());

            Capture<Integer> r = new Capture<>();
            ByteBuffer dst = ByteBuffer.allocateDirect(60);
            ch.read(dst, 0, null, r);
            assertEquals(50, r.result());
            assertNull(r.attachment);
            assertNotSame(Thread.currentThread(), r.thread);
            assertEquals(50, dst.position());

            Capture<Integer> eof = new Capture<>();
            ch.read(ByteBuffer.allocate(1), 50, "eof", eof);
            assertEquals(-1, eof.result());
            assertEquals("eof", eof.attachment);
        }
    }

    @BothImplementations
    void handlersRunOnTheGivenExecutor(Impl impl) throws Exception {
        Path p = dir.resolve("exec");
        AtomicInteger made = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "compat-exec-" + made.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try (AsynchronousFileChannel ch = impl.open(p, Set.of(CREATE, READ, WRITE), pool)) {
            Capture<Integer> w = new Capture<>();
            ch.write(ByteBuffer.wrap(pattern(5, 13)), 0, 1, w);
            assertEquals(5, w.result());
            assertTrue(w.thread.getName().startsWith("compat-exec-"), w.thread.getName());
        } finally {
            pool.shutdownNow();
        }
    }

    @BothImplementations
    void lockHandlersRunOnTheGivenExecutor(Impl impl) throws Exception {
        Path p = dir.resolve("exec-lock");
        AtomicInteger made = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "compat-exec-" + made.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try (AsynchronousFileChannel ch = impl.open(p, Set.of(CREATE, READ, WRITE), pool)) {
            Capture<FileLock> l = new Capture<>();
            ch.lock(0, 5, false, 2, l);
            assertTrue(l.result().isValid());
            assertEquals(2, l.attachment);
            assertTrue(l.thread.getName().startsWith("compat-exec-"), l.thread.getName());
        } finally {
            pool.shutdownNow();
        }
    }

    @BothImplementations
    void kernelErrorsReachFuturesAndHandlersAsIOExceptions(Impl impl) throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        try (AsynchronousFileChannel ch = impl.open(sub, READ)) { // a directory opens read-only, then reads fail (EISDIR)
            assertInstanceOf(IOException.class, failureOf(ch.read(ByteBuffer.allocate(4), 0)));
            Capture<Integer> c = new Capture<>();
            ch.read(ByteBuffer.allocate(4), 0, "dir", c);
            assertInstanceOf(IOException.class, c.failure());
            assertEquals("dir", c.attachment);
            assertNotSame(Thread.currentThread(), c.thread);
            assertTrue(ch.isOpen());
        }
    }

    @BothImplementations
    void synchronousMethodsIgnoreAPendingInterrupt(Impl impl) throws Exception {
        Path p = file("intr", pattern(10, 14));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE)) {
            Thread.currentThread().interrupt();
            try {
                assertEquals(10, ch.size());
                ch.force(false);
                ch.truncate(5);
                assertEquals(5, ch.size());
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt stays pending");
            } finally {
                Thread.interrupted();
            }
        }
    }

    @BothImplementations
    void openAndCloseIgnoreAPendingInterrupt(Impl impl) throws Exception {
        Path p = file("intr-open", pattern(10, 42));
        Path created = dir.resolve("intr-created");
        Thread.currentThread().interrupt();
        try {
            AsynchronousFileChannel ch = impl.open(p, READ); // the cached-open fast path
            AsynchronousFileChannel ch2 = impl.open(created, CREATE_NEW, WRITE); // an open through the ring
            ch.close();
            ch2.close();
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt stays pending");
        } finally {
            Thread.interrupted();
        }
        assertTrue(Files.exists(created));
    }

    // ------------------------------------------------------------------ size, truncate, force

    @BothImplementations
    void truncateShrinksButNeverGrows(Impl impl) throws Exception {
        Path p = file("trunc", pattern(100, 15));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE)) {
            assertEquals(100, ch.size());
            assertSame(ch, ch.truncate(1000));
            assertEquals(100, ch.size());
            assertSame(ch, ch.truncate(100));
            assertEquals(100, ch.size());
            assertSame(ch, ch.truncate(40));
            assertEquals(40, ch.size());
            ch.truncate(0);
            assertEquals(0, ch.size());
        }
        assertEquals(0, Files.size(p));
    }

    @BothImplementations
    void truncateChecksTheSizeBeforeTheMode(Impl impl) throws Exception {
        Path p = file("trunc-ro", pattern(10, 16));
        try (AsynchronousFileChannel ro = impl.open(p, READ)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ro.truncate(-1));
            assertEquals("Negative size", e.getMessage());
            assertThrows(NonWritableChannelException.class, () -> ro.truncate(5));
            assertThrows(NonWritableChannelException.class, () -> ro.truncate(50));
        }
        try (AsynchronousFileChannel rw = impl.open(p, WRITE)) {
            assertThrows(IllegalArgumentException.class, () -> rw.truncate(-1));
        }
        assertEquals(10, Files.size(p));
    }

    @BothImplementations
    void sizeFollowsWritesFromThisAndOtherHandles(Impl impl) throws Exception {
        Path p = file("size", new byte[0]);
        try (AsynchronousFileChannel ch = impl.open(p, WRITE)) {
            assertEquals(0, ch.size()); // a write-only channel can tell its size
            get(ch.write(ByteBuffer.wrap(new byte[7]), 3));
            assertEquals(10, ch.size());
            Files.write(p, new byte[20], StandardOpenOption.APPEND);
            assertEquals(30, ch.size());
        }
    }

    @BothImplementations
    void forceWithAndWithoutMetadata(Impl impl) throws Exception {
        Path p = file("force", pattern(10, 17));
        try (AsynchronousFileChannel rw = impl.open(p, READ, WRITE)) {
            get(rw.write(ByteBuffer.wrap(pattern(10, 18)), 10));
            rw.force(true);
            rw.force(false);
        }
        try (AsynchronousFileChannel ro = impl.open(p, READ)) {
            ro.force(true); // fsync needs no write access
            ro.force(false);
        }
        assertEquals(20, Files.size(p));
    }

    // ------------------------------------------------------------------ bad input

    @BothImplementations
    void wrongModeThrowsNonReadableOrNonWritable(Impl impl) throws Exception {
        Path p = file("modes", pattern(10, 19));
        try (AsynchronousFileChannel ro = impl.open(p, READ);
             AsynchronousFileChannel wo = impl.open(p, WRITE)) {
            assertThrows(NonWritableChannelException.class, () -> ro.write(ByteBuffer.allocate(1), 0));
            assertThrows(NonWritableChannelException.class, () -> ro.write(ByteBuffer.allocate(1), 0, null, new Capture<>()));
            assertThrows(NonReadableChannelException.class, () -> wo.read(ByteBuffer.allocate(1), 0));
            assertThrows(NonReadableChannelException.class, () -> wo.read(ByteBuffer.allocate(1), 0, null, new Capture<>()));
            // mode is checked before the buffer: even an empty one
            assertThrows(NonWritableChannelException.class, () -> ro.write(ByteBuffer.allocate(0), 0));
            assertThrows(NonReadableChannelException.class, () -> wo.read(ByteBuffer.allocate(0), 0));
        }
    }

    @BothImplementations
    void noOpenOptionMeansReadOnly(Impl impl) throws Exception {
        Path p = file("default", pattern(4, 20));
        try (AsynchronousFileChannel ch = impl.open(p)) {
            assertEquals(4, get(ch.read(ByteBuffer.allocate(4), 0)));
            assertThrows(NonWritableChannelException.class, () -> ch.write(ByteBuffer.allocate(1), 0));
        }
    }

    @BothImplementations
    void negativePositionIsCheckedFirst(Impl impl) throws Exception {
        Path p = file("negpos", pattern(4, 21));
        try (AsynchronousFileChannel rw = impl.open(p, READ, WRITE);
             AsynchronousFileChannel wo = impl.open(p, WRITE)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rw.read(ByteBuffer.allocate(1), -1));
            assertEquals("Negative position", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> rw.write(ByteBuffer.allocate(1), -1));
            assertThrows(IllegalArgumentException.class, () -> rw.read(ByteBuffer.allocate(1), Long.MIN_VALUE, null, new Capture<>()));
            assertThrows(IllegalArgumentException.class, () -> rw.write(ByteBuffer.allocate(1), -5, null, new Capture<>()));
            // before the mode check
            assertThrows(IllegalArgumentException.class, () -> wo.read(ByteBuffer.allocate(1), -1));
            // and before the buffer is looked at
            assertThrows(IllegalArgumentException.class, () -> rw.read(null, -1));
        }
    }

    @BothImplementations
    void readIntoAReadOnlyBufferIsRefused(Impl impl) throws Exception {
        Path p = file("robuf", pattern(4, 22));
        try (AsynchronousFileChannel ch = impl.open(p, READ)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ch.read(ByteBuffer.allocate(4).asReadOnlyBuffer(), 0));
            assertEquals("Read-only buffer", e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> ch.read(ByteBuffer.allocateDirect(4).asReadOnlyBuffer(), 0, null, new Capture<>()));
            // even an empty one
            assertThrows(IllegalArgumentException.class, () -> ch.read(ByteBuffer.allocate(0).asReadOnlyBuffer(), 0));
        }
    }

    @BothImplementations
    void nullHandlersAndBuffersThrowNullPointerException(Impl impl) throws Exception {
        Path p = file("nulls", pattern(4, 23));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE)) {
            assertThrows(NullPointerException.class, () -> ch.read(ByteBuffer.allocate(1), 0, null, null));
            assertThrows(NullPointerException.class, () -> ch.write(ByteBuffer.allocate(1), 0, null, null));
            assertThrows(NullPointerException.class, () -> ch.lock(0, 1, false, null, null));
            assertThrows(NullPointerException.class, () -> ch.lock(null, null));
            assertThrows(NullPointerException.class, () -> ch.read(null, 0));
            assertThrows(NullPointerException.class, () -> ch.write(null, 0));
        }
    }

    @BothImplementations
    void openFailuresAreTheFileSystemExceptionsOfJavaNioFile(Impl impl) throws Exception {
        Path missing = dir.resolve("missing");
        NoSuchFileException nsf = assertThrows(NoSuchFileException.class, () -> impl.open(missing, READ));
        assertEquals(missing.toString(), nsf.getFile());
        // CREATE means nothing without WRITE
        assertThrows(NoSuchFileException.class, () -> impl.open(missing, CREATE));
        assertFalse(Files.exists(missing));
        Path existing = file("existing", pattern(3, 24));
        assertThrows(FileAlreadyExistsException.class, () -> impl.open(existing, CREATE_NEW, WRITE));
        Path sub = Files.createDirectory(dir.resolve("adir"));
        FileSystemException isDir = assertThrows(FileSystemException.class, () -> impl.open(sub, WRITE));
        assertEquals(sub.toString(), isDir.getFile());
        assertThrows(UnsupportedOperationException.class, () -> impl.open(existing, WRITE, StandardOpenOption.APPEND));
        Set<OpenOption> withNull = new HashSet<>();
        withNull.add(READ);
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> impl.open(existing, withNull, null));
        assertThrows(UnsupportedOperationException.class, () -> impl.open(existing, Set.of(new OpenOption() {
        }), null));
    }

    @BothImplementations
    void openOptionsTruncateCreateDeleteAndSetPermissions(Impl impl) throws Exception {
        Path p = file("opts", pattern(50, 25));
        try (AsynchronousFileChannel ch = impl.open(p, WRITE, TRUNCATE_EXISTING)) {
            assertEquals(0, ch.size());
        }
        try (AsynchronousFileChannel ch = impl.open(p, READ, TRUNCATE_EXISTING)) {
            assertEquals(0, ch.size()); // (already empty; TRUNCATE_EXISTING without WRITE is ignored)
        }
        Path q = file("keep", pattern(50, 26));
        try (AsynchronousFileChannel ch = impl.open(q, READ, TRUNCATE_EXISTING)) {
            assertEquals(50, ch.size());
        }
        Path secret = dir.resolve("secret");
        try (AsynchronousFileChannel ch = impl.open(secret, Set.of(CREATE_NEW, WRITE), null,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            assertTrue(ch.isOpen());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
        Path temp = dir.resolve("temp");
        try (AsynchronousFileChannel ch = impl.open(temp, CREATE, WRITE, READ, StandardOpenOption.DELETE_ON_CLOSE)) {
            assertEquals(3, get(ch.write(ByteBuffer.wrap(new byte[3]), 0)));
            assertEquals(3, get(ch.read(ByteBuffer.allocate(3), 0))); // still usable, unlinked or not
        }
        assertFalse(Files.exists(temp));
    }

    // ------------------------------------------------------------------ close

    @BothImplementations
    void afterCloseEverythingIsClosedChannelException(Impl impl) throws Exception {
        Path p = file("closed", pattern(10, 27));
        AsynchronousFileChannel ch = impl.open(p, READ, WRITE);
        ch.close();
        assertFalse(ch.isOpen());
        ch.close(); // idempotent
        assertInstanceOf(ClosedChannelException.class, failureOf(ch.read(ByteBuffer.allocate(1), 0)));
        assertEquals(ClosedChannelException.class, failureOf(ch.read(ByteBuffer.allocate(1), 0)).getClass());
        assertEquals(ClosedChannelException.class, failureOf(ch.write(ByteBuffer.allocate(1), 0)).getClass());
        assertEquals(ClosedChannelException.class, failureOf(ch.read(ByteBuffer.allocate(0), 0)).getClass());
        Capture<Integer> r = new Capture<>();
        ch.read(ByteBuffer.allocate(1), 0, "r", r);
        assertEquals(ClosedChannelException.class, r.failure().getClass());
        assertEquals("r", r.attachment);
        assertNotSame(Thread.currentThread(), r.thread);
        Capture<Integer> w = new Capture<>();
        ch.write(ByteBuffer.allocate(1), 0, "w", w);
        assertEquals(ClosedChannelException.class, w.failure().getClass());
        assertThrows(ClosedChannelException.class, ch::size);
        assertThrows(ClosedChannelException.class, () -> ch.force(true));
        assertThrows(ClosedChannelException.class, () -> ch.truncate(0));
        assertThrows(ClosedChannelException.class, ch::tryLock);
        assertEquals(ClosedChannelException.class, failureOf(ch.lock()).getClass());
        Capture<FileLock> l = new Capture<>();
        ch.lock("l", l);
        assertEquals(ClosedChannelException.class, l.failure().getClass());
        // argument checks still come first
        assertThrows(IllegalArgumentException.class, () -> ch.read(ByteBuffer.allocate(1), -1));
        assertThrows(IllegalArgumentException.class, () -> ch.truncate(-1));
        assertThrows(IllegalArgumentException.class, () -> ch.read(ByteBuffer.allocate(1).asReadOnlyBuffer(), 0));
        // (and, as the JDK, a null buffer to write on a closed channel is not noticed)
        assertEquals(ClosedChannelException.class, failureOf(ch.write(null, 0)).getClass());
        assertEquals(10, Files.size(p));
    }

    @BothImplementations
    void modeChecksComeBeforeTheClosedCheck(Impl impl) throws Exception {
        Path p = file("closed-ro", pattern(10, 28));
        AsynchronousFileChannel ro = impl.open(p, READ);
        ro.close();
        assertThrows(NonWritableChannelException.class, () -> ro.write(ByteBuffer.allocate(1), 0));
        assertThrows(NonWritableChannelException.class, () -> ro.truncate(1));
        assertThrows(NonWritableChannelException.class, () -> ro.lock(0, 1, false));
        assertThrows(NonWritableChannelException.class, () -> ro.tryLock(0, 1, false));
    }

    @BothImplementations
    void operationsInFlightAtCloseCompleteOrFailAsynchronouslyClosed(Impl impl) throws Exception {
        Path p = file("inflight", pattern(4096, 29));
        AsynchronousFileChannel ch = impl.open(p, READ, WRITE);
        List<Future<Integer>> ops = new ArrayList<>();
        List<Capture<Integer>> handlers = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            ops.add(ch.read(ByteBuffer.allocate(64), 64L * i));
            ops.add(ch.write(ByteBuffer.wrap(pattern(16, i)), 8192L + 16 * i));
            Capture<Integer> c = new Capture<>();
            ch.read(ByteBuffer.allocateDirect(64), 64L * i, i, c);
            handlers.add(c);
        }
        ch.close();
        assertFalse(ch.isOpen());
        for (Future<Integer> f : ops) {
            try {
                assertTrue(get(f) >= 0);
            } catch (java.util.concurrent.ExecutionException e) {
                assertInstanceOf(AsynchronousCloseException.class, e.getCause());
            }
        }
        for (Capture<Integer> c : handlers) {
            try {
                assertTrue(c.result() >= 0);
            } catch (java.util.concurrent.ExecutionException e) {
                assertInstanceOf(AsynchronousCloseException.class, e.getCause());
            }
        }
    }

    // ------------------------------------------------------------------ locks

    @BothImplementations
    void lockTheWholeFileThenReleaseIt(Impl impl) throws Exception {
        Path p = file("lock", pattern(10, 30));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE)) {
            FileLock l = get(ch.lock());
            assertTrue(l.isValid());
            assertFalse(l.isShared());
            assertEquals(0, l.position());
            assertEquals(Long.MAX_VALUE, l.size());
            assertSame(ch, l.acquiredBy());
            assertNull(l.channel()); // channel() is for FileChannels only
            assertTrue(l.overlaps(1L << 40, 1));
            l.release();
            assertFalse(l.isValid());
            l.release(); // releasing twice does nothing
            l.close();
            FileLock again = ch.tryLock();
            assertNotNull(again);
            again.close();
            assertFalse(again.isValid());
        }
    }

    @BothImplementations
    void sizeZeroLocksToTheEndAndBeyond(Impl impl) throws Exception {
        Path p = file("lock0", pattern(10, 31));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE);
             RawHolder raw = new RawHolder(p)) {
            FileLock l = get(ch.lock(100, 0, true));
            assertEquals(100, l.position());
            assertEquals(Long.MAX_VALUE - 100, l.size());
            assertTrue(l.isShared());
            assertFalse(raw.tryLock(false, 1L << 50, 1)); // far beyond the end of the file
            assertTrue(raw.tryLock(false, 0, 100));
            raw.unlock(0, 100);
            assertThrows(OverlappingFileLockException.class, () -> ch.tryLock(10, 0, false)); // 10.. overlaps 100..
            assertThrows(OverlappingFileLockException.class, () -> ch.tryLock(200, 5, true));
        }
    }

    @BothImplementations
    void lockModesMustMatchTheChannelsModes(Impl impl) throws Exception {
        Path p = file("lockmodes", pattern(10, 32));
        try (AsynchronousFileChannel ro = impl.open(p, READ);
             AsynchronousFileChannel wo = impl.open(p, WRITE)) {
            assertThrows(NonWritableChannelException.class, () -> ro.lock(0, 10, false));
            assertThrows(NonWritableChannelException.class, () -> ro.tryLock(0, 10, false));
            assertThrows(NonWritableChannelException.class, ro::lock);
            assertThrows(NonReadableChannelException.class, () -> wo.lock(0, 10, true));
            assertThrows(NonReadableChannelException.class, () -> wo.tryLock(0, 10, true));
            assertThrows(NonReadableChannelException.class, () -> wo.lock(0, 10, true, null, new Capture<>()));
            FileLock shared = ro.tryLock(0, 10, true);
            assertTrue(shared.isShared());
            shared.release();
            FileLock excl = get(wo.lock(0, 10, false));
            assertFalse(excl.isShared());
            excl.release();
        }
    }

    @BothImplementations
    void badLockRangesAreIllegalArguments(Impl impl) throws Exception {
        Path p = file("lockargs", pattern(10, 33));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE)) {
            assertEquals("Negative position", assertThrows(IllegalArgumentException.class, () -> ch.lock(-1, 10, false)).getMessage());
            assertEquals("Negative size", assertThrows(IllegalArgumentException.class, () -> ch.tryLock(0, -1, false)).getMessage());
            assertEquals("Negative position + size",
                    assertThrows(IllegalArgumentException.class, () -> ch.tryLock(1, Long.MAX_VALUE, false)).getMessage());
            assertThrows(IllegalArgumentException.class, () -> ch.lock(Long.MAX_VALUE, 1, true, null, new Capture<>()));
            // nothing was left behind in the lock table
            FileLock all = ch.tryLock();
            assertNotNull(all);
            all.release();
        }
    }

    @BothImplementations
    void overlappingLocksThroughOneChannelThrow(Impl impl) throws Exception {
        Path p = file("overlap", pattern(10, 34));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE)) {
            FileLock a = get(ch.lock(0, 10, true));
            assertThrows(OverlappingFileLockException.class, () -> ch.lock(5, 10, true)); // even two shared ones
            assertThrows(OverlappingFileLockException.class, () -> ch.tryLock(9, 1, false));
            assertThrows(OverlappingFileLockException.class, () -> ch.lock(0, 0, false, null, new Capture<>()));
            assertThrows(OverlappingFileLockException.class, ch::tryLock);
            FileLock b = ch.tryLock(10, 10, false); // adjacent is fine
            assertNotNull(b);
            FileLock c = get(ch.lock(20, 0, true));
            a.release();
            FileLock a2 = ch.tryLock(0, 10, false);
            assertNotNull(a2);
            assertTrue(b.isValid());
            assertTrue(c.isValid());
        }
    }

    @BothImplementations
    void tryLockReturnsNullWhileAnotherHolderHasTheRegion(Impl impl) throws Exception {
        Path p = file("contend", pattern(100, 35));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE);
             RawHolder raw = new RawHolder(p)) {
            assertTrue(raw.tryLock(false, 10, 10));
            assertNull(ch.tryLock(0, 100, false));
            assertNull(ch.tryLock(15, 1, true));
            FileLock free = ch.tryLock(20, 80, false); // the rest is free, and a failed try left nothing behind
            assertNotNull(free);
            raw.unlock(10, 10);
            assertTrue(raw.tryLock(true, 0, 10));
            FileLock shared = ch.tryLock(0, 10, true); // shared locks coexist
            assertNotNull(shared);
            assertNotNull(ch.tryLock(10, 10, false)); // 10..20 is free now
        }
    }

    @BothImplementations
    void lockWaitsUntilTheHolderReleases(Impl impl) throws Exception {
        Path p = file("wait", pattern(100, 36));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE);
             RawHolder raw = new RawHolder(p)) {
            assertTrue(raw.tryLock(false, 0, 100));
            Future<FileLock> f = ch.lock(50, 10, false);
            Capture<FileLock> h = new Capture<>();
            ch.lock(0, 10, true, "h", h);
            assertThrows(TimeoutException.class, () -> f.get(200, TimeUnit.MILLISECONDS));
            assertFalse(h.outcome.isDone());
            // a waiting request occupies its range in the channel's table
            assertThrows(OverlappingFileLockException.class, () -> ch.tryLock(55, 1, false));
            raw.unlock(0, 100);
            FileLock l = get(f);
            assertTrue(l.isValid());
            assertEquals(50, l.position());
            FileLock s = h.result();
            assertTrue(s.isShared());
            assertEquals("h", h.attachment);
            assertNotSame(Thread.currentThread(), h.thread);
            assertFalse(raw.tryLock(false, 55, 1));
            assertFalse(raw.tryLock(false, 5, 1));
            l.release();
            assertTrue(raw.tryLock(false, 55, 1));
        }
    }

    @BothImplementations
    void closingTheChannelReleasesAndInvalidatesItsLocks(Impl impl) throws Exception {
        Path p = file("closelocks", pattern(100, 37));
        try (RawHolder raw = new RawHolder(p)) {
            AsynchronousFileChannel ch = impl.open(p, READ, WRITE);
            FileLock a = ch.tryLock(0, 10, false);
            FileLock b = get(ch.lock(50, 0, true));
            assertFalse(raw.wouldGrant(0, 10));
            ch.close();
            assertFalse(a.isValid());
            assertFalse(b.isValid());
            assertTrue(raw.wouldGrant(0, 1L << 40));
            assertThrows(ClosedChannelException.class, a::release);
            assertThrows(ClosedChannelException.class, b::close);
        }
    }

    @BothImplementations
    void releasingMakesTheRegionAvailableToOthers(Impl impl) throws Exception {
        Path p = file("release", pattern(100, 38));
        try (AsynchronousFileChannel ch = impl.open(p, READ, WRITE);
             RawHolder raw = new RawHolder(p)) {
            FileLock a = ch.tryLock(0, 50, false);
            FileLock b = ch.tryLock(50, 50, false);
            assertFalse(raw.wouldGrant(0, 100));
            a.release();
            assertTrue(raw.wouldGrant(0, 50));
            assertFalse(raw.wouldGrant(50, 1)); // releasing one lock leaves its neighbour alone
            b.release();
            assertTrue(raw.wouldGrant(0, 100));
        }
    }

    @BothImplementations
    void closingFailsALockThatIsStillWaiting(Impl impl) throws Exception {
        Path p = file("closewait", pattern(10, 39));
        try (RawHolder raw = new RawHolder(p)) {
            assertTrue(raw.tryLock(false, 0, 100));
            AsynchronousFileChannel ch = impl.open(p, READ, WRITE);
            Future<FileLock> f = ch.lock(0, 10, false);
            Capture<FileLock> h = new Capture<>();
            ch.lock(20, 10, true, "h", h);
            assertThrows(TimeoutException.class, () -> f.get(200, TimeUnit.MILLISECONDS));
            ch.close();
            assertInstanceOf(AsynchronousCloseException.class, failureOf(f));
            assertInstanceOf(AsynchronousCloseException.class, h.failure());
            assertEquals("h", h.attachment);
            raw.unlock(0, 100);
            // whatever the waiting threads do once the region frees, no lock of the channel survives its close
            eventually("the region is free", () -> raw.wouldGrant(0, 1L << 40));
        }
    }

    @BothImplementations
    void aLockRequestRacingCloseAlwaysEnds(Impl impl) throws Exception {
        Path p = file("race", pattern(10, 44));
        try (RawHolder raw = new RawHolder(p)) {
            assertTrue(raw.tryLock(false, 0, 10)); // every request has to wait (or fail)
            for (int i = 0; i < 50; i++) {
                AsynchronousFileChannel ch = impl.open(p, READ, WRITE);
                Thread closer = Thread.ofPlatform().start(() -> {
                    try {
                        ch.close();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                Future<FileLock> f = ch.lock(0, 10, false);
                closer.join();
                assertInstanceOf(ClosedChannelException.class, failureOf(f)); // or its subclass AsynchronousCloseException
            }
            raw.unlock(0, 10);
            eventually("the region is free", () -> raw.wouldGrant(0, 1L << 40));
        }
    }

    @BothImplementations
    void cancelWithInterruptClosesTheChannel(Impl impl) throws Exception {
        Path p = file("cancel", pattern(10, 40));
        try (RawHolder raw = new RawHolder(p)) {
            assertTrue(raw.tryLock(false, 0, 10));
            AsynchronousFileChannel ch = impl.open(p, READ, WRITE);
            Future<FileLock> waiting = ch.lock(0, 10, false);
            Future<FileLock> other = ch.lock(100, 1, false); // granted: the region is free
            assertTrue(get(other).isValid());
            assertTrue(waiting.cancel(true));
            assertTrue(waiting.isCancelled());
            assertTrue(waiting.isDone());
            assertThrows(CancellationException.class, waiting::get);
            assertFalse(ch.isOpen());
            assertFalse(get(other).isValid());
            raw.unlock(0, 10);
            eventually("the region is free", () -> raw.wouldGrant(0, 1L << 40));
        }
    }

    @BothImplementations
    void cancelWithoutInterruptLeavesTheChannelOpen(Impl impl) throws Exception {
        Path p = file("cancel2", pattern(10, 41));
        try (RawHolder raw = new RawHolder(p);
             AsynchronousFileChannel ch = impl.open(p, READ, WRITE)) {
            assertTrue(raw.tryLock(false, 0, 10));
            Future<FileLock> waiting = ch.lock(0, 10, false);
            assertTrue(waiting.cancel(false));
            assertTrue(waiting.isCancelled());
            assertThrows(CancellationException.class, () -> waiting.get(1, TimeUnit.SECONDS));
            assertTrue(ch.isOpen());
            assertEquals(10, ch.size());
            raw.unlock(0, 10);
        }
    }
}
