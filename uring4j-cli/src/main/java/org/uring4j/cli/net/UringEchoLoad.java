package org.uring4j.cli.net;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import org.HdrHistogram.Histogram;
import org.uring4j.fs.Backend;
import org.uring4j.net.ReceiveHandler;
import org.uring4j.net.UringNet;
import org.uring4j.net.UringSocket;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.LoopOptions;

/**
 * The load client on uring4j's own sockets: {@code threads} event loops (a one-loop
 * {@link UringNet} each, so that each loop records into a histogram of its own), each serving its
 * share of the connections. A connection receives through a stream receive (one multishot RECV
 * into the loop's provided buffers) and sends its next batch from the receive handler, on the loop
 * thread, where the SEND rides in the io_uring_enter the loop makes anyway, with every other
 * connection's. It costs the client least per round trip of the three clients, so that at many
 * connections a server, not the client, is the limit on this 2-core machine. Every byte is checked.
 */
final class UringEchoLoad implements LoadClient {
    private final List<UringNet> nets = new ArrayList<>();
    private final List<Driver> drivers = new ArrayList<>();
    private final List<Conn> conns = new ArrayList<>();
    /** Automatic: the kernel uses a connection's batches in place, and they live as long as the connection. */
    private final Arena arena = Arena.ofAuto();
    private final int batch;
    private final int pipeline;
    private final ByteBuffer pattern;

    /** What the connections of one loop share during a run; the histogram is touched by that loop only. */
    private static final class Driver {
        final EventLoop loop;
        volatile Histogram latency;
        volatile boolean stopping;
        volatile CountDownLatch finished;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Driver(EventLoop loop) {
            this.loop = loop;
        }

        void fail(Throwable t) {
            failure.compareAndSet(null, t);
            // A run must not wait for a connection that broke: release everything.
            CountDownLatch f = finished;
            while (f != null && f.getCount() > 0) {
                f.countDown();
            }
        }
    }

    /** One connection; its fields are its loop thread's only (a run starts it there). */
    private final class Conn implements ReceiveHandler, BiConsumer<Integer, Throwable> {
        final UringSocket socket;
        final MemorySegment out;
        final MemorySegment in;
        final Driver driver;
        byte seq;
        int received;
        long start;
        long done;
        /** The send of the current batch has completed: {@link #out} may be refilled. */
        boolean sent;
        /** The echo of the current batch is complete while its send has not yet completed. */
        boolean echoed;
        /** A batch is out (between {@link #start} and the end of the run). */
        boolean active;

        Conn(UringSocket socket, Driver driver, int index) {
            this.socket = socket;
            this.driver = driver;
            this.out = arena.allocate(batch, 64);
            this.in = arena.allocate(batch, 64);
            this.seq = (byte) index;
        }

        /** Sends the first batch of a run; on the loop thread. */
        void start() {
            done = 0;
            active = true;
            fill();
            socket.writeAsync(out).whenComplete(this);
        }

        private void fill() {
            MemorySegment.copy(MemorySegment.ofBuffer(LoadClient.expected(pattern, seq, batch)), 0, out, 0, batch);
            received = 0;
            sent = false;
            echoed = false;
            start = System.nanoTime();
        }

        @Override
        public boolean onData(MemorySegment data) {
            if (!active) {
                driver.fail(new IOException("the server sent bytes no batch asked for"));
                return false;
            }
            long n = data.byteSize();
            if (received + n > batch) {
                driver.fail(new IOException("the server sent " + (received + n) + " bytes for a batch of " + batch));
                return false;
            }
            MemorySegment.copy(data, 0, in, received, n);
            received += (int) n;
            if (received == batch) {
                echoed = true;
                try {
                    batchDone();
                } catch (IOException e) {
                    driver.fail(e);
                }
            }
            return true;
        }

        /** The send's completion, on the loop thread (or at once, if the write completed inline). */
        @Override
        public void accept(Integer n, Throwable failure) {
            if (failure != null) {
                driver.fail(failure);
                return;
            }
            sent = true;
            if (echoed) {
                next(); // the echo came first: the batch is checked, only the send was still out
            }
        }

        private void batchDone() throws IOException {
            driver.latency.recordValueWithCount(Math.max(1, System.nanoTime() - start), pipeline);
            LoadClient.check(pattern, in.asByteBuffer(), seq, batch);
            seq++;
            done += pipeline;
            if (sent) {
                next();
            }
        }

        /** The next batch, or the end of this connection's run. */
        private void next() {
            if (driver.stopping) {
                active = false;
                driver.finished.countDown();
                return;
            }
            fill();
            socket.writeAsync(out).whenComplete(this);
        }

        @Override
        public void onEnd() {
            driver.fail(new IOException("the server closed the connection"));
        }

        @Override
        public void onError(Throwable error) {
            if (socket.isOpen()) {
                driver.fail(error);
            }
        }
    }

    UringEchoLoad(InetSocketAddress server, int connections, int msg, int pipeline, int threads) throws IOException {
        this.batch = msg * pipeline;
        this.pipeline = pipeline;
        this.pattern = LoadClient.pattern(batch);
        int loops = Math.max(1, Math.min(threads, connections));
        try {
            for (int t = 0; t < loops; t++) {
                UringNet net = UringNet.open(1, new LoopOptions());
                nets.add(net);
                if (net.backend() != Backend.IO_URING) {
                    throw new IOException("--client uring needs io_uring: " + net.unavailability().getMessage());
                }
                drivers.add(new Driver(net.runtime().loop(0)));
            }
            for (int i = 0; i < connections; i++) {
                UringSocket s = nets.get(i % loops).connect(server);
                s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Conn c = new Conn(s, drivers.get(i % loops), i);
                conns.add(c);
                s.receive(c);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public Sample run(double seconds) throws Exception {
        CountDownLatch finished = new CountDownLatch(conns.size());
        for (Driver d : drivers) {
            d.latency = new Histogram(1, 60_000_000_000L, 3);
            d.stopping = false;
            d.finished = finished;
        }
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (Conn c : conns) {
            started.add(c.driver.loop.call(r -> {
                c.start();
                return null;
            }));
        }
        for (CompletableFuture<Void> f : started) {
            f.join();
        }
        TimeUnit.NANOSECONDS.sleep((long) (seconds * 1e9));
        for (Driver d : drivers) {
            d.stopping = true;
        }
        // Each connection finishes the batch it has out, so the next run starts clean.
        if (!finished.await(60, TimeUnit.SECONDS)) {
            throw new IOException("echo load: " + finished.getCount() + " connections still waiting for their echo after 60 s");
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        Histogram all = new Histogram(1, 60_000_000_000L, 3);
        for (Driver d : drivers) {
            Throwable f = d.failure.get();
            if (f != null) {
                throw new IOException("echo load failed: " + f, f);
            }
            all.add(d.latency);
        }
        long total = 0;
        for (Conn c : conns) {
            total += c.done; // written on the loop before its countDown, read here after await
        }
        return new Sample(total, elapsed, all);
    }

    @Override
    public void close() {
        for (UringNet n : nets) {
            try {
                n.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
