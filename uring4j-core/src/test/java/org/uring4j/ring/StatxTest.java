package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.ring.FileOpsSupport.assertErrno;
import static org.uring4j.ring.FileOpsSupport.open;
import static org.uring4j.ring.FileOpsSupport.pattern;
import static org.uring4j.ring.FileOpsSupport.submitOne;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.Errno;
import org.uring4j.sys.Layouts;

/** STATX against what java.nio reads with stat(2) (after liburing's statx.c). */
class StatxTest {
    @TempDir
    Path dir;

    /** The fields of a {@code struct statx} the tests compare, read by C member name. */
    record Stx(int mask, int nlink, int uid, int gid, int mode, long ino, long size, long mtimeSec, int mtimeNsec,
               long ctimeSec, int ctimeNsec, int devMajor, int devMinor) {
        static Stx of(MemorySegment s) {
            return new Stx(s.get(JAVA_INT, off("stx_mask")), s.get(JAVA_INT, off("stx_nlink")),
                    s.get(JAVA_INT, off("stx_uid")), s.get(JAVA_INT, off("stx_gid")),
                    Short.toUnsignedInt(s.get(JAVA_SHORT, off("stx_mode"))), s.get(JAVA_LONG, off("stx_ino")),
                    s.get(JAVA_LONG, off("stx_size")), s.get(JAVA_LONG, off("stx_mtime", "tv_sec")),
                    s.get(JAVA_INT, off("stx_mtime", "tv_nsec")), s.get(JAVA_LONG, off("stx_ctime", "tv_sec")),
                    s.get(JAVA_INT, off("stx_ctime", "tv_nsec")), s.get(JAVA_INT, off("stx_dev_major")),
                    s.get(JAVA_INT, off("stx_dev_minor")));
        }

        private static long off(String... names) {
            PathElement[] path = new PathElement[names.length];
            for (int i = 0; i < names.length; i++) {
                path[i] = PathElement.groupElement(names[i]);
            }
            return Layouts.STATX.byteOffset(path);
        }

        int type() {
            return mode & Uapi.S_IFMT;
        }

        /** st_dev as glibc's makedev builds it, for comparison with "unix:dev". */
        long dev() {
            long major = Integer.toUnsignedLong(devMajor);
            long minor = Integer.toUnsignedLong(devMinor);
            return ((major & 0xfffL) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xffL) | ((minor & ~0xffL) << 12);
        }
    }

    private static MemorySegment statxBuf(Arena arena) {
        MemorySegment s = arena.allocate(Layouts.STATX);
        s.fill((byte) 0xa5);
        return s;
    }

    private static long nanos(Object fileTime) {
        Instant t = ((FileTime) fileTime).toInstant();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    @Test
    void statxOfAFileMatchesJavaNio() throws Exception {
        Path file = dir.resolve("file");
        Files.write(file, pattern(12345, 1));
        // A timestamp with every nanosecond digit set, so a truncation anywhere shows.
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(1_700_000_000L, 123_456_789)));
        Map<String, Object> nio = Files.readAttributes(file, "unix:*");
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            MemorySegment buf = statxBuf(arena);
            ring.getSqe().prepStatx(Uapi.AT_FDCWD, arena.allocateFrom(file.toString()), 0, Uapi.STATX_BASIC_STATS, buf)
                    .userData(3);
            Cqe cqe = submitOne(ring);
            assertEquals(new Cqe(3, 0, 0), cqe);
            Stx stx = Stx.of(buf);

