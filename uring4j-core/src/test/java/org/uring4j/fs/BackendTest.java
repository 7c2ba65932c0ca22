package org.uring4j.fs;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.fs.FsTestSupport.await;
import static org.uring4j.fs.FsTestSupport.failure;
import static org.uring4j.fs.FsTestSupport.mkfifo;
import static org.uring4j.fs.FsTestSupport.openFdCount;
import static org.uring4j.fs.FsTestSupport.pattern;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.uring4j.UringException;
import org.uring4j.UringUnavailableException;
import org.uring4j.ring.SeccompWrapper;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.RuntimeClosedException;

/**
 * The backend layer under {@link UringFiles}: the {@value Backend#PROPERTY} property, the portable
 * backend end to end and what it refuses, its close, and the automatic fallback where a seccomp
 * filter blocks io_uring.
 */
class BackendTest {
    @TempDir
    Path dir;

    /** {@code body} with the backend property set to {@code value} (null: unset), restored after. */
    private static <T> T withProperty(String value, ThrowingSupplier<T> body) throws Exception {
        String old = System.getProperty(Backend.PROPERTY); // the portable test run sets it for the whole JVM
        try {
            if (value == null) {
                System.clearProperty(Backend.PROPERTY);
            } else {
                System.setProperty(Backend.PROPERTY, value);
            }
            return body.get();
        } finally {
            if (old == null) {
                System.clearProperty(Backend.PROPERTY);
            } else {
                System.setProperty(Backend.PROPERTY, old);
            }
        }
    }

    @FunctionalInterface
    interface ThrowingSupplier<T> {
        T get() throws Exception;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ the property

    @ParameterizedTest
    @ValueSource(strings = {"portable", "PORTABLE", " portable "})
    void propertyForcesPortable(String value) throws Exception {
        Backend got = withProperty(value, () -> {
            try (UringFiles files = UringFiles.open(1, new LoopOptions())) {
                assertNull(files.unavailability(), "forced, not fallen back");
                assertThrows(UnsupportedOperationException.class, files::runtime);
                return files.backend();
            }
        });
        assertEquals(Backend.PORTABLE, got);
    }

    @Test
    void propertyForcesIoUringAndNeverFallsBack() throws Exception {
        withProperty("io_uring", () -> {
            try (UringFiles files = UringFiles.open(1, new LoopOptions())) {
                assertEquals(Backend.IO_URING, files.backend());
                assertNull(files.unavailability());
                assertEquals(1, files.runtime().loopCount());
            } catch (UringUnavailableException e) {
                // io_uring is unavailable here: forced, it is an error and not a fallback (the seccomp test below checks both).
            }
            return null;
        });
    }

    @Test
    void propertyIsReadAtEachOpen() throws Exception {
        Backend first = withProperty("portable", () -> {
            try (UringFiles files = UringFiles.open()) {
                return files.backend();
            }
        });
        assertEquals(Backend.PORTABLE, first);
        withProperty("auto", () -> {
            try (UringFiles files = UringFiles.open(1, new LoopOptions())) {
                // auto: io_uring, or portable with the reason it was not used
                assertEquals(files.backend() == Backend.PORTABLE, files.unavailability() != null, files.toString());
            }
            return null;
        });
    }

    @Test
    void bogusPropertyValueIsRefusedNamingTheProperty() throws Exception {
        IllegalArgumentException e = withProperty("epoll", () -> assertThrows(IllegalArgumentException.class, UringFiles::open));
        assertTrue(e.getMessage().contains(Backend.PROPERTY) && e.getMessage().contains("epoll"), e.getMessage());
    }

    // ------------------------------------------------------------------ the portable backend end to end

    @Test
    void portableOpensWritesReadsStatsAndCloses() throws Exception {
        Path p = dir.resolve("f");
        byte[] data = pattern(100_000, 1);
        try (UringFiles files = UringFiles.portable()) {
            assertEquals(Backend.PORTABLE, files.backend());
            assertNull(files.unavailability());
            assertTrue(files.toString().contains("PORTABLE"), files.toString());
            try (AsyncFile f = files.open(p, CREATE, READ, WRITE); Arena arena = Arena.ofConfined()) {
                assertEquals(Backend.PORTABLE, f.backend());
                assertEquals(-1, f.fixedSlot());
                f.writeFully(data, 0);
                byte[] back = new byte[data.length];
                f.readFully(back, 0);
                assertArrayEquals(data, back);
                // Memory confined to this thread too (copied through the heap by the backend).
                var seg = arena.allocate(10);
                assertEquals(10, f.read(seg, 5));
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 5, 15), seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                assertEquals(-1, f.read(new byte[4], 0, 4, data.length));
                FileStat st = f.stat();
                assertEquals(data.length, st.size());
                assertTrue(st.isRegularFile());
                assertEquals(Files.getAttribute(p, "unix:ino"), st.inode());
                f.truncate(10);
                assertEquals(10, f.size());
                f.sync();
            }
            assertArrayEquals(java.util.Arrays.copyOf(data, 10), Files.readAllBytes(p));
        }
    }

