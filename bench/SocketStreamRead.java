import java.net.*;
import java.nio.ByteBuffer;
import java.nio.channels.*;
import org.uring4j.net.*;
import org.uring4j.runtime.LoopOptions;

/**
 * One connection streaming into blocking reads: the peer (a JDK SocketChannel on a platform
 * thread of its own) writes MIB MiB in 64 KiB writes as fast as it can, and a virtual thread reads
 * them with a BUF-byte heap ByteBuffer until end of stream, once from a JDK SocketChannel and once
 * from a uring4j UringSocket (one loop), three alternating rounds. Prints MiB/s and this
 * process's CPU seconds per GiB for each (both sides of the connection are in this process).
 * docs/benchmarks.md ("Fifth pass") records a run.
 *
 * Usage: java --enable-native-access=ALL-UNNAMED -cp uring4j-core/target/uring4j-core-*.jar \
 *            bench/SocketStreamRead.java MIB BUF   [-Dorg.uring4j.net.readAhead=false: a RECV per read]
 */
public class SocketStreamRead {
    public static void main(String[] a) throws Exception {
        int mib = Integer.parseInt(a[0]), buf = Integer.parseInt(a[1]);
        for (int round = 0; round < 3; round++) {
            System.out.printf("jdk   %s%n", jdk(mib, buf));
            System.out.printf("uring %s%n", uring(mib, buf));
        }
    }

    static Thread writer(SocketChannel c, int mib) {
        Thread t = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocateDirect(65536);
            try (c) {
                for (long left = (long) mib << 20; left > 0; left -= 65536) {
                    b.clear();
                    while (b.hasRemaining()) c.write(b);
                }
            } catch (Exception e) { throw new RuntimeException(e); }
        });
        t.start();
        return t;
    }

    static String jdk(int mib, int buf) throws Exception {
        try (ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            SocketChannel w = SocketChannel.open(s.getLocalAddress());
            SocketChannel r = s.accept();
            return drain(w, mib, buf, r::read, r::close);
        }
    }

    static String uring(int mib, int buf) throws Exception {
        try (UringNet net = UringNet.open(1, new LoopOptions());
             UringServerSocket s = net.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            SocketChannel w = SocketChannel.open(s.localAddress());
            UringSocket r = s.accept();
            return drain(w, mib, buf, r::read, r::close);
        }
    }

    interface Read { int read(ByteBuffer b) throws Exception; }

    interface Close { void close() throws Exception; }

    /** The writer on {@code w}, and blocking reads into a BUF-byte heap buffer until end of stream. */
    static String drain(SocketChannel w, int mib, int buf, Read r, Close close) throws Exception {
        return measure(() -> {
            Thread t = writer(w, mib);
            ByteBuffer b = ByteBuffer.allocate(buf);
            long n = 0;
            int k;
            while ((k = r.read(b)) >= 0) {
                n += k;
                b.clear();
            }
            close.close();
            t.join();
            return n;
        });
    }

    interface Body { long run() throws Exception; }

    static String measure(Body body) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime(), t0 = System.nanoTime();
        long[] n = new long[1];
        Exception[] err = new Exception[1];
        Thread v = Thread.ofVirtual().start(() -> { try { n[0] = body.run(); } catch (Exception e) { err[0] = e; } });
        v.join();
        if (err[0] != null) throw err[0];
        double s = (System.nanoTime() - t0) / 1e9, cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        return String.format("%.0f MiB/s, CPU %.2f s per GiB", n[0] / s / (1 << 20), cpu / (n[0] / (double) (1L << 30)));
    }
}
