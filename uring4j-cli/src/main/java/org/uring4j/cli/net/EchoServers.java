package org.uring4j.cli.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.uring4j.net.ReceiveHandler;
import org.uring4j.net.Receiving;
import org.uring4j.net.UringNet;
import org.uring4j.net.UringServerSocket;
import org.uring4j.net.UringSocket;
import org.uring4j.nio.HandlerThreads;
import org.uring4j.nio.UringAsynchronousServerSocketChannel;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.LoopOptions;

/**
 * The echo servers {@code echo-server} runs and {@code net-bench} compares: uring4j's (one
 * asynchronous receive-then-send chain per connection, on the event loops; with a native buffer
 * per connection, or none, receiving through the provided-buffer ring), the JDK's
 * virtual-thread-per-connection server on blocking SocketChannels, the JDK's
 * AsynchronousServerSocketChannel on a fixed group of threads, and Netty's ({@link NettyEcho}).
 */
final class EchoServers {
    private EchoServers() {
    }

    /** Size of each connection's buffer. */
    static final int BUFFER = 16 * 1024;

    enum Engine {
        URING("uring"), URING_MULTISHOT("uring-multishot"), URING_PROVIDED("uring-provided"), URING_VTHREAD("uring-vthread"),
        URING_NIO2("uring-nio2"), VTHREAD("jdk-vthread"), NIO2("jdk-nio2"),
        NETTY_IO_URING("netty-io_uring"), NETTY_EPOLL("netty-epoll"), NETTY_NIO("netty-nio");

        final String label;

        Engine(String label) {
            this.label = label;
        }

        static Engine parse(String s) {
            for (Engine e : values()) {
                if (e.label.equals(s) || e.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return e;
                }
            }
            throw new IllegalArgumentException("--engine " + s + ": expected uring, uring-multishot, uring-provided, uring-vthread, "
                    + "uring-nio2, jdk-vthread, jdk-nio2, netty-io_uring, netty-epoll or netty-nio");
        }
    }

    /** A running server: its address, and how to stop it. */
    interface Running extends AutoCloseable {
        SocketAddress address() throws IOException;

        @Override
        void close() throws IOException;
    }

    static Running start(Engine engine, InetSocketAddress bind, int loops) throws IOException {
        return switch (engine) {
            case URING -> uring(bind, loops, Kind.OWN_BUFFER);
            case URING_MULTISHOT -> uring(bind, loops, Kind.MULTISHOT);
            case URING_PROVIDED -> uring(bind, loops, Kind.PROVIDED);
            case URING_VTHREAD -> uringVthread(bind, loops);
            case URING_NIO2 -> uringNio2(bind, loops);
            case VTHREAD -> vthread(bind);
            case NIO2 -> nio2(bind, loops);
            case NETTY_IO_URING -> NettyEcho.start(NettyEcho.Transport.IO_URING, bind, loops);
            case NETTY_EPOLL -> NettyEcho.start(NettyEcho.Transport.EPOLL, bind, loops);
            case NETTY_NIO -> NettyEcho.start(NettyEcho.Transport.NIO, bind, loops);
        };
    }

    // ------------------------------------------------------------------ uring4j

    /** How uring4j's server receives: see {@link UringEcho}, {@link StreamEcho}, {@link ProvidedEcho}. */
    private enum Kind {
        OWN_BUFFER("uring"), MULTISHOT("uring-multishot"), PROVIDED("uring-provided");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /**
     * A net of {@code loops} loops for engine {@code label}: an engine that needs io_uring fails
     * where it is unavailable; any other says it serves on the portable backend, never a silent
     * fallback (a comparison would otherwise measure the portable backend as uring4j's).
     */
    private static UringNet openNet(int loops, String label, boolean needsRing) throws IOException {
        UringNet net = UringNet.open(loops, new LoopOptions());
        if (net.unavailability() != null) {
            if (needsRing) {
                net.close();
                throw new IOException("echo-server --engine " + label + " needs io_uring (its provided-buffer rings): "
                        + net.unavailability().getMessage());
            }
            System.err.println("uring4j echo-server: io_uring is unavailable (" + net.unavailability().getMessage()
                    + "); serving on the portable backend");
        }
        return net;
    }

