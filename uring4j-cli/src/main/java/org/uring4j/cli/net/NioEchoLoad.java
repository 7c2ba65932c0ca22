package org.uring4j.cli.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.HdrHistogram.Histogram;

/**
 * The load client on java.nio's Selector: {@code threads} platform threads, each a Selector over
 * its share of the connections (non-blocking SocketChannels). Each connection sends
 * {@code pipeline} messages of {@code msg} bytes, reads all of them back and checks every byte,
 * then sends the next batch; a round trip costs the client a write and a read (plus its share of
 * an epoll_wait) instead of a virtual thread's park and unpark on top, so the server is the limit.
 * At the end of a run each connection finishes the batch it has out, so the next run starts clean.
 */
final class NioEchoLoad implements LoadClient {
    private final List<Conn> conns = new ArrayList<>();
    private final int threads;
    private final int batch;
    private final int pipeline;
    private final ByteBuffer pattern;

    /** One connection's state; touched only by the thread whose share it is. */
    private static final class Conn {
        final SocketChannel channel;
        final ByteBuffer out;
        final ByteBuffer in;
        byte seq;
        long start;
        boolean busy;
        long done;

        Conn(SocketChannel channel, int batch, int index) {
            this.channel = channel;
            this.out = ByteBuffer.allocateDirect(batch);
            this.in = ByteBuffer.allocateDirect(batch);
            this.seq = (byte) index;
        }
    }

    NioEchoLoad(InetSocketAddress server, int connections, int msg, int pipeline, int threads) throws IOException {
        this.threads = Math.max(1, Math.min(threads, connections));
        this.batch = msg * pipeline;
        this.pipeline = pipeline;
        this.pattern = LoadClient.pattern(batch);
        try {
            for (int i = 0; i < connections; i++) {
                SocketChannel c = SocketChannel.open(server);
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.configureBlocking(false);
                conns.add(new Conn(c, batch, i));
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    @Override
    public Sample run(double seconds) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        List<Histogram> histograms = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            List<Conn> share = new ArrayList<>();
            for (int i = t; i < conns.size(); i += threads) {
                share.add(conns.get(i));
            }
            Histogram h = new Histogram(1, 60_000_000_000L, 3);
            histograms.add(h);
            workers.add(Thread.ofPlatform().name("nio-load-" + t).start(() -> {
                try {
                    drive(share, h, deadline);
                } catch (Throwable x) {
                    failure.compareAndSet(null, x);
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        if (failure.get() != null) {
            throw new IOException("echo load failed: " + failure.get(), failure.get());
        }
        Histogram all = new Histogram(1, 60_000_000_000L, 3);
        long total = 0;
        for (Conn c : conns) {
            total += c.done;
            c.done = 0;
        }
        for (Histogram h : histograms) {
            all.add(h);
        }
        return new Sample(total, elapsed, all);
    }

    private void drive(List<Conn> share, Histogram h, long deadline) throws IOException {
        try (Selector selector = Selector.open()) {
            List<SelectionKey> keys = new ArrayList<>();
            for (Conn c : share) {
                keys.add(c.channel.register(selector, SelectionKey.OP_READ, c));
            }
            int busy = 0;
            for (SelectionKey k : keys) {
                send(k);
                busy++;
            }
            IOException[] error = new IOException[1];
            int[] finished = new int[1];
            while (busy > 0) {
                boolean stopping = System.nanoTime() >= deadline;
                finished[0] = 0;
                selector.select(k -> {
                    try {
                        if (onReady(k, h, stopping)) {
                            finished[0]++;
                        }
                    } catch (IOException e) {
                        error[0] = e;
                    }
                }, 10);
                if (error[0] != null) {
                    throw error[0];
                }
                busy -= finished[0];
            }
            for (SelectionKey k : keys) {
                k.cancel();
            }
            selector.selectNow(); // deregisters, so the channels can join the next run's selectors
        }
    }

    /** Starts a batch: fills it and writes what the socket takes now; the rest when it is writable. */
    private void send(SelectionKey k) throws IOException {
        Conn c = (Conn) k.attachment();
        ByteBuffer out = c.out;
        out.clear();
        out.put(0, LoadClient.expected(pattern, c.seq, batch), 0, batch);
        c.in.clear();
        c.busy = true;
        c.start = System.nanoTime();
        c.channel.write(out);
        k.interestOps(out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** True once this connection has finished its last batch of the run. */
    private boolean onReady(SelectionKey k, Histogram h, boolean stopping) throws IOException {
        Conn c = (Conn) k.attachment();
        if (k.isWritable() && c.out.hasRemaining()) {
            c.channel.write(c.out);
            if (!c.out.hasRemaining()) {
                k.interestOps(SelectionKey.OP_READ);
            }
        }
        if (!k.isReadable()) {
            return false;
        }
        int n = c.channel.read(c.in);
        if (n < 0) {
            throw new IOException("the server closed the connection");
        }
        if (c.in.hasRemaining() || !c.busy) {
            return false;
        }
        h.recordValueWithCount(Math.max(1, System.nanoTime() - c.start), pipeline);
        LoadClient.check(pattern, c.in, c.seq, batch);
        c.seq++;
        c.done += pipeline;
        c.busy = false;
        if (stopping) {
            k.interestOps(0);
            return true;
        }
        send(k);
        return false;
    }

    @Override
    public void close() {
        for (Conn c : conns) {
            try {
                c.channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
