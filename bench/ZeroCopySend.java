import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.uring4j.net.Receiving;
import org.uring4j.net.UringNet;
import org.uring4j.net.UringServerSocket;
import org.uring4j.net.UringSocket;
import org.uring4j.net.UringSocketOptions;
import org.uring4j.runtime.LoopOptions;

/**
 * One-way TCP over loopback: CONNS writers, each a virtual thread writing one native buffer of
 * SIZE bytes again and again (blocking UringSocket.write) for SECONDS, into a receiver that
 * discards (UringSocket.receive) on a second one-loop UringNet. THRESHOLD is the writers'
 * SEND_ZEROCOPY_THRESHOLD (0: plain sends). Prints MB/s and the process's CPU ns per KiB.
 * Usage: java ... ZeroCopySend.java SIZE THRESHOLD CONNS SECONDS
 */
public class ZeroCopySend {
    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]);
        int threshold = Integer.parseInt(args[1]);
        int conns = Integer.parseInt(args[2]);
        double seconds = Double.parseDouble(args[3]);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (UringNet sender = UringNet.open(1, new LoopOptions()); UringNet receiver = UringNet.open(1, new LoopOptions());
             UringServerSocket server = receiver.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Arena arena = Arena.ofShared()) {
            List<UringSocket> clients = new ArrayList<>();
            List<Receiving> streams = new ArrayList<>();
            AtomicLong received = new AtomicLong();
            for (int i = 0; i < conns; i++) {
                UringSocket c = sender.connect(server.localAddress());
                c.setOption(UringSocketOptions.SEND_ZEROCOPY_THRESHOLD, threshold);
                clients.add(c);
                streams.add(server.accept().receive(d -> {
                    received.addAndGet(d.byteSize());
                    return true;
                }));
            }
            for (int warm = 0; warm < 2; warm++) {
                long stopAt = System.nanoTime() + (long) ((warm == 0 ? 1.0 : seconds) * 1e9);
                long bytes0 = received.get();
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                List<Thread> writers = new ArrayList<>();
                for (UringSocket c : clients) {
                    MemorySegment buf = arena.allocate(size, 4096);
                    buf.fill((byte) 7);
                    writers.add(Thread.ofVirtual().start(() -> {
                        try {
                            while (System.nanoTime() < stopAt) {
                                c.write(buf);
                            }
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    }));
                }
                for (Thread t : writers) {
                    t.join();
                }
                long t1 = System.nanoTime();
                long cpu1 = os.getProcessCpuTime();
                long bytes = received.get() - bytes0;
                if (warm == 1) {
                    System.out.printf("size %d threshold %d conns %d: %.1f MB/s, %.0f ns CPU per KiB%n", size, threshold, conns,
                            bytes / ((t1 - t0) / 1e9) / 1e6, (cpu1 - cpu0) / (bytes / 1024.0));
                }
            }
            for (UringSocket c : clients) {
                c.close();
            }
        }
    }
}