    /** {@code net}'s listening socket on {@code bind}; {@code net} closed if that fails. */
    private static UringServerSocket listen(UringNet net, InetSocketAddress bind) throws IOException {
        try {
            return net.listen(bind, 4096);
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
    }

    private static Running uring(InetSocketAddress bind, int loops, Kind kind) throws IOException {
        UringNet net = openNet(loops, kind.label, kind != Kind.OWN_BUFFER);
        UringServerSocket server = listen(net, bind);
        acceptNext(server, kind);
        return new Running() {
            @Override
            public SocketAddress address() throws IOException {
                return server.localAddress();
            }

            @Override
            public void close() throws IOException {
                net.close();
            }
        };
    }

    private static void acceptNext(UringServerSocket server, Kind kind) {
        server.acceptAsync().whenComplete((s, t) -> {
            if (t != null) {
                return; // closed
            }
            try {
                s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            } catch (IOException e) {
                s.close();
            }
            switch (kind) {
                case MULTISHOT -> StreamEcho.start(s);
                // Not on this (the server's) loop thread: the socket may live on another loop, whose
                // completions would then copy into this thread's scratch while this thread uses it.
                // A virtual thread's scratch is its own; later rounds run on the socket's loop.
                case PROVIDED -> Thread.ofVirtual().start(new ProvidedEcho(s)::receive);
                // Native memory: received into and sent from in place, no copy either way.
                case OWN_BUFFER -> new UringEcho(s, Arena.ofAuto().allocate(BUFFER)).receive();
            }
            acceptNext(server, kind);
        });
    }

    /** One connection: receive into its native buffer, send it back from there, again. */
    private static final class UringEcho extends EchoRounds<MemorySegment> {
        private final MemorySegment buffer;

        UringEcho(UringSocket socket, MemorySegment buffer) {
            super(socket);
            this.buffer = buffer;
        }

        @Override
        MemorySegment buffer() {
            return buffer;
        }

        @Override
        CompletableFuture<Integer> read(MemorySegment buffer) {
            return socket.readAsync(buffer);
        }

        @Override
        CompletableFuture<Integer> echo(MemorySegment buffer, int n) {
            return socket.writeAsync(buffer.asSlice(0, n));
        }
    }

    /**
     * Receive-then-send rounds of one connection, {@code B} the memory a round receives into.
     * Callbacks run on the loop; transfers made inline return completed futures, handled in a
     * loop here rather than by callbacks nested ever deeper, and after a run of them the
     * connection lets others have the loop (its next round starts on a virtual thread).
     */
    private abstract static class EchoRounds<B> {
        private static final int INLINE_ROUNDS = 16;
        final UringSocket socket;

        EchoRounds(UringSocket socket) {
            this.socket = socket;
        }

        /** The memory this thread's rounds receive into. */
        abstract B buffer();

        abstract CompletableFuture<Integer> read(B buffer);

        /** Sends back the {@code n} bytes the last read put into {@code buffer}. */
        abstract CompletableFuture<Integer> echo(B buffer, int n);

        final void receive() {
            B buffer = buffer();
            for (int round = 0; round < INLINE_ROUNDS; round++) {
                CompletableFuture<Integer> read = read(buffer);
                if (!read.isDone()) {
                    read.whenComplete((n, t) -> {
                        if (t == null && n >= 0) {
                            echo(buffer, n).whenComplete((w, x) -> afterSend(x));
                        } else {
                            socket.close();
                        }
                    });
                    return;
                }
                int n = read.isCompletedExceptionally() ? -1 : read.join();
                if (n < 0) {
                    socket.close();
                    return;
                }
                CompletableFuture<Integer> write = echo(buffer, n);
                if (!write.isDone()) {
                    write.whenComplete((w, t) -> afterSend(t));
                    return;
                }
                if (write.isCompletedExceptionally()) {
                    socket.close();
                    return;
                }
            }
            Thread.ofVirtual().start(this::receive);
        }

        private void afterSend(Throwable t) {
            if (t != null) {
                socket.close();
            } else {
                receive();
            }
        }
    }

    /**
     * One connection on a stream receive ({@link UringSocket#receive}): one multishot RECV into the
     * loop's provided-buffer ring serves the connection's life, so a round trip costs the ring one
     * request, the SEND of the echo (copied from the provided buffer by writeAsync, as the buffer
     * goes back to the kernel when the handler returns). Everything runs on the loop thread. One
     * send at a time keeps the echo in order: chunks that arrive while one is out are gathered and
     * sent after it, and past {@link #MAX_PENDING} bytes gathered the stream pauses (the client then
     * meets TCP's flow control) until they are out.
     */
    private static final class StreamEcho implements ReceiveHandler, BiConsumer<Integer, Throwable> {
        private static final int MAX_PENDING = 256 * 1024;
        private final UringSocket socket;
        private volatile Receiving receiving;
        private boolean sending;
        private boolean ended;
        private byte[] pending;
        private int pendingLength;

        private StreamEcho(UringSocket socket) {
            this.socket = socket;
        }

        static void start(UringSocket s) {
            StreamEcho e = new StreamEcho(s);
            try {
                e.receiving = s.receive(e);
            } catch (IOException x) {
                s.close();
            }
        }

        @Override
        public boolean onData(MemorySegment data) {
            if (!sending) {
                sending = true;
                socket.writeAsync(data).whenComplete(this);
                return true;
            }
            int n = (int) data.byteSize();
            if (pending == null || pending.length < pendingLength + n) {
                pending = Arrays.copyOf(pending == null ? new byte[0] : pending, Math.max(BUFFER, 2 * (pendingLength + n)));
            }
            MemorySegment.copy(data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, pending, pendingLength, n);
            pendingLength += n;
            return pendingLength < MAX_PENDING;
        }

        /** A send completed (on the loop thread): send what gathered meanwhile, or finish after the end. */
        @Override
        public void accept(Integer sent, Throwable failure) {
            sending = false;
            if (failure != null) {
                socket.close();
                return;
            }
            if (pendingLength > 0) {
                byte[] out = Arrays.copyOf(pending, pendingLength);
                pendingLength = 0;
                sending = true;
                socket.writeAsync(out, 0, out.length).whenComplete(this);
                if (receiving != null && receiving.isPaused()) {
                    receiving.resume();
                }
            } else if (ended) {
                socket.close();
            }
        }

        @Override
        public void onEnd() {
            ended = true;
            if (!sending) {
                socket.close();
            }
        }

        @Override
        public void onError(Throwable error) {
            socket.close();
        }
    }

    /**
     * One connection that holds no buffer of its own: each receive goes into the calling thread's
     * scratch array, so the one the ring waits on takes a buffer from the loop's provided-buffer
     * ring only when data arrives, and the echo is sent from a copy (the part of a send that does
     * not go inline is copied later, when its request is prepared). What a server of many idle
     * connections would do; the copies make it slower than {@link UringEcho}.
     *
     * <p>Sharing is safe because the scratch of a loop thread is only written there: a receive's
     * completion copies into it and runs this connection's callback, which copies it out, before
     * the loop handles the next completion. A round on a virtual thread uses a small array of its
     * own (a read it leaves waiting holds that array until data comes: an idle connection must not
     * hold 16 KiB). So a round must start on the socket's own loop or on a virtual thread, never on
     * another loop's thread (the first one, started from the accept on the server's loop, runs on a
     * virtual thread).
     */
    private static final class ProvidedEcho extends EchoRounds<byte[]> {
        private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[BUFFER]);
        private static final int OFF_LOOP_SCRATCH = 512;

        ProvidedEcho(UringSocket socket) {
            super(socket);
        }

        @Override
        byte[] buffer() {
            return EventLoop.onLoopThread() ? SCRATCH.get() : new byte[OFF_LOOP_SCRATCH];
        }

        @Override
        CompletableFuture<Integer> read(byte[] scratch) {
            return socket.readAsync(scratch, 0, scratch.length);
        }

        @Override
        CompletableFuture<Integer> echo(byte[] scratch, int n) {
            return socket.writeAsync(Arrays.copyOf(scratch, n), 0, n);
        }
    }

