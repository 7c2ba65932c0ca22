package org.uring4j.net;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.InterruptedByTimeoutException;

import org.uring4j.Errno;
import org.uring4j.UringException;

/**
 * errno to the exception java.net and java.nio throw for it: {@link ConnectException} for a
 * refused or timed-out connect, {@link BindException} for an address in use, a
 * {@link SocketException} for a reset. The {@link UringException} naming the op, fd and errno is
 * the cause.
 */
final class NetErrors {
    private NetErrors() {
    }

    /** The exception for op {@code op} on {@code fd} failing with {@code errno} (either sign); {@code target} is an address or null. */
    static IOException of(String op, int errno, int fd, Object target) {
        int e = Math.abs(errno);
        UringException cause = new UringException(op, e, fd, target == null ? null : target.toString());
        // The JDK's words first (callers match on them), then the op, fd, address and errno.
        String why = " (" + cause.getMessage() + ")";
        IOException mapped;
        if (e == Errno.ECONNREFUSED.number()) {
            mapped = new ConnectException("Connection refused" + why);
        } else if (e == Errno.ETIMEDOUT.number() && op.equals("CONNECT")) {
            mapped = new ConnectException("Connection timed out" + why);
        } else if (e == Errno.EHOSTUNREACH.number() || e == Errno.ENETUNREACH.number()) {
            mapped = new NoRouteToHostException(Errno.of(e).message() + why);
        } else if ((e == Errno.EADDRINUSE.number() || e == Errno.EADDRNOTAVAIL.number() || e == Errno.EACCES.number())
                && (op.equalsIgnoreCase("BIND") || op.equalsIgnoreCase("LISTEN"))) {
            mapped = new BindException(Errno.of(e).message() + why);
        } else if (e == Errno.ECONNRESET.number()) {
            mapped = new SocketException("Connection reset" + why);
        } else if (e == Errno.EPIPE.number()) {
            mapped = new SocketException("Broken pipe" + why);
        } else if (e == Errno.ETIME.number()) {
            mapped = new InterruptedByTimeoutException();
        } else {
            mapped = new SocketException(cause.getMessage());
        }
        mapped.initCause(cause);
        return mapped;
    }

    /** What an operation started on a closed socket fails with. */
    static ClosedChannelException closed() {
        return new ClosedChannelException();
    }

    /** What an operation fails with when the socket is closed while it waits. */
    static AsynchronousCloseException asyncClosed() {
        return new AsynchronousCloseException();
    }

    /** What a blocking call fails with when its thread is interrupted (the socket is closed, as a SocketChannel's is). */
    static ClosedByInterruptException interrupted() {
        return new ClosedByInterruptException();
    }
}
