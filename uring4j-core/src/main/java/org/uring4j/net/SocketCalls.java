package org.uring4j.net;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The socket system calls the ring has no op for (getsockname, getpeername, and setsockopt /
 * getsockopt, which the ring offers only as URING_CMD since 6.7), socket/bind/listen for
 * kernels without IORING_OP_SOCKET (5.19) or BIND/LISTEN (6.11), and the nonblocking send/recv a
 * caller tries before it hands a transfer to the ring. Each returns the result or a negative
 * errno, as {@code cqe->res} does; none blocks.
 */
final class SocketCalls {
    private SocketCalls() {
    }

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final ThreadLocal<MemorySegment> ERRNO_BOX =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final MethodHandle GETSOCKNAME = handle("getsockname", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle GETPEERNAME = handle("getpeername", JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SETSOCKOPT = handle("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETSOCKOPT = handle("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SOCKET = handle("socket", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle BIND = handle("bind", JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LISTEN = handle("listen", JAVA_INT, JAVA_INT);
    private static final MethodHandle SHUTDOWN = handle("shutdown", JAVA_INT, JAVA_INT);
    private static final MethodHandle CLOSE = handle("close", JAVA_INT);
    /**
     * send/recv as critical downcalls that may take heap segments: only ever called with
     * MSG_DONTWAIT, so they copy what the socket has room or data for and never wait.
     */
    private static final MethodHandle SEND = LINKER.downcallHandle(LIBC.find("send").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE, Linker.Option.critical(true));
    private static final MethodHandle RECV = LINKER.downcallHandle(LIBC.find("recv").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE, Linker.Option.critical(true));

    /** {@code int name(args...)} from libc, taking the errno capture buffer first. */
    private static MethodHandle handle(String name, MemoryLayout... args) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), FunctionDescriptor.of(JAVA_INT, args), CAPTURE);
    }

    private static int result(int r, MemorySegment box) {
        return r == -1 ? -(int) ERRNO.get(box, 0L) : r;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** getsockname(2) into {@code addr} (a sockaddr_storage), its length written to {@code len}: 0 or -errno. */
    static int getsockname(int fd, MemorySegment addr, MemorySegment len) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            return result((int) GETSOCKNAME.invokeExact(box, fd, addr, len), box);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getpeername(2): 0 or -errno (ENOTCONN if not connected). */
    static int getpeername(int fd, MemorySegment addr, MemorySegment len) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            return result((int) GETPEERNAME.invokeExact(box, fd, addr, len), box);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt(2): 0 or -errno. */
    static int setsockopt(int fd, int level, int name, MemorySegment value) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            return result((int) SETSOCKOPT.invokeExact(box, fd, level, name, value, (int) value.byteSize()), box);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockopt(2) into {@code value}, its length in and out through {@code len}: 0 or -errno. */
    static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment len) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            return result((int) GETSOCKOPT.invokeExact(box, fd, level, name, value, len), box);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** socket(2): an fd or -errno. */
    static int socket(int domain, int type, int protocol) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            return result((int) SOCKET.invokeExact(box, domain, type, protocol), box);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** bind(2): 0 or -errno. */
    static int bind(int fd, MemorySegment addr) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            return result((int) BIND.invokeExact(box, fd, addr, (int) addr.byteSize()), box);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** listen(2): 0 or -errno. */
    static int listen(int fd, int backlog) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            return result((int) LISTEN.invokeExact(box, fd, backlog), box);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** shutdown(2): 0 or -errno. */
    static int shutdown(int fd, int how) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            return result((int) SHUTDOWN.invokeExact(box, fd, how), box);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** send(2) of {@code buf} (native or heap) with {@code flags}, which must hold MSG_DONTWAIT: bytes sent, or -errno. */
    static long sendNow(int fd, MemorySegment buf, int flags) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            long r = (long) SEND.invokeExact(box, fd, buf, buf.byteSize(), flags);
            return r == -1 ? -(int) ERRNO.get(box, 0L) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** recv(2) into {@code buf} (native or heap) with {@code flags}, which must hold MSG_DONTWAIT: bytes, 0 at EOF, or -errno. */
    static long recvNow(int fd, MemorySegment buf, int flags) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            long r = (long) RECV.invokeExact(box, fd, buf, buf.byteSize(), flags);
            return r == -1 ? -(int) ERRNO.get(box, 0L) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** close(2): 0 or -errno. Not retried on EINTR: Linux has released the descriptor either way. */
    static int close(int fd) {
        MemorySegment box = ERRNO_BOX.get();
        try {
            return result((int) CLOSE.invokeExact(box, fd), box);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
