package org.uring4j.ring;

/**
 * The io_uring operations of Linux 6.18, in opcode order, spelled as liburing spells them without
 * the {@code IORING_OP_} prefix. Each names the kernel release that added it and the {@link Sqe}
 * method that prepares it; whether the running kernel has it is {@link Probe#isSupported(Opcode)}.
 */
public enum Opcode {
    NOP(Uapi.IORING_OP_NOP, "5.1", "prepNop"),
    READV(Uapi.IORING_OP_READV, "5.1", "prepReadv"),
    WRITEV(Uapi.IORING_OP_WRITEV, "5.1", "prepWritev"),
    FSYNC(Uapi.IORING_OP_FSYNC, "5.1", "prepFsync"),
    READ_FIXED(Uapi.IORING_OP_READ_FIXED, "5.1", "prepReadFixed"),
    WRITE_FIXED(Uapi.IORING_OP_WRITE_FIXED, "5.1", "prepWriteFixed"),
    POLL_ADD(Uapi.IORING_OP_POLL_ADD, "5.1", "prepPollAdd"),
    POLL_REMOVE(Uapi.IORING_OP_POLL_REMOVE, "5.1", "prepPollRemove"),
    SYNC_FILE_RANGE(Uapi.IORING_OP_SYNC_FILE_RANGE, "5.2", "prepSyncFileRange"),
    SENDMSG(Uapi.IORING_OP_SENDMSG, "5.3", "prepSendmsg"),
    RECVMSG(Uapi.IORING_OP_RECVMSG, "5.3", "prepRecvmsg"),
    TIMEOUT(Uapi.IORING_OP_TIMEOUT, "5.4", "prepTimeout"),
    TIMEOUT_REMOVE(Uapi.IORING_OP_TIMEOUT_REMOVE, "5.5", "prepTimeoutRemove"),
    ACCEPT(Uapi.IORING_OP_ACCEPT, "5.5", "prepAccept"),
    ASYNC_CANCEL(Uapi.IORING_OP_ASYNC_CANCEL, "5.5", "prepCancel"),
    LINK_TIMEOUT(Uapi.IORING_OP_LINK_TIMEOUT, "5.5", "prepLinkTimeout"),
    CONNECT(Uapi.IORING_OP_CONNECT, "5.5", "prepConnect"),
    FALLOCATE(Uapi.IORING_OP_FALLOCATE, "5.6", "prepFallocate"),
    OPENAT(Uapi.IORING_OP_OPENAT, "5.6", "prepOpenat"),
    CLOSE(Uapi.IORING_OP_CLOSE, "5.6", "prepClose"),
    FILES_UPDATE(Uapi.IORING_OP_FILES_UPDATE, "5.6", "prepFilesUpdate"),
    STATX(Uapi.IORING_OP_STATX, "5.6", "prepStatx"),
    READ(Uapi.IORING_OP_READ, "5.6", "prepRead"),
    WRITE(Uapi.IORING_OP_WRITE, "5.6", "prepWrite"),
    FADVISE(Uapi.IORING_OP_FADVISE, "5.6", "prepFadvise"),
    MADVISE(Uapi.IORING_OP_MADVISE, "5.6", "prepMadvise"),
    SEND(Uapi.IORING_OP_SEND, "5.6", "prepSend"),
    RECV(Uapi.IORING_OP_RECV, "5.6", "prepRecv"),
    OPENAT2(Uapi.IORING_OP_OPENAT2, "5.6", "prepOpenat2"),
    EPOLL_CTL(Uapi.IORING_OP_EPOLL_CTL, "5.6", "prepEpollCtl"),
    SPLICE(Uapi.IORING_OP_SPLICE, "5.7", "prepSplice"),
    PROVIDE_BUFFERS(Uapi.IORING_OP_PROVIDE_BUFFERS, "5.7", "prepProvideBuffers"),
    REMOVE_BUFFERS(Uapi.IORING_OP_REMOVE_BUFFERS, "5.7", "prepRemoveBuffers"),
    TEE(Uapi.IORING_OP_TEE, "5.8", "prepTee"),
    SHUTDOWN(Uapi.IORING_OP_SHUTDOWN, "5.11", "prepShutdown"),
    RENAMEAT(Uapi.IORING_OP_RENAMEAT, "5.11", "prepRenameat"),
    UNLINKAT(Uapi.IORING_OP_UNLINKAT, "5.11", "prepUnlinkat"),
    MKDIRAT(Uapi.IORING_OP_MKDIRAT, "5.15", "prepMkdirat"),
    SYMLINKAT(Uapi.IORING_OP_SYMLINKAT, "5.15", "prepSymlinkat"),
    LINKAT(Uapi.IORING_OP_LINKAT, "5.15", "prepLinkat"),
    MSG_RING(Uapi.IORING_OP_MSG_RING, "5.18", "prepMsgRing"),
    FSETXATTR(Uapi.IORING_OP_FSETXATTR, "5.19", "prepFsetxattr"),
    SETXATTR(Uapi.IORING_OP_SETXATTR, "5.19", "prepSetxattr"),
    FGETXATTR(Uapi.IORING_OP_FGETXATTR, "5.19", "prepFgetxattr"),
    GETXATTR(Uapi.IORING_OP_GETXATTR, "5.19", "prepGetxattr"),
    SOCKET(Uapi.IORING_OP_SOCKET, "5.19", "prepSocket"),
    URING_CMD(Uapi.IORING_OP_URING_CMD, "5.19", "prepUringCmd"),
    SEND_ZC(Uapi.IORING_OP_SEND_ZC, "6.0", "prepSendZc"),
    SENDMSG_ZC(Uapi.IORING_OP_SENDMSG_ZC, "6.1", "prepSendmsgZc"),
    READ_MULTISHOT(Uapi.IORING_OP_READ_MULTISHOT, "6.7", "prepReadMultishot"),
    WAITID(Uapi.IORING_OP_WAITID, "6.7", "prepWaitid"),
    FUTEX_WAIT(Uapi.IORING_OP_FUTEX_WAIT, "6.7", "prepFutexWait"),
    FUTEX_WAKE(Uapi.IORING_OP_FUTEX_WAKE, "6.7", "prepFutexWake"),
    FUTEX_WAITV(Uapi.IORING_OP_FUTEX_WAITV, "6.7", "prepFutexWaitv"),
    FIXED_FD_INSTALL(Uapi.IORING_OP_FIXED_FD_INSTALL, "6.8", "prepFixedFdInstall"),
    FTRUNCATE(Uapi.IORING_OP_FTRUNCATE, "6.9", "prepFtruncate"),
    BIND(Uapi.IORING_OP_BIND, "6.11", "prepBind"),
    LISTEN(Uapi.IORING_OP_LISTEN, "6.11", "prepListen"),
    RECV_ZC(Uapi.IORING_OP_RECV_ZC, "6.15", "prepRecvZc"),
    EPOLL_WAIT(Uapi.IORING_OP_EPOLL_WAIT, "6.15", "prepEpollWait"),
    READV_FIXED(Uapi.IORING_OP_READV_FIXED, "6.15", "prepReadvFixed"),
    WRITEV_FIXED(Uapi.IORING_OP_WRITEV_FIXED, "6.15", "prepWritevFixed"),
    PIPE(Uapi.IORING_OP_PIPE, "6.16", "prepPipe");

    private static final Opcode[] BY_CODE = values();

    private final int code;
    private final String since;
    private final String prepMethod;

    Opcode(int code, String since, String prepMethod) {
        this.code = code;
        this.since = since;
        this.prepMethod = prepMethod;
    }

    /** The opcode number ({@code IORING_OP_*}). */
    public int code() {
        return code;
    }

    /** The first Linux release with this op, e.g. "5.6". */
    public String since() {
        return since;
    }

    /** The name of the {@link Sqe} method that prepares this op, e.g. "prepOpenat2". */
    public String prepMethod() {
        return prepMethod;
    }

    /** The op with this number, or null if 6.18 defines none. */
    public static Opcode of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** The op's name for messages: {@code "OPENAT2"}, or {@code "op 99"} for an unknown number. */
    public static String name(int code) {
        Opcode op = of(code);
        return op != null ? op.name() : "op " + code;
    }
}