    // ------------------------------------------------------------------ uring4j: a virtual thread per connection

    /**
     * The JDK's {@link #vthread} server, the same echo loop, on uring4j's blocking calls: the
     * caller's path (a virtual thread that reads, then writes, and parks between) rather than the loop's.
     */
    private static Running uringVthread(InetSocketAddress bind, int loops) throws IOException {
        UringNet net = openNet(loops, "uring-vthread", false);
        UringServerSocket server = listen(net, bind);
        Thread acceptor = acceptForEver(() -> {
            UringSocket s = server.accept();
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            return new Conn(s::read, s::write, s::close);
        });
        return new Running() {
            @Override
            public SocketAddress address() throws IOException {
                return server.localAddress();
            }

            @Override
            public void close() throws IOException {
                acceptor.interrupt();
                net.close();
            }
        };
    }

    // ------------------------------------------------------------------ JDK: a virtual thread per connection

    private static Running vthread(InetSocketAddress bind) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(bind, 4096);
        Thread acceptor = acceptForEver(() -> {
            SocketChannel c = server.accept();
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            return new Conn(c::read, c::write, c::close);
        });
        return new Running() {
            @Override
            public SocketAddress address() throws IOException {
                return server.getLocalAddress();
            }

            @Override
            public void close() throws IOException {
                server.close();
                acceptor.interrupt();
            }
        };
    }

