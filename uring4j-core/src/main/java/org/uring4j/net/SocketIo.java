package org.uring4j.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A stream socket as a backend implements it: {@link RingSocket} through io_uring,
 * {@link PortableSocket} through a blocking {@link java.nio.channels.SocketChannel} on virtual
 * threads. {@link UringSocket} is the public face of both and keeps the state checks (connected,
 * shut down, closed) that must behave the same on each.
 */
interface SocketIo {
    ProtocolFamily family();

    void bind(SocketAddress local) throws IOException;

    CompletableFuture<Void> connect(SocketAddress remote);

    /**
     * Receives into {@code dst} (at most its size); the count, or -1 at end of stream. {@code advance},
     * if not null, is the buffer {@code dst} views: its position moves by the count.
     * {@code timeoutNanos} 0 waits for ever.
     */
    CompletableFuture<Integer> read(MemorySegment dst, ByteBuffer advance, long timeoutNanos);

    /** The blocking form of {@link #read}, on the caller's thread where the backend can. */
    int readNow(MemorySegment dst, ByteBuffer advance) throws IOException;

    /** Sends all of {@code src}; the count. */
    CompletableFuture<Integer> write(MemorySegment src, ByteBuffer advance, long timeoutNanos);

    /** The blocking form of {@link #write}. */
    int writeNow(MemorySegment src, ByteBuffer advance) throws IOException;

    /**
     * Starts a stream receive handing each chunk to {@code handler} (see
     * {@link UringSocket#receive}); {@code closeSocket} closes the public socket (when the handler throws).
     */
    Receiving receive(ReceiveHandler handler, Runnable closeSocket);

    /** shutdown(2) with SHUT_RD or SHUT_WR. */
    void shutdown(int how) throws IOException;

    <T> void setOption(SocketOption<T> name, T value) throws IOException;

    /** {@link UringSocketOptions#SEND_ZEROCOPY_THRESHOLD} changed (checked already); backends without zero-copy sends ignore it. */
    default void sendZeroCopyThreshold(int bytes) {
    }

    <T> T getOption(SocketOption<T> name) throws IOException;

    Set<SocketOption<?>> supportedOptions();

    /** The bound address, or null if unbound. */
    SocketAddress localAddress() throws IOException;

    /** The peer's address, or null if not connected. */
    SocketAddress remoteAddress() throws IOException;

    /**
     * Closes: operations waiting in the kernel fail with AsynchronousCloseException; the future
     * completes once the descriptor is closed.
     */
    CompletableFuture<Void> close();
}