            assertEquals(Uapi.STATX_BASIC_STATS, stx.mask() & Uapi.STATX_BASIC_STATS, "basic stats all reported");
            assertEquals(Uapi.S_IFREG, stx.type());
            assertEquals(nio.get("size"), stx.size());
            assertEquals(12345L, stx.size());
            assertEquals(nio.get("mode"), stx.mode());
            assertEquals(nio.get("ino"), stx.ino());
            assertEquals(nio.get("nlink"), stx.nlink());
            assertEquals(nio.get("uid"), stx.uid());
            assertEquals(nio.get("gid"), stx.gid());
            assertEquals(nio.get("dev"), stx.dev());
            assertEquals(1_700_000_000L, stx.mtimeSec());
            assertEquals(123_456_789, stx.mtimeNsec());
            assertEquals(nanos(nio.get("lastModifiedTime")), stx.mtimeSec() * 1_000_000_000L + stx.mtimeNsec());
            assertEquals(nanos(nio.get("ctime")), stx.ctimeSec() * 1_000_000_000L + stx.ctimeNsec());
        }
    }

    @Test
    void statxOfADirectory() throws Exception {
        Files.createDirectory(dir.resolve("sub"));
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            MemorySegment buf = statxBuf(arena);
            ring.getSqe().prepStatx(Uapi.AT_FDCWD, arena.allocateFrom(dir.toString()), 0, Uapi.STATX_BASIC_STATS, buf);
            assertEquals(0, submitOne(ring).res());
            Stx stx = Stx.of(buf);
            assertEquals(Uapi.S_IFDIR, stx.type());
            assertEquals(Files.getAttribute(dir, "unix:ino"), stx.ino());
            assertEquals(Files.getAttribute(dir, "unix:nlink"), stx.nlink());
            assertTrue(stx.nlink() >= 2);
        }
    }

    @Test
    void symlinkNoFollowDescribesTheLinkItself() throws Exception {
        Path target = dir.resolve("target");
        Files.write(target, pattern(100, 2));
        Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("target"));
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            MemorySegment path = arena.allocateFrom(link.toString());
            MemorySegment buf = statxBuf(arena);
            ring.getSqe().prepStatx(Uapi.AT_FDCWD, path, Uapi.AT_SYMLINK_NOFOLLOW, Uapi.STATX_BASIC_STATS, buf);
            assertEquals(0, submitOne(ring).res());
            Stx lnk = Stx.of(buf);
            assertEquals(Uapi.S_IFLNK, lnk.type());
            assertEquals("target".length(), lnk.size(), "a symlink's size is its target's length");
            assertEquals(Files.getAttribute(link, "unix:ino", LinkOption.NOFOLLOW_LINKS), lnk.ino());

            ring.getSqe().prepStatx(Uapi.AT_FDCWD, path, 0, Uapi.STATX_BASIC_STATS, buf);
            assertEquals(0, submitOne(ring).res());
            Stx followed = Stx.of(buf);
            assertEquals(Uapi.S_IFREG, followed.type());
            assertEquals(100, followed.size());
            assertEquals(Files.getAttribute(target, "unix:ino"), followed.ino());
        }
    }

    @Test
    void emptyPathStatsTheDirfdItself() throws Exception {
        Path file = dir.resolve("byfd");
        Files.write(file, pattern(777, 3));
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8);
             FileOpsSupport.OwnedFd fd = open(ring, arena, file, Uapi.O_RDONLY, 0);
             FileOpsSupport.OwnedFd dirFd = open(ring, arena, dir, Uapi.O_RDONLY | Uapi.O_DIRECTORY, 0)) {
            MemorySegment buf = statxBuf(arena);
            ring.getSqe().prepStatx(fd.fd(), arena.allocateFrom(""), Uapi.AT_EMPTY_PATH, Uapi.STATX_BASIC_STATS, buf);
            assertEquals(0, submitOne(ring).res());
            Stx stx = Stx.of(buf);
            assertEquals(Uapi.S_IFREG, stx.type());
            assertEquals(777, stx.size());
            assertEquals(Files.getAttribute(file, "unix:ino"), stx.ino());

            // A directory fd with AT_EMPTY_PATH stats the directory; with a name, the entry in it.
            ring.getSqe().prepStatx(dirFd.fd(), arena.allocateFrom(""), Uapi.AT_EMPTY_PATH, Uapi.STATX_BASIC_STATS,
                    buf);
            assertEquals(0, submitOne(ring).res());
            assertEquals(Uapi.S_IFDIR, Stx.of(buf).type());
            assertEquals(Files.getAttribute(dir, "unix:ino"), Stx.of(buf).ino());
            ring.getSqe().prepStatx(dirFd.fd(), arena.allocateFrom("byfd"), 0, Uapi.STATX_BASIC_STATS, buf);
            assertEquals(0, submitOne(ring).res());
            assertEquals(stx.ino(), Stx.of(buf).ino());

            // Without AT_EMPTY_PATH an empty name is an error.
            ring.getSqe().prepStatx(fd.fd(), arena.allocateFrom(""), 0, Uapi.STATX_BASIC_STATS, buf);
            assertErrno(Errno.ENOENT, submitOne(ring));
        }
    }

    @Test
    void statxOfAMissingPathIsEnoent() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            ring.getSqe().prepStatx(Uapi.AT_FDCWD, arena.allocateFrom(dir.resolve("missing").toString()), 0,
                    Uapi.STATX_BASIC_STATS, statxBuf(arena));
            assertErrno(Errno.ENOENT, submitOne(ring));
        }
    }

    @Test
    void statxIntoAnUnmappedBufferIsEfault() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            // Address 4096 is never mapped: the kernel's copy-out faults and reports it instead of crashing.
            MemorySegment bad = MemorySegment.ofAddress(4096).reinterpret(Layouts.STATX.byteSize());
            ring.getSqe().prepStatx(Uapi.AT_FDCWD, arena.allocateFrom(dir.toString()), 0, Uapi.STATX_BASIC_STATS, bad);
            assertErrno(Errno.EFAULT, submitOne(ring));
        }
    }
}