    /** A connection's blocking calls: the one echo loop below serves jdk-vthread and uring-vthread alike. */
    private record Conn(Transfer read, Transfer write, Closer closer) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            closer.close();
        }
    }

    @FunctionalInterface
    private interface Transfer {
        int move(ByteBuffer b) throws IOException;
    }

    @FunctionalInterface
    private interface Closer {
        void close() throws IOException;
    }

    @FunctionalInterface
    private interface Acceptor {
        Conn accept() throws IOException;
    }

    /** A virtual thread that accepts until the server closes, each connection echoed on a virtual thread of its own. */
    private static Thread acceptForEver(Acceptor server) {
        return Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Conn c = server.accept();
                    Thread.ofVirtual().start(() -> echo(c));
                }
            } catch (IOException e) {
                // closed
            }
        });
    }

    private static void echo(Conn c) {
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        try (c) {
            while (c.read().move(buf) > 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    c.write().move(buf);
                }
                buf.clear();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    // ------------------------------------------------------------------ JDK: AsynchronousServerSocketChannel

    private static Running nio2(InetSocketAddress bind, int threads) throws IOException {
        AsynchronousChannelGroup group = AsynchronousChannelGroup.withFixedThreadPool(threads, Executors.defaultThreadFactory());
        AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open(group);
        server.bind(bind, 4096);
        serveNio2(server);
        return new Running() {
            @Override
            public SocketAddress address() throws IOException {
                return server.getLocalAddress();
            }

            @Override
            public void close() throws IOException {
                group.shutdownNow();
                try {
                    group.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    /**
     * The {@link #nio2} server's code on uring4j's drop-ins, over {@code loops} event loops, its
     * handlers on the loops ({@link HandlerThreads#EVENT_LOOP}) as jdk-nio2's run on its I/O threads.
     */
    private static Running uringNio2(InetSocketAddress bind, int loops) throws IOException {
        UringNet net = openNet(loops, "uring-nio2", false);
        AsynchronousServerSocketChannel server;
        try {
            // Handlers on the loop, as jdk-nio2's fixed-pool group runs them on its I/O threads.
            server = UringAsynchronousServerSocketChannel.open(net, HandlerThreads.EVENT_LOOP);
            server.bind(bind, 4096);
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        serveNio2(server);
        return new Running() {
            @Override
            public SocketAddress address() throws IOException {
                return server.getLocalAddress();
            }

            @Override
            public void close() throws IOException {
                net.close();
            }
        };
    }

    /** Accepts for ever, each connection echoed by a {@link Nio2Echo}. */
    private static void serveNio2(AsynchronousServerSocketChannel server) {
        server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
            @Override
            public void completed(AsynchronousSocketChannel c, Void a) {
                server.accept(null, this);
                try {
                    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                } catch (IOException e) {
                    return;
                }
                new Nio2Echo(c, ByteBuffer.allocateDirect(BUFFER)).receive();
            }

            @Override
            public void failed(Throwable exc, Void a) {
                // closed
            }
        });
    }

    private record Nio2Echo(AsynchronousSocketChannel c, ByteBuffer buf) implements CompletionHandler<Integer, Boolean> {
        void receive() {
            buf.clear();
            c.read(buf, false, this);
        }

        /** {@code writing} says which call completed. */
        @Override
        public void completed(Integer n, Boolean writing) {
            if (!writing) {
                if (n < 0) {
                    close();
                    return;
                }
                buf.flip();
            }
            if (buf.hasRemaining()) {
                c.write(buf, true, this);
            } else {
                receive();
            }
        }

        @Override
        public void failed(Throwable exc, Boolean writing) {
            close();
        }

        private void close() {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
