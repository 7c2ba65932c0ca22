package org.uring4j.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.InterruptedByTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stream socket on the portable backend: a blocking {@link SocketChannel}. A timed-out
 * asynchronous read or write leaves its call running, as the JDK's asynchronous channels may:
 * what it transfers afterwards is lost.
 */
final class PortableSocket extends PortableDescriptor<SocketChannel> implements SocketIo {

    PortableSocket(PortableNet net, SocketChannel channel, ProtocolFamily family) {
        super(net, channel, family, false);
    }

    @Override
    public void bind(SocketAddress local) throws IOException {
        channel.bind(local);
    }

    @Override
    public CompletableFuture<Void> connect(SocketAddress remote) {
        return net.async(() -> {
            channel.connect(remote);
            return null;
        });
    }

    private static <T> CompletableFuture<T> timed(CompletableFuture<T> f, long timeoutNanos) {
        if (timeoutNanos <= 0) {
            return f;
        }
        return f.orTimeout(timeoutNanos, TimeUnit.NANOSECONDS).exceptionallyCompose(t -> {
            Throwable c = t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
            return CompletableFuture.failedFuture(c instanceof TimeoutException ? new InterruptedByTimeoutException() : c);
        });
    }

    @Override
    public CompletableFuture<Integer> read(MemorySegment dst, ByteBuffer advance, long timeoutNanos) {
        return timed(net.async(() -> readNow(dst, advance)), timeoutNanos);
    }

    @Override
    public int readNow(MemorySegment dst, ByteBuffer advance) throws IOException {
        int n = channel.read(dst.asByteBuffer());
        if (n > 0 && advance != null) {
            advance.position(advance.position() + n);
        }
        return n;
    }

    @Override
    public CompletableFuture<Integer> write(MemorySegment src, ByteBuffer advance, long timeoutNanos) {
        if (Chunks.inHandler() && timeoutNanos == 0) {
            // A receive handler (on its stream's virtual thread) answering: write on this thread, so
            // that its writes go out in order, as on io_uring, and a slow peer slows the stream down.
            try {
                return CompletableFuture.completedFuture(writeNow(src, advance));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        // A received chunk is valid only in its handler: the write runs on another thread, later.
        MemorySegment from = Chunks.isCurrent(src) ? MemorySegment.ofArray(src.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)) : src;
        return timed(net.async(() -> writeNow(from, advance)), timeoutNanos);
    }

    @Override
    public int writeNow(MemorySegment src, ByteBuffer advance) throws IOException {
        ByteBuffer b = src.asByteBuffer();
        int total = 0;
        while (b.hasRemaining()) {
            total += channel.write(b); // blocking mode: writes everything, or throws
        }
        if (advance != null) {
            advance.position(advance.position() + total);
        }
        return total;
    }

    @Override
    public Receiving receive(ReceiveHandler handler, Runnable closeSocket) {
        PortableReceiver r = new PortableReceiver(channel, handler, closeSocket);
        try {
            net.threads().execute(r::run);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            r.fail(NetErrors.asyncClosed());
        }
        return r;
    }

    @Override
    public void shutdown(int how) throws IOException {
        if (how == org.uring4j.ring.Uapi.SHUT_RD) {
            channel.shutdownInput();
        } else {
            channel.shutdownOutput();
        }
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        return channel.getRemoteAddress();
    }
}
