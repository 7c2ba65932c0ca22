package org.uring4j.sys;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;

/**
 * The kernel structs io_uring reads and writes, as FFM layouts whose member names are the C
 * member names (for a union, its first or most used member). The {@code OFF_*} constants are the
 * byte offsets the hot path uses; {@code LayoutsTest} proves each equals its layout, and the C
 * cross-check proves the layouts equal the system headers.
 */
public final class Layouts {
    private Layouts() {
    }

    private static MemoryLayout u8(String n) {
        return JAVA_BYTE.withName(n);
    }

    private static MemoryLayout u16(String n) {
        return JAVA_SHORT.withName(n);
    }

    private static MemoryLayout u32(String n) {
        return JAVA_INT.withName(n);
    }

    private static MemoryLayout u64(String n) {
        return JAVA_LONG.withName(n);
    }

    private static MemoryLayout pad(long bytes) {
        return MemoryLayout.paddingLayout(bytes);
    }

    /** {@code struct io_uring_sqe}: 64 bytes (128 with IORING_SETUP_SQE128). */
    public static final StructLayout IO_URING_SQE = MemoryLayout.structLayout(
            u8("opcode"), u8("flags"), u16("ioprio"), u32("fd"),
            u64("off"), u64("addr"), u32("len"), u32("rw_flags"),
            u64("user_data"), u16("buf_index"), u16("personality"), u32("file_index"),
            u64("addr3"), u64("__pad2")).withName("io_uring_sqe");

    public static final long SQE_SIZE = 64;
    public static final long OFF_SQE_OPCODE = 0;
    public static final long OFF_SQE_FLAGS = 1;
    public static final long OFF_SQE_IOPRIO = 2;
    public static final long OFF_SQE_FD = 4;
    /** off / addr2 / cmd_op. */
    public static final long OFF_SQE_OFF = 8;
    /** addr / splice_off_in / level+optname. */
    public static final long OFF_SQE_ADDR = 16;
    public static final long OFF_SQE_LEN = 24;
    /** The 32-bit op-flags union: rw_flags, open_flags, timeout_flags, ... */
    public static final long OFF_SQE_OP_FLAGS = 28;
    public static final long OFF_SQE_USER_DATA = 32;
    /** buf_index / buf_group. */
    public static final long OFF_SQE_BUF_INDEX = 40;
    public static final long OFF_SQE_PERSONALITY = 42;
    /** splice_fd_in / file_index / optlen / addr_len / zcrx_ifq_idx. */
    public static final long OFF_SQE_FILE_INDEX = 44;
    /** addr3 / optval / attr_ptr; with SQE128, 80 bytes of cmd data start here. */
    public static final long OFF_SQE_ADDR3 = 48;

    /** {@code struct io_uring_cqe}: 16 bytes (32 with IORING_SETUP_CQE32). */
    public static final StructLayout IO_URING_CQE = MemoryLayout.structLayout(
            u64("user_data"), u32("res"), u32("flags")).withName("io_uring_cqe");
    public static final long CQE_SIZE = 16;
    public static final long OFF_CQE_USER_DATA = 0;
    public static final long OFF_CQE_RES = 8;
    public static final long OFF_CQE_FLAGS = 12;

    public static final StructLayout IO_SQRING_OFFSETS = MemoryLayout.structLayout(
            u32("head"), u32("tail"), u32("ring_mask"), u32("ring_entries"), u32("flags"),
            u32("dropped"), u32("array"), u32("resv1"), u64("user_addr")).withName("io_sqring_offsets");

    public static final StructLayout IO_CQRING_OFFSETS = MemoryLayout.structLayout(
            u32("head"), u32("tail"), u32("ring_mask"), u32("ring_entries"), u32("overflow"),
            u32("cqes"), u32("flags"), u32("resv1"), u64("user_addr")).withName("io_cqring_offsets");

