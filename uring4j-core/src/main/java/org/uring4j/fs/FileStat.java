package org.uring4j.fs;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

import org.uring4j.ring.Uapi;

/**
 * What {@code statx(2)} says about a file (STATX through the ring, or the syscall).
 *
 * @param mask           STATX_* bits: which fields the filesystem filled in
 * @param mode           type and permission bits ({@code st_mode})
 * @param size           size in bytes
 * @param blocks         512-byte blocks allocated
 * @param blockSize      preferred I/O block size
 * @param nlink          hard links
 * @param uid            owner
 * @param gid            group
 * @param inode          inode number
 * @param devMajor       major number of the device the file is on
 * @param devMinor       minor number of the device the file is on
 * @param rdevMajor      major number, for a device file
 * @param rdevMinor      minor number, for a device file
 * @param accessTime     last access, to the nanosecond
 * @param modifiedTime   last modification
 * @param changeTime     last status change
 * @param birthTime      creation, or null if the filesystem does not record it
 * @param attributes     STATX_ATTR_* flags
 * @param mountId        id of the mount the file is on
 * @param dioMemAlign    O_DIRECT memory alignment, 0 if O_DIRECT is unsupported or unknown
 * @param dioOffsetAlign O_DIRECT offset and length alignment, 0 if unsupported or unknown
 */
public record FileStat(int mask, int mode, long size, long blocks, int blockSize, int nlink, int uid, int gid,
                       long inode, int devMajor, int devMinor, int rdevMajor, int rdevMinor,
                       Instant accessTime, Instant modifiedTime, Instant changeTime, Instant birthTime,
                       long attributes, long mountId, int dioMemAlign, int dioOffsetAlign) {

    /** The STATX_* fields uring4j asks for. */
    static final int MASK = Uapi.STATX_BASIC_STATS | Uapi.STATX_BTIME | Uapi.STATX_MNT_ID | Uapi.STATX_DIOALIGN;

    /** Decodes a filled {@code struct statx}. */
    static FileStat of(MemorySegment s) {
        int mask = s.get(JAVA_INT, 0);
        return new FileStat(mask, Short.toUnsignedInt(s.get(JAVA_SHORT, 28)), s.get(JAVA_LONG, 40), s.get(JAVA_LONG, 48),
                s.get(JAVA_INT, 4), s.get(JAVA_INT, 16), s.get(JAVA_INT, 20), s.get(JAVA_INT, 24), s.get(JAVA_LONG, 32),
                s.get(JAVA_INT, 136), s.get(JAVA_INT, 140), s.get(JAVA_INT, 128), s.get(JAVA_INT, 132),
                time(s, 64), time(s, 112), time(s, 96), (mask & Uapi.STATX_BTIME) != 0 ? time(s, 80) : null,
                s.get(JAVA_LONG, 8), s.get(JAVA_LONG, 144), s.get(JAVA_INT, 152), s.get(JAVA_INT, 156));
    }

    private static Instant time(MemorySegment s, long off) {
        return Instant.ofEpochSecond(s.get(JAVA_LONG, off), Integer.toUnsignedLong(s.get(JAVA_INT, off + 8)));
    }

    /** The type bits of {@link #mode()}. */
    public int type() {
        return mode & Uapi.S_IFMT;
    }

    public boolean isRegularFile() {
        return type() == Uapi.S_IFREG;
    }

    public boolean isDirectory() {
        return type() == Uapi.S_IFDIR;
    }

    public boolean isSymbolicLink() {
        return type() == Uapi.S_IFLNK;
    }

    /** Neither regular file, directory nor symbolic link (a device, fifo or socket). */
    public boolean isOther() {
        return !isRegularFile() && !isDirectory() && !isSymbolicLink();
    }

    /** The permission bits as java.nio sees them. */
    public Set<PosixFilePermission> permissions() {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(order[i]);
            }
        }
        return set;
    }

    /** {@link #modifiedTime()} as a FileTime. */
    public FileTime lastModifiedFileTime() {
        return FileTime.from(modifiedTime);
    }
}
