package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.uring4j.ring.FileOpsSupport.ascii;
import static org.uring4j.ring.FileOpsSupport.assertErrno;
import static org.uring4j.ring.FileOpsSupport.awaitCqe;
import static org.uring4j.ring.FileOpsSupport.cstr;
import static org.uring4j.ring.FileOpsSupport.open;
import static org.uring4j.ring.FileOpsSupport.pattern;
import static org.uring4j.ring.FileOpsSupport.segment;
import static org.uring4j.ring.FileOpsSupport.submitOne;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDirFactory;
import org.uring4j.Errno;
import org.uring4j.sys.Layouts;
import org.uring4j.sys.Syscalls;

/**
 * Path and metadata operations: MKDIRAT, UNLINKAT, RENAMEAT, LINKAT, SYMLINKAT, FSYNC,
 * SYNC_FILE_RANGE, FALLOCATE, FTRUNCATE, FADVISE, MADVISE and the xattr ops (after liburing's
 * mkdir.c, unlink.c, rename.c, hardlink.c, symlink.c, fsync.c, fallocate.c, ftruncate.c and xattr.c).
 */
class NamespaceOpsTest {
    @TempDir
    Path dir;

    /** The xattr tests' second choice: a JUnit temporary directory on tmpfs (/dev/shm), else the default place. */
    static final class ShmTempDir implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws Exception {
            Path shm = Path.of("/dev/shm");
            return Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "uring4j-test")
                    : Files.createTempDirectory("uring4j-test");
        }
    }

    // ------------------------------------------------------------------ MKDIRAT / UNLINKAT

    @Test
    void mkdiratCreatesWithModeMaskedByUmaskThenEexist() throws Exception {
        Path sub = dir.resolve("made");
        int old = Syscalls.umask(022);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepMkdirat(Uapi.AT_FDCWD, cstr(arena, sub), 0777).userData(1);
            assertEquals(new Cqe(1, 0, 0), submitOne(ring));
            assertTrue(Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS));
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(sub)));

            ring.getSqe().prepMkdirat(Uapi.AT_FDCWD, cstr(arena, sub), 0777);
            assertErrno(Errno.EEXIST, submitOne(ring));
            ring.getSqe().prepMkdirat(Uapi.AT_FDCWD, cstr(arena, dir.resolve("no/parent")), 0777);
            assertErrno(Errno.ENOENT, submitOne(ring));
        } finally {
            Syscalls.umask(old);
        }
    }

    @Test
    void mkdiratRelativeToADirfd() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd d = open(ring, arena, dir, Uapi.O_RDONLY | Uapi.O_DIRECTORY, 0)) {
            ring.getSqe().prepMkdirat(d.fd(), arena.allocateFrom("rel"), 0700);
            assertEquals(0, submitOne(ring).res());
            assertTrue(Files.isDirectory(dir.resolve("rel")));
        }
    }

    @Test
    void unlinkatRemovesAFileAndWithRemovedirADirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path full = Files.createDirectory(dir.resolve("full"));
        Files.writeString(full.resolve("child"), "y");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepUnlinkat(Uapi.AT_FDCWD, cstr(arena, file), Uapi.AT_REMOVEDIR);
            assertErrno(Errno.ENOTDIR, submitOne(ring));
            ring.getSqe().prepUnlinkat(Uapi.AT_FDCWD, cstr(arena, file), 0);
            assertEquals(0, submitOne(ring).res());
            assertFalse(Files.exists(file, LinkOption.NOFOLLOW_LINKS));
            ring.getSqe().prepUnlinkat(Uapi.AT_FDCWD, cstr(arena, file), 0);
            assertErrno(Errno.ENOENT, submitOne(ring));

            ring.getSqe().prepUnlinkat(Uapi.AT_FDCWD, cstr(arena, empty), 0);
            assertErrno(Errno.EISDIR, submitOne(ring));
            ring.getSqe().prepUnlinkat(Uapi.AT_FDCWD, cstr(arena, empty), Uapi.AT_REMOVEDIR);
            assertEquals(0, submitOne(ring).res());
            assertFalse(Files.exists(empty, LinkOption.NOFOLLOW_LINKS));

            ring.getSqe().prepUnlinkat(Uapi.AT_FDCWD, cstr(arena, full), Uapi.AT_REMOVEDIR);
            assertErrno(Errno.ENOTEMPTY, submitOne(ring));
            assertTrue(Files.exists(full.resolve("child")));
        }
    }

    @Test
    void unlinkatOfASymlinkRemovesTheLinkNotTheTarget() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "kept");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepUnlinkat(Uapi.AT_FDCWD, cstr(arena, link), 0);
            assertEquals(0, submitOne(ring).res());
            assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS));
            assertEquals("kept", Files.readString(target));
        }
    }

    // ------------------------------------------------------------------ RENAMEAT

    @Test
    void renameatMovesAFile() throws Exception {
        Path src = Files.writeString(dir.resolve("src"), "payload");
        Path dst = Files.writeString(dir.resolve("dst"), "old");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            // Plain rename replaces an existing target.
            ring.getSqe().prepRenameat(Uapi.AT_FDCWD, cstr(arena, src), Uapi.AT_FDCWD, cstr(arena, dst), 0);
            assertEquals(0, submitOne(ring).res());
            assertFalse(Files.exists(src));
            assertEquals("payload", Files.readString(dst));

            ring.getSqe().prepRenameat(Uapi.AT_FDCWD, cstr(arena, src), Uapi.AT_FDCWD, cstr(arena, dst), 0);
            assertErrno(Errno.ENOENT, submitOne(ring));
        }
    }

    @Test
    void renameatBetweenDirfds() throws Exception {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        Files.writeString(a.resolve("f"), "moved");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd da = open(ring, arena, a, Uapi.O_RDONLY | Uapi.O_DIRECTORY, 0);
             FileOpsSupport.OwnedFd db = open(ring, arena, b, Uapi.O_RDONLY | Uapi.O_DIRECTORY, 0)) {
            ring.getSqe().prepRenameat(da.fd(), arena.allocateFrom("f"), db.fd(), arena.allocateFrom("g"), 0);
            assertEquals(0, submitOne(ring).res());
            assertFalse(Files.exists(a.resolve("f")));
            assertEquals("moved", Files.readString(b.resolve("g")));
        }
    }

    @Test
    void renameNoreplaceRefusesAnExistingTarget() throws Exception {
        Path src = Files.writeString(dir.resolve("src"), "new");
        Path dst = Files.writeString(dir.resolve("dst"), "old");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepRenameat(Uapi.AT_FDCWD, cstr(arena, src), Uapi.AT_FDCWD, cstr(arena, dst),
                    Uapi.RENAME_NOREPLACE);
            Cqe cqe = submitOne(ring);
            assumeTrue(cqe.res() != -Errno.EINVAL.number(), "filesystem lacks RENAME_NOREPLACE");
            assertErrno(Errno.EEXIST, cqe);
            assertEquals("new", Files.readString(src));
            assertEquals("old", Files.readString(dst));

            Path fresh = dir.resolve("fresh");
            ring.getSqe().prepRenameat(Uapi.AT_FDCWD, cstr(arena, src), Uapi.AT_FDCWD, cstr(arena, fresh),
                    Uapi.RENAME_NOREPLACE);
            assertEquals(0, submitOne(ring).res());
            assertEquals("new", Files.readString(fresh));
        }
    }

    @Test
    void renameExchangeSwapsTwoFiles() throws Exception {
        Path x = Files.writeString(dir.resolve("x"), "content of x");
        Path y = Files.writeString(dir.resolve("y"), "content of y");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepRenameat(Uapi.AT_FDCWD, cstr(arena, x), Uapi.AT_FDCWD, cstr(arena, y),
                    Uapi.RENAME_EXCHANGE);
            Cqe cqe = submitOne(ring);
            assumeTrue(cqe.res() != -Errno.EINVAL.number(), "filesystem lacks RENAME_EXCHANGE");
            assertEquals(0, cqe.res());
            assertEquals("content of y", Files.readString(x));
            assertEquals("content of x", Files.readString(y));

            // Exchange needs both names to exist; NOREPLACE and EXCHANGE together are invalid.
            ring.getSqe().prepRenameat(Uapi.AT_FDCWD, cstr(arena, x), Uapi.AT_FDCWD, cstr(arena, dir.resolve("none")),
                    Uapi.RENAME_EXCHANGE);
            assertErrno(Errno.ENOENT, submitOne(ring));
            ring.getSqe().prepRenameat(Uapi.AT_FDCWD, cstr(arena, x), Uapi.AT_FDCWD, cstr(arena, y),
                    Uapi.RENAME_EXCHANGE | Uapi.RENAME_NOREPLACE);
            assertErrno(Errno.EINVAL, submitOne(ring));
        }
    }

    // ------------------------------------------------------------------ LINKAT / SYMLINKAT

    @Test
    void linkatMakesASecondNameForTheSameInode() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "shared");
        Path link = dir.resolve("hard");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            assertEquals(1, Files.getAttribute(file, "unix:nlink"));
            ring.getSqe().prepLinkat(Uapi.AT_FDCWD, cstr(arena, file), Uapi.AT_FDCWD, cstr(arena, link), 0);
            assertEquals(0, submitOne(ring).res());
            assertEquals(2, Files.getAttribute(file, "unix:nlink"));
            assertEquals(Files.getAttribute(file, "unix:ino"), Files.getAttribute(link, "unix:ino"));
            assertEquals("shared", Files.readString(link));

            ring.getSqe().prepLinkat(Uapi.AT_FDCWD, cstr(arena, file), Uapi.AT_FDCWD, cstr(arena, link), 0);
            assertErrno(Errno.EEXIST, submitOne(ring));
            ring.getSqe().prepLinkat(Uapi.AT_FDCWD, cstr(arena, dir.resolve("missing")), Uapi.AT_FDCWD,
                    cstr(arena, dir.resolve("other")), 0);
            assertErrno(Errno.ENOENT, submitOne(ring));
        }
    }

    @Test
    void linkatOfASymlinkLinksTheLinkUnlessAskedToFollow() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "t");
        Path sym = Files.createSymbolicLink(dir.resolve("sym"), Path.of("target"));
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            Path plain = dir.resolve("plain");
            ring.getSqe().prepLinkat(Uapi.AT_FDCWD, cstr(arena, sym), Uapi.AT_FDCWD, cstr(arena, plain), 0);
            assertEquals(0, submitOne(ring).res());
            assertTrue(Files.isSymbolicLink(plain));

            Path followed = dir.resolve("followed");
            ring.getSqe().prepLinkat(Uapi.AT_FDCWD, cstr(arena, sym), Uapi.AT_FDCWD, cstr(arena, followed),
                    Uapi.AT_SYMLINK_FOLLOW);
            assertEquals(0, submitOne(ring).res());
            assertFalse(Files.isSymbolicLink(followed));
            assertEquals(Files.getAttribute(target, "unix:ino"), Files.getAttribute(followed, "unix:ino"));
        }
    }

    @Test
    void symlinkatCreatesALinkWithTheGivenTarget() throws Exception {
        Path link = dir.resolve("link");
        Path dangling = dir.resolve("dangling");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd d = open(ring, arena, dir, Uapi.O_RDONLY | Uapi.O_DIRECTORY, 0)) {
            Files.writeString(dir.resolve("target"), "via link");
            ring.getSqe().prepSymlinkat(arena.allocateFrom("target"), Uapi.AT_FDCWD, cstr(arena, link));
            assertEquals(0, submitOne(ring).res());
            assertTrue(Files.isSymbolicLink(link));
            assertEquals(Path.of("target"), Files.readSymbolicLink(link));
            assertEquals("via link", Files.readString(link));

            // The target is stored as given; it need not exist. Relative to a dirfd here.
            ring.getSqe().prepSymlinkat(arena.allocateFrom("/no/such/target"), d.fd(), arena.allocateFrom("dangling"));
            assertEquals(0, submitOne(ring).res());
            assertEquals(Path.of("/no/such/target"), Files.readSymbolicLink(dangling));

            ring.getSqe().prepSymlinkat(arena.allocateFrom("target"), Uapi.AT_FDCWD, cstr(arena, link));
            assertErrno(Errno.EEXIST, submitOne(ring));
        }
    }

    // ------------------------------------------------------------------ FSYNC / SYNC_FILE_RANGE

    @Test
    void fsyncAndFdatasyncOfAWrittenFile() throws Exception {
        Path file = dir.resolve("synced");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_WRONLY | Uapi.O_CREAT, 0644)) {
            ring.getSqe().prepWrite(fd.raw(), segment(arena, pattern(8192, 1)), 0);
            assertEquals(8192, submitOne(ring).res());
            ring.getSqe().prepFsync(fd.raw(), 0).userData(1);
            assertEquals(new Cqe(1, 0, 0), submitOne(ring));
            ring.getSqe().prepFsync(fd.raw(), Uapi.IORING_FSYNC_DATASYNC).userData(2);
            assertEquals(new Cqe(2, 0, 0), submitOne(ring));

            // Unknown fsync flags are refused, as is a descriptor that is not open.
            ring.getSqe().prepFsync(fd.raw(), 2);
            assertErrno(Errno.EINVAL, submitOne(ring));
            ring.getSqe().prepFsync(Fd.raw(1 << 30), 0);
            assertErrno(Errno.EBADF, submitOne(ring));
        }
    }

    @Test
    void writeLinkedToFsyncCompletesInOrder() throws Exception {
        Path file = dir.resolve("linked");
        byte[] data = pattern(65536, 2);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_WRONLY | Uapi.O_CREAT, 0644)) {
            ring.getSqe().prepWrite(fd.raw(), segment(arena, data), 0).userData(1).link();
            ring.getSqe().prepFsync(fd.raw(), Uapi.IORING_FSYNC_DATASYNC).userData(2);
            assertEquals(2, ring.submit());
            // A link starts the fsync only after the write completed, so its completion comes second.
            assertEquals(new Cqe(1, data.length, 0), awaitCqe(ring));
            assertEquals(new Cqe(2, 0, 0), awaitCqe(ring));
            assertArrayEquals(data, Files.readAllBytes(file));
        }
    }

    @Test
    void syncFileRangeOfWrittenData() throws Exception {
        Path file = dir.resolve("range");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_WRONLY | Uapi.O_CREAT, 0644)) {
            ring.getSqe().prepWrite(fd.raw(), segment(arena, pattern(16384, 3)), 0);
            assertEquals(16384, submitOne(ring).res());
            int all = Uapi.SYNC_FILE_RANGE_WAIT_BEFORE | Uapi.SYNC_FILE_RANGE_WRITE | Uapi.SYNC_FILE_RANGE_WAIT_AFTER;
            ring.getSqe().prepSyncFileRange(fd.raw(), 8192, 4096, all);
            assertEquals(0, submitOne(ring).res());
            // Length 0 means "to the end of the file".
            ring.getSqe().prepSyncFileRange(fd.raw(), 0, 0, Uapi.SYNC_FILE_RANGE_WRITE);
            assertEquals(0, submitOne(ring).res());
            ring.getSqe().prepSyncFileRange(fd.raw(), 4096, 0, 8);
            assertErrno(Errno.EINVAL, submitOne(ring));
        }
    }

    // ------------------------------------------------------------------ FALLOCATE / FTRUNCATE

    private static long blocks(Ring ring, Arena arena, Path file) throws Exception {
        MemorySegment stx = arena.allocate(Layouts.STATX);
        ring.getSqe().prepStatx(Uapi.AT_FDCWD, cstr(arena, file), 0, Uapi.STATX_BLOCKS, stx);
        assertEquals(0, submitOne(ring).res());
        return stx.get(JAVA_LONG, Layouts.offsetOf(Layouts.STATX, "stx_blocks"));
    }

    @Test
    void fallocateGrowsTheFileUnlessKeepSize() throws Exception {
        Path file = dir.resolve("falloc");
        int mib = 1 << 20;
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDWR | Uapi.O_CREAT, 0644)) {
            ring.getSqe().prepFallocate(fd.raw(), 0, 0, mib);
            Cqe cqe = submitOne(ring);
            assumeTrue(cqe.res() != -Errno.EOPNOTSUPP.number(), "filesystem has no fallocate");
            assertEquals(0, cqe.res());
            assertEquals(mib, Files.size(file));
            long allocated = blocks(ring, arena, file);
            assertTrue(allocated * 512 >= mib, "fallocate reserved the space: " + allocated + " blocks");

            // KEEP_SIZE reserves blocks past EOF without changing the size.
            ring.getSqe().prepFallocate(fd.raw(), Uapi.FALLOC_FL_KEEP_SIZE, mib, mib);
            assertEquals(0, submitOne(ring).res());
            assertEquals(mib, Files.size(file));
            assertTrue(blocks(ring, arena, file) > allocated, "blocks beyond EOF were reserved");

            // Allocated but unwritten space reads as zeros.
            MemorySegment buf = arena.allocate(4096);
            buf.fill((byte) 1);
            ring.getSqe().prepRead(fd.raw(), buf, 4096);
            assertEquals(4096, submitOne(ring).res());
            assertArrayEquals(new byte[4096], buf.toArray(JAVA_BYTE));
        }
    }

    @Test
    void fallocatePunchHoleZeroesARange() throws Exception {
        Path file = dir.resolve("punch");
        Files.write(file, pattern(3 * 65536, 4));
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDWR, 0)) {
            ring.getSqe().prepFallocate(fd.raw(), Uapi.FALLOC_FL_PUNCH_HOLE | Uapi.FALLOC_FL_KEEP_SIZE, 65536, 65536);
            Cqe cqe = submitOne(ring);
            assumeTrue(cqe.res() != -Errno.EOPNOTSUPP.number(), "filesystem cannot punch holes");
            assertEquals(0, cqe.res());
            assertEquals(3 * 65536, Files.size(file));
            byte[] after = Files.readAllBytes(file);
            byte[] expected = pattern(3 * 65536, 4);
            Arrays.fill(expected, 65536, 2 * 65536, (byte) 0);
            assertArrayEquals(expected, after);
            // PUNCH_HOLE without KEEP_SIZE is invalid.
            ring.getSqe().prepFallocate(fd.raw(), Uapi.FALLOC_FL_PUNCH_HOLE, 0, 4096);
            assertErrno(Errno.EOPNOTSUPP, submitOne(ring));
        }
    }

    @Test
    void ftruncateShrinksAndExtends() throws Exception {
        KernelAssumptions.assumeOp(Opcode.FTRUNCATE);
        Path file = dir.resolve("trunc");
        Files.write(file, pattern(100, 5));
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDWR, 0);
             FileOpsSupport.OwnedFd ro = open(ring, arena, file, Uapi.O_RDONLY, 0)) {
            ring.getSqe().prepFtruncate(fd.raw(), 10);
            assertEquals(0, submitOne(ring).res());
            assertArrayEquals(Arrays.copyOf(pattern(100, 5), 10), Files.readAllBytes(file));

            ring.getSqe().prepFtruncate(fd.raw(), 6L << 30);
            assertEquals(0, submitOne(ring).res());
            assertEquals(6L << 30, Files.size(file), "a length over 4 GiB is not truncated to 32 bits");

            ring.getSqe().prepFtruncate(fd.raw(), 0);
            assertEquals(0, submitOne(ring).res());
            assertEquals(0, Files.size(file));

            // A descriptor not open for writing cannot truncate.
            ring.getSqe().prepFtruncate(ro.raw(), 5);
            assertErrno(Errno.EINVAL, submitOne(ring));
        }
    }

    // ------------------------------------------------------------------ FADVISE / MADVISE

    @Test
    void fadviseAcceptsEachAdviceAndRefusesAnUnknownOne() throws Exception {
        Path file = dir.resolve("advised");
        Files.write(file, pattern(65536, 6));
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDONLY, 0)) {
            for (int advice : new int[] {Uapi.POSIX_FADV_NORMAL, Uapi.POSIX_FADV_SEQUENTIAL, Uapi.POSIX_FADV_RANDOM,
                    Uapi.POSIX_FADV_WILLNEED, Uapi.POSIX_FADV_DONTNEED, Uapi.POSIX_FADV_NOREUSE}) {
                ring.getSqe().prepFadvise(fd.raw(), 0, 65536, advice).userData(advice);
                assertEquals(new Cqe(advice, 0, 0), submitOne(ring), "advice " + advice);
            }
            ring.getSqe().prepFadvise(fd.raw(), 0, 65536, 99);
            assertErrno(Errno.EINVAL, submitOne(ring));
            // The file is unchanged by any advice.
            MemorySegment buf = arena.allocate(65536);
            ring.getSqe().prepRead(fd.raw(), buf, 0);
            assertEquals(65536, submitOne(ring).res());
            assertArrayEquals(pattern(65536, 6), buf.toArray(JAVA_BYTE));
        }
    }

    @Test
    void madviseDontneedDropsAnonymousPages() throws Exception {
        long len = 4 * 4096;
        long addr = Syscalls.mmap(len, Uapi.PROT_READ | Uapi.PROT_WRITE, Uapi.MAP_PRIVATE | Uapi.MAP_ANONYMOUS, -1, 0);
        assertTrue(addr > 0 || addr < -4095, "mmap failed: -" + Errno.name((int) -addr));
        try (Ring ring = Ring.open(8)) {
            MemorySegment region = MemorySegment.ofAddress(addr).reinterpret(len);
            region.fill((byte) 0x5a);
            ring.getSqe().prepMadvise(region, Uapi.MADV_WILLNEED);
            assertEquals(0, submitOne(ring).res());
            assertEquals((byte) 0x5a, region.get(JAVA_BYTE, len - 1), "WILLNEED keeps the data");

            // On private anonymous memory, DONTNEED discards the pages: they read back as zeros.
            ring.getSqe().prepMadvise(region.asSlice(4096, 2 * 4096), Uapi.MADV_DONTNEED);
            assertEquals(0, submitOne(ring).res());
            assertEquals((byte) 0x5a, region.get(JAVA_BYTE, 4095));
            assertArrayEquals(new byte[2 * 4096], region.asSlice(4096, 2 * 4096).toArray(JAVA_BYTE));
            assertEquals((byte) 0x5a, region.get(JAVA_BYTE, 3 * 4096));

            // The start must be page-aligned.
            ring.getSqe().prepMadvise(region.asSlice(1, 4096), Uapi.MADV_DONTNEED);
            assertErrno(Errno.EINVAL, submitOne(ring));
        } finally {
            Syscalls.munmap(addr, len);
        }
    }

    @Test
    void madviseOnAnArenaSegment() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            MemorySegment seg = arena.allocate(8 * 4096, 4096);
            seg.fill((byte) 7);
            int[] advices = {Uapi.MADV_NORMAL, Uapi.MADV_RANDOM, Uapi.MADV_SEQUENTIAL, Uapi.MADV_WILLNEED};
            for (int advice : advices) {
                ring.getSqe().prepMadvise(seg, advice);
                assertEquals(0, submitOne(ring).res(), "advice " + advice);
            }
            assertEquals((byte) 7, seg.get(JAVA_BYTE, 5 * 4096));
        }
    }

    // ------------------------------------------------------------------ xattrs

    private static final String NAME = "user.uring4j.test";

    /** The first of {@code candidates} whose filesystem takes user xattrs (probed with FSETXATTR); skips if none. */
    private static Path xattrDir(Ring ring, Arena arena, Path... candidates) throws Exception {
        StringBuilder why = new StringBuilder();
        for (Path d : candidates) {
            Path probe = Files.writeString(d.resolve("xattr-probe"), "");
            try (FileOpsSupport.OwnedFd fd = open(ring, arena, probe, Uapi.O_RDWR, 0)) {
                ring.getSqe().prepFsetxattr(fd.raw(), arena.allocateFrom(NAME), segment(arena, "p"), 0);
                int res = submitOne(ring).res();
                if (res == 0) {
                    return d;
                }
                why.append(d).append(": -").append(Errno.name(res)).append("; ");
            } finally {
                Files.delete(probe);
            }
        }
        assumeTrue(false, "no user xattrs on " + why);
        return null;
    }

    @Test
    void fsetxattrAndFgetxattrRoundTrip(@TempDir(factory = ShmTempDir.class) Path shmDir) throws Exception {
        KernelAssumptions.assumeOp(Opcode.FSETXATTR);
        KernelAssumptions.assumeOp(Opcode.FGETXATTR);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            Path file = Files.writeString(xattrDir(ring, arena, dir, shmDir).resolve("fx"), "data");
            try (FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDWR, 0)) {
                MemorySegment name = arena.allocateFrom(NAME);
                ring.getSqe().prepFsetxattr(fd.raw(), name, segment(arena, "value-one"), Uapi.XATTR_CREATE);
                assertEquals(0, submitOne(ring).res());

                MemorySegment value = arena.allocate(255);
                ring.getSqe().prepFgetxattr(fd.raw(), name, value);
                int n = submitOne(ring).res();
                assertEquals("value-one".length(), n, "res is the value's length");
                assertEquals("value-one", ascii(value, n));
                assertEquals("value-one", javaXattr(file));

                ring.getSqe().prepFsetxattr(fd.raw(), name, segment(arena, "two"), Uapi.XATTR_CREATE);
                assertErrno(Errno.EEXIST, submitOne(ring));
                ring.getSqe().prepFsetxattr(fd.raw(), name, segment(arena, "two"), Uapi.XATTR_REPLACE);
                assertEquals(0, submitOne(ring).res());
                assertEquals("two", javaXattr(file));

                // A buffer too small for the value is ERANGE; a name never set is ENODATA.
                ring.getSqe().prepFgetxattr(fd.raw(), name, arena.allocate(2));
                assertErrno(Errno.ERANGE, submitOne(ring));
                MemorySegment other = arena.allocateFrom("user.uring4j.absent");
                ring.getSqe().prepFgetxattr(fd.raw(), other, value);
                assertErrno(Errno.ENODATA, submitOne(ring));
                ring.getSqe().prepFsetxattr(fd.raw(), other, segment(arena, "x"), Uapi.XATTR_REPLACE);
                assertErrno(Errno.ENODATA, submitOne(ring));
            }
        }
    }

    @Test
    void setxattrAndGetxattrByPath(@TempDir(factory = ShmTempDir.class) Path shmDir) throws Exception {
        KernelAssumptions.assumeOp(Opcode.SETXATTR);
        KernelAssumptions.assumeOp(Opcode.GETXATTR);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            Path file = Files.writeString(xattrDir(ring, arena, dir, shmDir).resolve("px"), "data");
            MemorySegment path = cstr(arena, file);
            MemorySegment name = arena.allocateFrom(NAME);
            ring.getSqe().prepSetxattr(path, name, segment(arena, "by path"), 0);
            assertEquals(0, submitOne(ring).res());
            assertEquals("by path", javaXattr(file));

            MemorySegment value = arena.allocate(255);
            ring.getSqe().prepGetxattr(path, name, value);
            int n = submitOne(ring).res();
            assertEquals("by path", ascii(value, n));

            // An empty value is legal and reads back as length 0.
            ring.getSqe().prepSetxattr(path, name, arena.allocate(0), Uapi.XATTR_REPLACE);
            assertEquals(0, submitOne(ring).res());
            ring.getSqe().prepGetxattr(path, name, value);
            assertEquals(0, submitOne(ring).res());

            ring.getSqe().prepGetxattr(cstr(arena, file.resolveSibling("missing")), name, value);
            assertErrno(Errno.ENOENT, submitOne(ring));
        }
    }

    /** The attribute as java.nio's user-defined attribute view (the "user." namespace) reads it. */
    private static String javaXattr(Path file) throws Exception {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        String key = NAME.substring("user.".length());
        ByteBuffer buf = ByteBuffer.allocate(view.size(key));
        view.read(key, buf);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
    }
}
