package org.uring4j.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.DELETE_ON_CLOSE;
import static java.nio.file.StandardOpenOption.DSYNC;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.SPARSE;
import static java.nio.file.StandardOpenOption.SYNC;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.uring4j.fs.FsTestSupport.assertCauseErrno;
import static org.uring4j.fs.FsTestSupport.assumeIoUring;
import static org.uring4j.fs.FsTestSupport.assertErrnoInChain;
import static org.uring4j.fs.FsTestSupport.await;
import static org.uring4j.fs.FsTestSupport.failure;
import static org.uring4j.fs.FsTestSupport.fdFlags;
import static org.uring4j.fs.FsTestSupport.fixedInUse;
import static org.uring4j.fs.FsTestSupport.onIoUring;
import static org.uring4j.fs.FsTestSupport.openFdCount;
import static org.uring4j.fs.FsTestSupport.openFlags;
import static org.uring4j.fs.FsTestSupport.pattern;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.uring4j.UringException;
import org.uring4j.ring.KernelAssumptions;
import org.uring4j.ring.Uapi;
import org.uring4j.sys.Syscalls;

/** How {@link UringFiles#open} maps java.nio and uring4j open options, and how its failures surface. */
class OpenOptionsTest extends SharedFilesTest {
    private static final int O_ACCMODE = 3;


    private static String readAll(AsyncFile f) throws IOException {
        long size = f.size();
        byte[] b = new byte[(int) size];
        f.readFully(b, 0);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ StandardOpenOption

    @Test
    void noOptionMeansReadOnly() throws Exception {
        Path p = file("ro", "abc");
        try (AsyncFile f = files.open(p)) {
            assertEquals(Uapi.O_RDONLY, openFlags(f) & O_ACCMODE);
            assertEquals("abc", readAll(f));
            UringException e = assertThrows(UringException.class, () -> f.write(ascii("x"), 0, 1, 0));
            assertEquals("EBADF", e.errnoName());
        }
        assertEquals("abc", Files.readString(p));
    }

    @Test
    void readWriteAndBoth() throws Exception {
        Path p = file("rw", "hello");
        try (AsyncFile r = files.open(p, READ)) {
            assertEquals(Uapi.O_RDONLY, openFlags(r) & O_ACCMODE);
            assertEquals("hello", readAll(r));
        }
        try (AsyncFile w = files.open(p, WRITE)) {
            assertEquals(Uapi.O_WRONLY, openFlags(w) & O_ACCMODE);
            w.writeFully(ascii("J"), 0);
            assertEquals("EBADF", assertThrows(UringException.class, () -> w.read(new byte[1], 0, 1, 0)).errnoName());
        }
        try (AsyncFile rw = files.open(p, READ, WRITE)) {
            assertEquals(Uapi.O_RDWR, openFlags(rw) & O_ACCMODE);
            rw.writeFully(ascii("!"), 5);
            assertEquals("Jello!", readAll(rw));
        }
        assertEquals("Jello!", Files.readString(p));
    }

    @Test
    void appendWritesLandAtTheEndWhateverThePosition() throws Exception {
        Path p = file("append", "abc");
        try (AsyncFile f = files.open(p, APPEND)) { // APPEND implies WRITE
            assertTrue((openFlags(f) & Uapi.O_APPEND) != 0);
            assertEquals(Uapi.O_WRONLY, openFlags(f) & O_ACCMODE);
            assertEquals(2, f.write(ascii("XY"), 0, 2, 0));
            assertEquals(1, f.write(ascii("Z"), 0, 1, 1000));
            assertEquals(6, f.size());
        }
        assertEquals("abcXYZ", Files.readString(p));
        try (AsyncFile f = files.open(p, WRITE, APPEND, CREATE)) {
            f.writeFully(ascii("!"), 1);
        }
        assertEquals("abcXYZ!", Files.readString(p));
    }

    @Test
    void createMakesMissingFilesAndKeepsExistingOnes() throws Exception {
        Path p = dir.resolve("created");
        try (AsyncFile f = files.open(p, CREATE, WRITE)) {
            f.writeFully(ascii("one"), 0);
        }
        assertEquals("one", Files.readString(p));
        try (AsyncFile f = files.open(p, CREATE, WRITE)) {
            assertEquals(3, f.size(), "CREATE of an existing file neither fails nor truncates");
        }
        // As in java.nio, CREATE means nothing for a read-only open.
        Path missing = dir.resolve("not-created");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> files.open(missing, CREATE));
        assertCauseErrno("ENOENT", e);
        assertFalse(Files.exists(missing));
    }