    public static final StructLayout IO_URING_PARAMS = MemoryLayout.structLayout(
            u32("sq_entries"), u32("cq_entries"), u32("flags"), u32("sq_thread_cpu"),
            u32("sq_thread_idle"), u32("features"), u32("wq_fd"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            IO_SQRING_OFFSETS.withName("sq_off"), IO_CQRING_OFFSETS.withName("cq_off"))
            .withName("io_uring_params");

    /** {@code struct open_how} (linux/openat2.h). */
    public static final StructLayout OPEN_HOW = MemoryLayout.structLayout(
            u64("flags"), u64("mode"), u64("resolve")).withName("open_how");

    /** {@code struct __kernel_timespec}. */
    public static final StructLayout KERNEL_TIMESPEC = MemoryLayout.structLayout(
            u64("tv_sec"), u64("tv_nsec")).withName("__kernel_timespec");

    /** {@code struct statx_timestamp}. */
    public static final StructLayout STATX_TIMESTAMP = MemoryLayout.structLayout(
            u64("tv_sec"), u32("tv_nsec"), u32("__reserved")).withName("statx_timestamp");

    /** {@code struct statx}: 256 bytes. */
    public static final StructLayout STATX = MemoryLayout.structLayout(
            u32("stx_mask"), u32("stx_blksize"), u64("stx_attributes"),
            u32("stx_nlink"), u32("stx_uid"), u32("stx_gid"), u16("stx_mode"), pad(2),
            u64("stx_ino"), u64("stx_size"), u64("stx_blocks"), u64("stx_attributes_mask"),
            STATX_TIMESTAMP.withName("stx_atime"), STATX_TIMESTAMP.withName("stx_btime"),
            STATX_TIMESTAMP.withName("stx_ctime"), STATX_TIMESTAMP.withName("stx_mtime"),
            u32("stx_rdev_major"), u32("stx_rdev_minor"), u32("stx_dev_major"), u32("stx_dev_minor"),
            u64("stx_mnt_id"), u32("stx_dio_mem_align"), u32("stx_dio_offset_align"),
            pad(256 - 160)).withName("statx");

    public static final StructLayout IO_URING_GETEVENTS_ARG = MemoryLayout.structLayout(
            u64("sigmask"), u32("sigmask_sz"), u32("min_wait_usec"), u64("ts"))
            .withName("io_uring_getevents_arg");

    public static final StructLayout IO_URING_RSRC_REGISTER = MemoryLayout.structLayout(
            u32("nr"), u32("flags"), u64("resv2"), u64("data"), u64("tags")).withName("io_uring_rsrc_register");

    public static final StructLayout IO_URING_RSRC_UPDATE = MemoryLayout.structLayout(
            u32("offset"), u32("resv"), u64("data")).withName("io_uring_rsrc_update");

    public static final StructLayout IO_URING_RSRC_UPDATE2 = MemoryLayout.structLayout(
            u32("offset"), u32("resv"), u64("data"), u64("tags"), u32("nr"), u32("resv2"))
            .withName("io_uring_rsrc_update2");

    public static final StructLayout IO_URING_PROBE_OP = MemoryLayout.structLayout(
            u8("op"), u8("resv"), u16("flags"), u32("resv2")).withName("io_uring_probe_op");

    /** {@code struct io_uring_probe} without its flexible {@code ops[]} array. */
    public static final StructLayout IO_URING_PROBE = MemoryLayout.structLayout(
            u8("last_op"), u8("ops_len"), u16("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2")).withName("io_uring_probe");

    public static final StructLayout IO_URING_RESTRICTION = MemoryLayout.structLayout(
            u16("opcode"), u8("register_op"), u8("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2")).withName("io_uring_restriction");

    public static final StructLayout IO_URING_BUF = MemoryLayout.structLayout(
            u64("addr"), u32("len"), u16("bid"), u16("resv")).withName("io_uring_buf");
    /** Byte offset of {@code io_uring_buf_ring.tail} (overlays bufs[0].resv). */
    public static final long OFF_BUF_RING_TAIL = 14;

    public static final StructLayout IO_URING_BUF_REG = MemoryLayout.structLayout(
            u64("ring_addr"), u32("ring_entries"), u16("bgid"), u16("flags"),
            MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("resv")).withName("io_uring_buf_reg");

    public static final StructLayout IO_URING_BUF_STATUS = MemoryLayout.structLayout(
            u32("buf_group"), u32("head"), MemoryLayout.sequenceLayout(8, JAVA_INT).withName("resv"))
            .withName("io_uring_buf_status");

    public static final StructLayout IO_URING_SYNC_CANCEL_REG = MemoryLayout.structLayout(
            u64("addr"), u32("fd"), u32("flags"), KERNEL_TIMESPEC.withName("timeout"), u8("opcode"),
            MemoryLayout.sequenceLayout(7, JAVA_BYTE).withName("pad"),
            MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("pad2")).withName("io_uring_sync_cancel_reg");

    public static final StructLayout IO_URING_FILE_INDEX_RANGE = MemoryLayout.structLayout(
            u32("off"), u32("len"), u64("resv")).withName("io_uring_file_index_range");

    public static final StructLayout IO_URING_RECVMSG_OUT = MemoryLayout.structLayout(
            u32("namelen"), u32("controllen"), u32("payloadlen"), u32("flags")).withName("io_uring_recvmsg_out");

    /** {@code struct iovec}. */
    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            u64("iov_base"), u64("iov_len")).withName("iovec");

    /** {@code struct futex_waitv} (linux/futex.h). */
    public static final StructLayout FUTEX_WAITV = MemoryLayout.structLayout(
            u64("val"), u64("uaddr"), u32("flags"), u32("__reserved")).withName("futex_waitv");

    /** {@code struct epoll_event}: packed on x86-64. */
    public static final StructLayout EPOLL_EVENT = MemoryLayout.structLayout(
            u32("events"), JAVA_LONG.withByteAlignment(4).withName("data")).withName("epoll_event");

    /** {@code struct msghdr}. */
    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            u64("msg_name"), u32("msg_namelen"), pad(4), u64("msg_iov"), u64("msg_iovlen"),
            u64("msg_control"), u64("msg_controllen"), u32("msg_flags"), pad(4)).withName("msghdr");

    /** {@code struct sockaddr_in}. */
    public static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
            u16("sin_family"), JAVA_SHORT.withOrder(java.nio.ByteOrder.BIG_ENDIAN).withName("sin_port"),
            JAVA_INT.withOrder(java.nio.ByteOrder.BIG_ENDIAN).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero")).withName("sockaddr_in");

    /** {@code siginfo_t}: 128 bytes; the fields waitid fills. */
    public static final StructLayout SIGINFO = MemoryLayout.structLayout(
            u32("si_signo"), u32("si_errno"), u32("si_code"), pad(4),
            u32("si_pid"), u32("si_uid"), u32("si_status"), pad(128 - 28)).withName("siginfo_t");

    /** Byte offset of {@code member} in {@code layout}, by C name; for tests and cold paths. */
    public static long offsetOf(StructLayout layout, String member) {
        return layout.byteOffset(PathElement.groupElement(member));
    }
}
