package org.uring4j.cli.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.HdrHistogram.Histogram;

/**
 * The load client: {@code conns} connections, each on a virtual thread of its own with a
 * blocking JDK SocketChannel (the same client for every server), sending {@code pipeline}
 * messages of {@code msg} bytes at once, then reading all of them back and checking every byte.
 */
final class EchoLoad implements LoadClient {
    private final List<SocketChannel> channels = new ArrayList<>();
    private final int msg;
    private final int pipeline;

    EchoLoad(InetSocketAddress server, int conns, int msg, int pipeline) throws IOException {
        this.msg = msg;
        this.pipeline = pipeline;
        try {
            for (int i = 0; i < conns; i++) {
                SocketChannel c = SocketChannel.open(server);
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channels.add(c);
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    @Override
    public Sample run(double seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        List<Histogram> histograms = new ArrayList<>();
        long[] counts = new long[channels.size()];
        for (int i = 0; i < channels.size(); i++) {
            SocketChannel c = channels.get(i);
            Histogram h = new Histogram(1, 60_000_000_000L, 3);
            histograms.add(h);
            int index = i;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    counts[index] = drive(c, h, stop, index);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    stop.set(true);
                }
            }));
        }
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        if (failure.get() != null) {
            throw new IOException("echo load failed: " + failure.get(), failure.get());
        }
        Histogram all = new Histogram(1, 60_000_000_000L, 3);
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            total += counts[i];
            all.add(histograms.get(i));
        }
        return new Sample(total, elapsed, all);
    }

    private long drive(SocketChannel c, Histogram h, AtomicBoolean stop, int index) throws IOException {
        int batch = msg * pipeline;
        ByteBuffer out = ByteBuffer.allocateDirect(batch);
        ByteBuffer in = ByteBuffer.allocateDirect(batch);
        ByteBuffer pattern = LoadClient.pattern(batch);
        long done = 0;
        byte seq = (byte) index;
        while (!stop.get()) {
            out.clear();
            out.put(LoadClient.expected(pattern, seq, batch));
            out.flip();
            long t0 = System.nanoTime();
            while (out.hasRemaining()) {
                c.write(out);
            }
            in.clear();
            while (in.hasRemaining()) {
                if (c.read(in) < 0) {
                    throw new IOException("the server closed the connection");
                }
            }
            h.recordValueWithCount(Math.max(1, System.nanoTime() - t0), pipeline);
            LoadClient.check(pattern, in, seq, batch);
            seq++;
            done += pipeline;
        }
        return done;
    }

    @Override
    public void close() {
        for (SocketChannel c : channels) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