    @Test
    void createNewFailsOnAnExistingFile() throws Exception {
        Path p = dir.resolve("new");
        try (AsyncFile f = files.open(p, CREATE_NEW, WRITE)) {
            f.writeFully(ascii("first"), 0);
        }
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> files.open(p, CREATE_NEW, WRITE));
        assertEquals(p.toString(), e.getFile());
        assertCauseErrno("EEXIST", e);
        assertTrue(e.getMessage().contains("EEXIST"), e.getMessage());
        failure(FileAlreadyExistsException.class, files.openAsync(p, Set.of(CREATE_NEW, WRITE, CREATE)));
        // O_EXCL does not follow a dangling symlink: its name is taken.
        Path dangling = dir.resolve("dangling");
        Files.createSymbolicLink(dangling, dir.resolve("nowhere"));
        assertCauseErrno("EEXIST", assertThrows(FileAlreadyExistsException.class, () -> files.open(dangling, CREATE_NEW, WRITE)));
        assertFalse(Files.exists(dir.resolve("nowhere")));
        assertEquals("first", Files.readString(p));
    }

    @Test
    void truncateExistingEmptiesForWritingOnly() throws Exception {
        Path p = file("trunc", "0123456789");
        try (AsyncFile f = files.open(p, READ, TRUNCATE_EXISTING)) {
            assertEquals(10, f.size(), "TRUNCATE_EXISTING means nothing for a read-only open");
        }
        try (AsyncFile f = files.open(p, WRITE, TRUNCATE_EXISTING)) {
            assertEquals(0, f.size());
        }
        assertEquals(0, Files.size(p));
    }

    @Test
    void syncAndDsyncSetTheirFlags() throws Exception {
        Path p = dir.resolve("sync");
        try (AsyncFile f = files.open(p, CREATE, WRITE, SYNC)) {
            assertEquals(Uapi.O_SYNC, openFlags(f) & Uapi.O_SYNC);
            f.writeFully(ascii("s"), 0);
        }
        try (AsyncFile f = files.open(p, WRITE, DSYNC)) {
            int flags = openFlags(f);
            assertEquals(Uapi.O_DSYNC, flags & Uapi.O_SYNC, "O_DSYNC without the rest of O_SYNC");
            f.writeFully(ascii("d"), 1);
        }
        try (AsyncFile f = files.open(p, WRITE, SPARSE)) { // a hint, accepted and ignored
            assertEquals(0, openFlags(f) & Uapi.O_DSYNC);
        }
        assertEquals("sd", Files.readString(p));
    }

    @Test
    void unsupportedAndConflictingOptionsAreRefused() throws Exception {
        Path p = file("opts", "x");
        assertThrows(UnsupportedOperationException.class, () -> files.open(p, DELETE_ON_CLOSE));
        assertThrows(UnsupportedOperationException.class, () -> files.open(p, WRITE, DELETE_ON_CLOSE));
        assertThrows(IllegalArgumentException.class, () -> files.open(p, READ, APPEND));
        assertThrows(IllegalArgumentException.class, () -> files.open(p, APPEND, TRUNCATE_EXISTING));
        assertThrows(IllegalArgumentException.class,
                () -> files.open(dir, UringOpenOption.DIRECTORY, UringOpenOption.DIRECT_DESCRIPTOR));
        OpenOption custom = new OpenOption() {
        };
        assertThrows(UnsupportedOperationException.class, () -> files.open(p, custom));
        FileAttribute<String> owner = new FileAttribute<>() {
            @Override
            public String name() {
                return "posix:owner";
            }

            @Override
            public String value() {
                return "root";
            }
        };
        assertThrows(UnsupportedOperationException.class, () -> files.open(dir.resolve("attr"), Set.of(CREATE, WRITE), owner));
        assertTrue(Files.exists(p), "DELETE_ON_CLOSE must not have deleted anything");
        assertFalse(Files.exists(dir.resolve("attr")));
    }

    // ------------------------------------------------------------------ links and permissions

    @Test
    void nofollowLinksRefusesASymlinkWithEloop() throws Exception {
        Path target = file("target", "t");
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, target);
        FileSystemLoopException e = assertThrows(FileSystemLoopException.class, () -> files.open(link, LinkOption.NOFOLLOW_LINKS));
        assertCauseErrno("ELOOP", e);
        try (AsyncFile f = files.open(link)) {
            assertEquals("t", readAll(f), "without NOFOLLOW_LINKS the link is followed");
        }
        try (AsyncFile f = files.open(target, LinkOption.NOFOLLOW_LINKS)) {
            assertEquals("t", readAll(f));
        }
        // O_NOFOLLOW concerns the last component only: a symlinked parent is still followed.
        Files.createDirectory(dir.resolve("real"));
        Files.writeString(dir.resolve("real/f"), "inner");
        Files.createSymbolicLink(dir.resolve("alias"), dir.resolve("real"));
        try (AsyncFile f = files.open(dir.resolve("alias/f"), LinkOption.NOFOLLOW_LINKS)) {
            assertEquals("inner", readAll(f));
        }
        // A loop of links is ELOOP without NOFOLLOW_LINKS too.
        Files.createSymbolicLink(dir.resolve("a"), dir.resolve("b"));
        Files.createSymbolicLink(dir.resolve("b"), dir.resolve("a"));
        assertCauseErrno("ELOOP", assertThrows(FileSystemLoopException.class, () -> files.open(dir.resolve("a"))));
    }

    @Test
    void permissionsAttributeIsHonouredWithTheUmask() throws Exception {
        int old = Syscalls.umask(027);
        try {
            Path all = dir.resolve("rwx");
            files.open(all, Set.of(CREATE, WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")))
                    .close();
            assertEquals(0750, files.stat(all).mode() & 07777);
            Path priv = dir.resolve("private");
            files.open(priv, Set.of(CREATE_NEW, WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    .close();
            assertEquals(0600, files.stat(priv).mode() & 07777);
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(priv));
            Path dflt = dir.resolve("default");
            files.open(dflt, CREATE, WRITE).close();
            assertEquals(0666 & ~027, files.stat(dflt).mode() & 07777);
            Path direct = dir.resolve("direct-desc");
            files.open(direct, Set.of(CREATE, WRITE, UringOpenOption.DIRECT_DESCRIPTOR),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---"))).close();
            assertEquals(0750, files.stat(direct).mode() & 07777);
            // The attribute applies only to a file the open creates.
            files.open(all, Set.of(CREATE, WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("---------")))
                    .close();
            assertEquals(0750, files.stat(all).mode() & 07777);
        } finally {
            Syscalls.umask(old);
        }
    }

    // ------------------------------------------------------------------ O_DIRECT and NOATIME

    @Test
    void directIoWithAlignedBuffers() throws Exception {
        Path p = dir.resolve("odirect");
        AsyncFile f = openDirectOrSkip(p, CREATE, READ, WRITE, UringOpenOption.DIRECT);
        try (f; Arena arena = Arena.ofConfined()) {
            assertEquals(Uapi.O_DIRECT, openFlags(f) & Uapi.O_DIRECT);
            MemorySegment buf = arena.allocate(8192, 4096);
            byte[] data = pattern(8192, 1);
            MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
            assertEquals(8192, f.write(buf, 4096));
            MemorySegment back = arena.allocate(8192, 4096);
            assertEquals(8192, f.read(back, 4096));
            assertArrayEquals(data, back.toArray(JAVA_BYTE));
            FileStat st = f.stat();
            if (st.dioMemAlign() > 1) {
                // Memory the filesystem cannot DMA to is refused, not silently copied.
                // (Read where data was written: a hole is zero-filled without looking at the memory.)
                MemorySegment skewed = arena.allocate(8192 + 4096, 4096).asSlice(1, 4096);
                UringException e = assertThrows(UringException.class, () -> f.read(skewed, 4096));
                assertEquals("EINVAL", e.errnoName());
            }
            if (st.dioOffsetAlign() > 1) {
                assertEquals("EINVAL", assertThrows(UringException.class, () -> f.read(back.asSlice(0, 4096), 4097)).errnoName());
            }
        }
        assertArrayEquals(pattern(8192, 1), Arrays.copyOfRange(Files.readAllBytes(p), 4096, 4096 + 8192));
        // The read-only fast path (openat2 on the caller's thread) keeps O_DIRECT too, as does the JDK's option.
        try (AsyncFile ro = files.open(p, UringOpenOption.DIRECT)) {
            assertEquals(Uapi.O_DIRECT, openFlags(ro) & Uapi.O_DIRECT);
        }
        try (AsyncFile jdk = files.open(p, READ, jdkDirectOption())) {
            assertEquals(Uapi.O_DIRECT, openFlags(jdk) & Uapi.O_DIRECT);
        }
    }

    @Test
    void directIoWithHeapArraysGoesThroughAlignedBounceBuffers() throws Exception {
        // Heap arrays cannot be aligned by the caller, so the bounce buffer must be: both the
        // registered ones (<= 64 KiB) and the pool's larger ones.
        Path p = dir.resolve("odirect-heap");
        AsyncFile f = openDirectOrSkip(p, CREATE, READ, WRITE, UringOpenOption.DIRECT);
        try (f) {
            for (int size : new int[] {4096, 65536, 131072, 1 << 20}) {
                byte[] data = pattern(size, size);
                assertEquals(size, assertDoesNotThrow(() -> f.write(data, 0, size, 0), "heap write of " + size + " bytes"));
                byte[] back = new byte[size];
                assertEquals(size, assertDoesNotThrow(() -> f.read(back, 0, size, 0), "heap read of " + size + " bytes"));
                assertArrayEquals(data, back, size + " bytes");
            }
        }
    }

    /** com.sun.nio.file.ExtendedOpenOption.DIRECT (jdk.unsupported, which the module does not read at compile time). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static OpenOption jdkDirectOption() throws ClassNotFoundException {
        Class c = Class.forName("com.sun.nio.file.ExtendedOpenOption");
        return (OpenOption) Enum.valueOf(c, "DIRECT");
    }

    private AsyncFile openDirectOrSkip(Path p, OpenOption... options) throws IOException {
        try {
            return files.open(p, options);
        } catch (UringException e) {
            assumeTrue(!e.errnoName().equals("EINVAL"), "this filesystem refuses O_DIRECT: " + e.getMessage());
            throw e;
        }
    }

    @Test
    void noatimeSetsItsFlag() throws Exception {
        Path p = file("noatime", "n");
        try (AsyncFile f = files.open(p, UringOpenOption.NOATIME)) {
            // On the portable backend NOATIME only saves a write, so it is accepted and ignored.
            assertEquals(onIoUring(files) ? Uapi.O_NOATIME : 0, openFlags(f) & Uapi.O_NOATIME);
            assertEquals("n", readAll(f));
        }
    }

    // ------------------------------------------------------------------ directory handles and RESOLVE_*

    /** root/sub/x ("inside"), dir/x ("outside"), and symlinks in root: abs -> /sub/x, up -> ../x, rel -> sub/x. */
    private Path tree() throws IOException {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/x"), "inside");
        Files.writeString(dir.resolve("x"), "outside");
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/sub/x"));
        Files.createSymbolicLink(root.resolve("up"), Path.of("../x"));
        Files.createSymbolicLink(root.resolve("rel"), Path.of("sub/x"));
        return root;
    }

    private static String readVia(AsyncFile dirHandle, String path, OpenOption... options) throws IOException {
        try (AsyncFile f = files.open(dirHandle, Path.of(path), options)) {
            return readAll(f);
        }
    }

    @Test
    void truncatingADirectoryHandleFailsAsFtruncateDoesOnBothBackends() throws Exception {
        org.uring4j.ring.KernelAssumptions.assumeOp(org.uring4j.ring.Opcode.FTRUNCATE);
        try (AsyncFile h = files.open(tree(), UringOpenOption.DIRECTORY)) {
            assertEquals("EINVAL", assertThrows(org.uring4j.UringException.class, () -> h.truncate(0)).errnoName());
        }
    }

    @Test
    void directoryHandleOpensRelativePaths() throws Exception {
        Path root = tree();
        try (AsyncFile h = files.open(root, UringOpenOption.DIRECTORY)) {
            assertTrue(files.stat(root).isDirectory());
            assertTrue(h.stat().isDirectory());
            assertEquals("inside", readVia(h, "sub/x"));
            assertEquals("outside", readVia(h, "../x"), "without RESOLVE_* a relative path may leave");
            try (AsyncFile created = files.open(h, Path.of("sub/new"), CREATE, WRITE)) { // ring path, relative
                created.writeFully(ascii("made"), 0);
            }
            assertEquals("made", Files.readString(root.resolve("sub/new")));
            assertCauseErrno("ENOENT", assertThrows(NoSuchFileException.class, () -> readVia(h, "sub/none")));
        }
        Path plain = file("plain", "p");
        NotDirectoryException e = assertThrows(NotDirectoryException.class, () -> files.open(plain, UringOpenOption.DIRECTORY));
        assertCauseErrno("ENOTDIR", e);
    }

    @Test
    void closedDirectoryHandleIsRefused() throws Exception {
        Path root = tree();
        AsyncFile h = files.open(root, UringOpenOption.DIRECTORY);
        h.close();
        // Its descriptor number is gone (and may be reused by an unrelated file): never resolve against it.
        if (onIoUring(files)) {
            assertThrows(ClosedChannelException.class, h::fd);
        } else {
            assertThrows(UnsupportedOperationException.class, h::fd); // the portable backend never hands one out
        }
        assertThrows(ClosedChannelException.class, () -> readVia(h, "sub/x"));
    }

    /**
     * On the portable backend a lookup restriction java.nio cannot enforce is refused, never
     * silently dropped: UnsupportedOperationException naming the option and the path.
     */
    private static void assertRefusedOnPortable(UringOpenOption option, String path,
                                                org.junit.jupiter.api.function.Executable open) {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, open, option + " " + path);
        assertTrue(e.getMessage().contains(option.name()) && e.getMessage().contains(path), e.getMessage());
    }

    @Test
    void resolveBeneathCannotLeaveTheDirectory() throws Exception {
        Path root = tree();
        try (AsyncFile h = files.open(root, UringOpenOption.DIRECTORY)) {
            if (!onIoUring(files)) {
                for (String p : new String[] {"sub/x", "../x", "up"}) {
                    assertRefusedOnPortable(UringOpenOption.RESOLVE_BENEATH, p, () -> readVia(h, p, UringOpenOption.RESOLVE_BENEATH));
                }
                assertRefusedOnPortable(UringOpenOption.RESOLVE_BENEATH, "escaped",
                        () -> files.open(h, Path.of("../escaped"), CREATE, WRITE, UringOpenOption.RESOLVE_BENEATH));
                assertFalse(Files.exists(dir.resolve("escaped")));
                return;
            }
            assertEquals("inside", readVia(h, "sub/x", UringOpenOption.RESOLVE_BENEATH));
            assertEquals("inside", readVia(h, "rel", UringOpenOption.RESOLVE_BENEATH));
            assertEquals("inside", readVia(h, "sub/../sub/x", UringOpenOption.RESOLVE_BENEATH));
            for (String escape : new String[] {"../x", "up", "abs", root.resolve("sub/x").toString()}) {
                IOException e = assertThrows(IOException.class, () -> readVia(h, escape, UringOpenOption.RESOLVE_BENEATH), escape);
                assertErrnoInChain("EXDEV", e);
            }
            // The ring path (CREATE) is held to it as well.
            assertErrnoInChain("EXDEV", assertThrows(IOException.class,
                    () -> files.open(h, Path.of("../escaped"), CREATE, WRITE, UringOpenOption.RESOLVE_BENEATH)));
            assertFalse(Files.exists(dir.resolve("escaped")));
        }
    }

    @Test
    void resolveInRootTreatsTheDirectoryAsRoot() throws Exception {
        Path root = tree();
        try (AsyncFile h = files.open(root, UringOpenOption.DIRECTORY)) {
            if (!onIoUring(files)) {
                for (String p : new String[] {"/sub/x", "abs", "up"}) {
                    assertRefusedOnPortable(UringOpenOption.RESOLVE_IN_ROOT, p, () -> readVia(h, p, UringOpenOption.RESOLVE_IN_ROOT));
                }
                return;
            }
            assertEquals("inside", readVia(h, "/sub/x", UringOpenOption.RESOLVE_IN_ROOT));
            assertEquals("inside", readVia(h, "../../../sub/x", UringOpenOption.RESOLVE_IN_ROOT), "'..' stops at the root");
            assertEquals("inside", readVia(h, "abs", UringOpenOption.RESOLVE_IN_ROOT), "an absolute link resolves inside");
            // "up" -> "../x" is root/x inside the root, which does not exist: never dir/x outside.
            assertThrows(NoSuchFileException.class, () -> readVia(h, "up", UringOpenOption.RESOLVE_IN_ROOT));
        }
    }

    @Test
    void resolveNoSymlinksRefusesAnyLink() throws Exception {
        Path root = tree();
        try (AsyncFile h = files.open(root, UringOpenOption.DIRECTORY)) {
            if (!onIoUring(files)) {
                for (String p : new String[] {"sub/x", "rel"}) {
                    assertRefusedOnPortable(UringOpenOption.RESOLVE_NO_SYMLINKS, p,
                            () -> readVia(h, p, UringOpenOption.RESOLVE_NO_SYMLINKS));
                }
                return;
            }
            assertEquals("inside", readVia(h, "sub/x", UringOpenOption.RESOLVE_NO_SYMLINKS));
            for (String link : new String[] {"rel", "abs", "up"}) {
                assertCauseErrno("ELOOP", assertThrows(FileSystemLoopException.class,
                        () -> readVia(h, link, UringOpenOption.RESOLVE_NO_SYMLINKS), link));
            }
        }
        Files.createSymbolicLink(dir.resolve("dirlink"), dir.resolve("root"));
        assertThrows(FileSystemLoopException.class, () -> files.open(dir.resolve("dirlink/sub/x"), UringOpenOption.RESOLVE_NO_SYMLINKS));
    }

    @Test
    void resolveNoXdevAndNoMagiclinks() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc");
        if (!onIoUring(files)) {
            Path p = file("magic", "magic");
            assertRefusedOnPortable(UringOpenOption.RESOLVE_NO_XDEV, p.toString(), () -> files.open(p, UringOpenOption.RESOLVE_NO_XDEV));
            assertRefusedOnPortable(UringOpenOption.RESOLVE_NO_MAGICLINKS, p.toString(),
                    () -> files.open(p, UringOpenOption.RESOLVE_NO_MAGICLINKS));
            return;
        }
        // /proc is a mount of its own: crossing into it is EXDEV.
        assertErrnoInChain("EXDEV", assertThrows(IOException.class,
                () -> files.open(Path.of("/proc/self/status"), UringOpenOption.RESOLVE_NO_XDEV)));
        Path p = file("magic", "magic");
        try (AsyncFile f = files.open(p); AsyncFile same = files.open(Path.of("/proc/self/fd/" + f.fd()))) {
            assertEquals("magic", readAll(same), "a magic link opens without RESOLVE_NO_MAGICLINKS");
            assertCauseErrno("ELOOP", assertThrows(FileSystemLoopException.class,
                    () -> files.open(Path.of("/proc/self/fd/" + f.fd()), UringOpenOption.RESOLVE_NO_MAGICLINKS)));
        }
        try (AsyncFile f = files.open(p, UringOpenOption.RESOLVE_NO_XDEV)) {
            assertEquals("magic", readAll(f));
        }
    }

    @Test
    void resolveCachedOpensOrWouldBlock() throws Exception {
        Path p = file("cached", "warm");
        Files.readString(p); // warm the dentry cache
        try (AsyncFile f = files.open(p, UringOpenOption.RESOLVE_CACHED)) {
            assertEquals("warm", readAll(f));
        } catch (WouldBlockException e) {
            assertEquals("EAGAIN", e.errnoName());
        }
        Path fresh = dir.resolve("cached-new");
        if (!onIoUring(files)) {
            // A speed hint the portable backend accepts and ignores: the open simply does the work.
            try (AsyncFile f = files.open(fresh, CREATE_NEW, WRITE, UringOpenOption.RESOLVE_CACHED)) {
                f.writeFully(ascii("new"), 0);
            }
            assertEquals("new", Files.readString(fresh));
            return;
        }
        // Creating or truncating can never be done from the cache alone.
        WouldBlockException create = assertThrows(WouldBlockException.class,
                () -> files.open(fresh, CREATE, WRITE, UringOpenOption.RESOLVE_CACHED));
        assertEquals("EAGAIN", create.errnoName());
        assertInstanceOf(UringException.class, create);
        assertFalse(Files.exists(fresh));
        WouldBlockException trunc = assertThrows(WouldBlockException.class,
                () -> files.open(p, WRITE, TRUNCATE_EXISTING, UringOpenOption.RESOLVE_CACHED));
        assertEquals("EAGAIN", trunc.errnoName());
        assertEquals("warm", Files.readString(p), "not truncated");
        failure(WouldBlockException.class, files.openAsync(fresh, Set.of(CREATE_NEW, WRITE, UringOpenOption.RESOLVE_CACHED)));
    }

    @Test
    void openAsyncOfAFifoWithoutWriterDoesNotBlockTheCaller() throws Exception {
        // A blocking open(2) of a FIFO for reading waits for a writer; openAsync must never make
        // its caller wait (io_uring's own inline open adds O_NONBLOCK for this reason).
        Path fifo = dir.resolve("fifo");
        FsTestSupport.mkfifo(fifo);
        CompletableFuture<CompletableFuture<AsyncFile>> call = new CompletableFuture<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                call.complete(files.openAsync(fifo, Set.of(READ)));
            } catch (Throwable t) {
                call.completeExceptionally(t);
            }
        });
        caller.join(Duration.ofSeconds(10));
        boolean blocked = caller.isAlive();
        // Now a writer: it releases whichever side waits (the ring's worker, or wrongly the caller).
        int writer = openWriterNonBlocking(fifo);
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(2, Syscalls.write(writer, arena.allocateFrom(JAVA_BYTE, ascii("hi"))));
            caller.join(Duration.ofSeconds(10));
            try (AsyncFile reader = await(await(call))) {
                byte[] b = new byte[2];
                reader.readFully(b, 0);
                assertEquals("hi", new String(b, StandardCharsets.US_ASCII));
            }
        } finally {
            Syscalls.close(writer);
        }
        assertFalse(blocked, "openAsync of a FIFO with no writer blocked its caller until a writer came");
    }

    /** O_WRONLY|O_NONBLOCK open of a FIFO, retried (bounded) while no reader has it open yet (ENXIO). */
    private static int openWriterNonBlocking(Path fifo) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment how = arena.allocate(org.uring4j.sys.Layouts.OPEN_HOW);
            how.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, Uapi.O_WRONLY | Uapi.O_NONBLOCK | Uapi.O_CLOEXEC);
            MemorySegment path = arena.allocateFrom(fifo.toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FsTestSupport.WAIT_SECONDS);
            while (true) {
                int fd = Syscalls.openat2(Uapi.AT_FDCWD, path, how);
                if (fd >= 0) {
                    return fd;
                }
                assertEquals(-org.uring4j.Errno.ENXIO.number(), fd, "open of the FIFO's write end");
                assertTrue(System.nanoTime() < deadline, "no reader ever opened the FIFO");
                Thread.sleep(10);
            }
        }
    }

    // ------------------------------------------------------------------ direct descriptors

    @Test
    void directDescriptorLivesOnlyInTheRingUntilAskedForAnFd() throws Exception {
        assumeIoUring(files, "direct descriptors and registered-file slots");
        KernelAssumptions.assumeOp(org.uring4j.ring.Opcode.FIXED_FD_INSTALL);
        Path p = dir.resolve("dd");
        int fdsBefore = openFdCount();
        int slotsBefore = fixedInUse(files.runtime());
        try (AsyncFile f = files.open(p, CREATE, READ, WRITE, UringOpenOption.DIRECT_DESCRIPTOR)) {
            assertTrue(f.fixedSlot() >= 0, "slot " + f.fixedSlot());
            assertEquals(fdsBefore, openFdCount(), "a direct descriptor takes no entry in the fd table");
            assertEquals(slotsBefore + 1, fixedInUse(files.runtime()));
            byte[] data = pattern(100_000, 2);
            f.writeFully(data, 0);
            byte[] back = new byte[data.length];
            f.readFully(back, 0);
            assertArrayEquals(data, back);
            f.sync();

            FileStat st = f.stat(); // needs a plain descriptor: installs one
            assertEquals(data.length, st.size());
            int fd = f.fd();
            assertEquals(fd, f.fd(), "installed once");
            assertEquals(p, FsTestSupport.fdTarget(fd));
            assertEquals(Uapi.O_RDWR, fdFlags(fd) & O_ACCMODE);
            assertEquals(fdsBefore + 1, openFdCount());
        }
        assertEquals(fdsBefore, openFdCount(), "close closes the installed descriptor too");
        assertEquals(slotsBefore, fixedInUse(files.runtime()), "close empties the slot");
        // Read-only direct descriptors take the ring path as well (no caller-thread fast path).
        try (AsyncFile ro = files.open(p, UringOpenOption.DIRECT_DESCRIPTOR)) {
            assertTrue(ro.fixedSlot() >= 0);
            assertEquals(100_000, ro.size());
            assertEquals("EBADF", assertThrows(UringException.class, () -> ro.write(new byte[1], 0, 1, 0)).errnoName());
        }
        assertEquals(fdsBefore, openFdCount());
        assertEquals(slotsBefore, fixedInUse(files.runtime()));
    }

    // ------------------------------------------------------------------ error mapping

    @Test
    void errnosBecomeJavaNioExceptionsWithTheUringCause() throws Exception {
        Path missing = dir.resolve("missing");
        NoSuchFileException nsf = assertThrows(NoSuchFileException.class, () -> files.open(missing));
        assertEquals(missing.toString(), nsf.getFile());
        assertCauseErrno("ENOENT", nsf);
        assertCauseErrno("ENOENT", assertThrows(NoSuchFileException.class, () -> files.open(missing, WRITE)));
        assertCauseErrno("ENOENT", assertThrows(NoSuchFileException.class, () -> files.open(dir.resolve("no/such/dir"), CREATE, WRITE)));
        assertCauseErrno("ENOENT", failure(NoSuchFileException.class, files.openAsync(missing, Set.of())));

        Path plain = file("plain", "p");
        assertCauseErrno("ENOTDIR", assertThrows(NotDirectoryException.class, () -> files.open(plain.resolve("child"))));
        assertCauseErrno("ENOTDIR", assertThrows(NotDirectoryException.class, () -> files.open(plain.resolve("child"), CREATE, WRITE)));

        Path full = dir.resolve("full");
        Files.createDirectories(full.resolve("inner"));
        DirectoryNotEmptyException dne = assertThrows(DirectoryNotEmptyException.class, () -> files.deleteDirectory(full));
        assertCauseErrno("ENOTEMPTY", dne);

        // Writing a directory: EISDIR, reported with its errno.
        assertErrnoInChain("EISDIR", assertThrows(IOException.class, () -> files.open(dir, WRITE)));
        // A name longer than NAME_MAX.
        assertErrnoInChain("ENAMETOOLONG", assertThrows(IOException.class, () -> files.open(dir.resolve("n".repeat(300)))));
    }

    @Test
    void permissionDeniedIsAccessDenied() throws Exception {
        assumeTrue(Syscalls.geteuid() != 0, "root bypasses permission bits (see the immutable-file test)");
        Path p = file("secret", "s");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("---------"));
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> files.open(p));
        assertCauseErrno("EACCES", e);
        assertCauseErrno("EACCES", assertThrows(AccessDeniedException.class, () -> files.open(p, WRITE, CREATE)));
    }

    @Test
    void immutableFileIsAccessDeniedEvenForRoot() throws Exception {
        KernelAssumptions.assumeRoot();
        Path p = file("immutable", "i");
        FsTestSupport.Result set = FsTestSupport.run("chattr", "+i", p.toString());
        assumeTrue(set.ok(), "chattr +i refused here: " + set.output());
        try {
            AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> files.open(p, WRITE));
            assertCauseErrno("EPERM", e);
            assertCauseErrno("EPERM", assertThrows(AccessDeniedException.class, () -> files.deleteFile(p)));
            try (AsyncFile ro = files.open(p)) {
                assertEquals("i", readAll(ro));
            }
        } finally {
            FsTestSupport.run("chattr", "-i", p.toString());
        }
    }
}