    @Test
    void portableWholeFilesAndPathOps() throws Exception {
        try (UringFiles files = UringFiles.portable()) {
            Path p = dir.resolve("whole");
            files.write(p, ascii("whole"));
            assertArrayEquals(ascii("whole"), files.readAllBytes(p));
            assertArrayEquals(ascii("whole"), await(files.readAllBytesAsync(p)));
            Path d = dir.resolve("d");
            files.createDirectory(d, 0750);
            assertTrue(files.stat(d).isDirectory());
            Path moved = d.resolve("moved");
            files.rename(p, moved);
            assertFalse(Files.exists(p));
            files.createLink(dir.resolve("hard"), moved);
            assertEquals(2, files.stat(moved).nlink());
            files.createSymbolicLink(dir.resolve("sym"), moved);
            assertTrue(files.stat(dir.resolve("sym"), LinkOption.NOFOLLOW_LINKS).isSymbolicLink());
            assertEquals(5, files.stat(dir.resolve("sym")).size());
            files.deleteFile(dir.resolve("sym"));
            files.deleteFile(dir.resolve("hard"));
            files.deleteFile(moved);
            files.deleteDirectory(d);
            assertFalse(Files.exists(d));
            // Failures as on io_uring: the java.nio exception, with the errno as a UringException cause.
            NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> files.readAllBytes(p));
            FsTestSupport.assertCauseErrno("ENOENT", e);
        }
    }

    @Test
    void portableHasNoLoopsRuntimeOrDescriptors() throws Exception {
        Path p = Files.writeString(dir.resolve("f"), "x");
        try (UringFiles files = UringFiles.portable(); AsyncFile f = files.open(p)) {
            assertThrows(UnsupportedOperationException.class, files::runtime);
            assertThrows(UnsupportedOperationException.class, () -> files.open((EventLoop) null, p));
            assertThrows(UnsupportedOperationException.class, f::loop);
            assertThrows(UnsupportedOperationException.class, f::fd);
            assertEquals(-1, f.fixedSlot());
        }
    }

    // ------------------------------------------------------------------ refusals

    /** Asserts the message names every one of {@code parts} (the option, the path...). */
    private static void assertNames(RuntimeException e, Object... parts) {
        for (Object part : parts) {
            assertTrue(e.getMessage().contains(part.toString()), () -> e.getMessage() + " should name " + part);
        }
    }

    @Test
    void portableRefusesWhatChangesMeaningNamingTheOptionAndPath() throws Exception {
        Path p = Files.writeString(dir.resolve("f"), "x");
        Path q = Files.writeString(dir.resolve("g"), "y");
        try (UringFiles files = UringFiles.portable()) {
            for (UringOpenOption o : new UringOpenOption[] {UringOpenOption.RESOLVE_BENEATH, UringOpenOption.RESOLVE_IN_ROOT,
                UringOpenOption.RESOLVE_NO_SYMLINKS, UringOpenOption.RESOLVE_NO_MAGICLINKS, UringOpenOption.RESOLVE_NO_XDEV}) {
                assertNames(assertThrows(UnsupportedOperationException.class, () -> files.open(p, o)), o.name(), p);
            }
            assertNames(assertThrows(UnsupportedOperationException.class,
                    () -> files.rename(p, q, UringFiles.RenameOption.EXCHANGE)), "RENAME_EXCHANGE", p, q);
            assertNames(assertThrows(UnsupportedOperationException.class,
                    () -> files.setXattr(p, "trusted.x", ascii("v"), 0)), "trusted.x", p);
            try (AsyncFile f = files.open(p, READ, WRITE)) {
                assertNames(assertThrows(UnsupportedOperationException.class,
                        () -> f.allocate(0, 4096, Uapi.FALLOC_FL_PUNCH_HOLE | Uapi.FALLOC_FL_KEEP_SIZE)), "0x3", p);
                assertNames(assertThrows(UnsupportedOperationException.class, () -> f.getXattr("security.selinux")),
                        "security.selinux", p);
            }
            assertEquals("x", Files.readString(p), "nothing done");
            assertEquals("y", Files.readString(q));
        }
    }

    @Test
    void portableAcceptsAndIgnoresWhatOnlyChangesSpeed() throws Exception {
        Path p = Files.writeString(dir.resolve("f"), "speed");
        try (UringFiles files = UringFiles.portable();
             AsyncFile f = files.open(p, READ, UringOpenOption.RESOLVE_CACHED, UringOpenOption.DIRECT_DESCRIPTOR,
                     UringOpenOption.NOATIME)) {
            f.advise(0, 0, Uapi.POSIX_FADV_WILLNEED);
            byte[] b = new byte[5];
            f.readFully(b, 0);
            assertArrayEquals(ascii("speed"), b);
            assertEquals("EINVAL", assertThrows(UringException.class, () -> f.advise(0, 0, 99)).errnoName(), "not nonsense, though");
        }
    }

    // ------------------------------------------------------------------ close

    @Test
    void portableCloseWaitsForInFlightOpsAndClosesFilesLeftOpen() throws Exception {
        try (UringFiles warm = UringFiles.portable(); AsyncFile f = warm.open(Files.writeString(dir.resolve("warm"), "w"))) {
            f.size(); // classes loaded, so the descriptor count below is only about the files
        }
        int fds = openFdCount();
        UringFiles files = UringFiles.portable();
        AsyncFile a = files.open(dir.resolve("a"), CREATE, READ, WRITE);
        AsyncFile b = files.open(dir.resolve("b"), CREATE, WRITE);
        assertEquals(fds + 2, openFdCount());
        List<CompletableFuture<Integer>> writes = new ArrayList<>();
        byte[] chunk = pattern(1 << 20, 2);
        for (int i = 0; i < 32; i++) {
            writes.add((i % 2 == 0 ? a : b).writeAsync(chunk, 0, chunk.length, (long) i * chunk.length));
        }
        files.close(); // with the writes still in flight, and the files never closed
        for (CompletableFuture<Integer> w : writes) {
            assertTrue(w.isDone(), "close returned before a write it should wait for");
            assertEquals(chunk.length, w.join(), "a write started before close completes");
        }
        assertTrue(a.isClosed() && b.isClosed(), "close closes the files left open");
        assertEquals(fds, openFdCount(), "descriptors left after close");
        assertEquals(31L * chunk.length, Files.size(dir.resolve("a")), "every write landed"); // the last at 30 MiB
        assertEquals(32L * chunk.length, Files.size(dir.resolve("b")));
        // After close: refused, as a closed runtime refuses work.
        assertThrows(RuntimeClosedException.class, () -> files.open(dir.resolve("a")));
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> a.read(new byte[1], 0, 1, 0)); // as a closed file
        a.close(); // still fine, and idempotent
        files.close();
    }

    @Test
    void portableCloseEndsAReadBlockedOnAFifo() throws Exception {
        // A FIFO read with no writer would never end; close fails it (ECANCELED, as io_uring cancels it) rather than wait.
        Path fifo = dir.resolve("fifo");
        mkfifo(fifo);
        int fds = openFdCount();
        UringFiles files = UringFiles.portable();
        AsyncFile f = files.open(fifo, READ, WRITE); // O_RDWR: no writer needed to open
        CompletableFuture<Integer> read = f.readAsync(new byte[16], 0, 16, 0);
        assertFalse(read.isDone());
        files.close();
        assertEquals("ECANCELED", failure(UringException.class, read).errnoName());
        assertTrue(f.isClosed());
        assertEquals(fds, openFdCount());
    }

    @Test
    void portablePipeIsReadAndWrittenAtItsPosition() throws Exception {
        // As io_uring does for a stream: the offset is ignored, not an ESPIPE.
        Path fifo = dir.resolve("fifo");
        mkfifo(fifo);
        try (UringFiles files = UringFiles.portable(); AsyncFile f = files.open(fifo, READ, WRITE)) {
            assertEquals(5, f.write(ascii("hello"), 0, 5, 1000));
            byte[] b = new byte[5];
            f.readFully(b, 12345);
            assertArrayEquals(ascii("hello"), b);
        }
    }

    // ------------------------------------------------------------------ automatic fallback

    /** Run in a child JVM (args: a file path): opens UringFiles.open(), writes and reads the file, prints what it got. */
    public static void main(String[] args) throws IOException {
        Path p = Path.of(args[0]);
        try (UringFiles files = UringFiles.open(); AsyncFile f = files.open(p, CREATE, READ, WRITE)) {
            f.writeFully(ascii("fallback"), 0);
            byte[] back = new byte[8];
            f.readFully(back, 0);
            UringUnavailableException why = files.unavailability();
            System.out.println("RESULT " + files.backend() + " " + (why == null ? "none" : why.reason()) + " "
                    + new String(back, StandardCharsets.US_ASCII));
        } catch (UringUnavailableException e) {
            System.out.println("RESULT THROWN " + e.reason());
        }
    }

    /** The child's RESULT line (the JVM may print warnings before it). */
    private static String resultOf(SeccompWrapper.Result r) {
        assertEquals(0, r.exit(), r.output());
        return r.output().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line in: " + r.output())).substring(7);
    }

    @ParameterizedTest
    @ValueSource(ints = {1 /* EPERM */, 38 /* ENOSYS */})
    void openFallsBackToPortableWhereSeccompBlocksIoUring(int errno) throws Exception {
        Path wrapper = SeccompWrapper.compile(dir);
        Path file = dir.resolve("child-file");
        String got = resultOf(SeccompWrapper.runJava(wrapper, errno, BackendTest.class, List.of(), file.toString()));
        assertEquals("PORTABLE BLOCKED_BY_SECCOMP fallback", got);
        assertEquals("fallback", Files.readString(file));
    }

    @Test
    void forcedIoUringUnderSeccompThrowsInsteadOfFallingBack() throws Exception {
        Path wrapper = SeccompWrapper.compile(dir);
        String got = resultOf(SeccompWrapper.runJava(wrapper, 1, BackendTest.class,
                List.of("-D" + Backend.PROPERTY + "=io_uring"), dir.resolve("unused").toString()));
        assertEquals("THROWN BLOCKED_BY_SECCOMP", got);
    }
}
