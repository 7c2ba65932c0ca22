package org.uring4j.net;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.uring4j.fs.Backend;
import org.uring4j.ring.BufferRing;
import org.uring4j.ring.Feature;
import org.uring4j.ring.Opcode;
import org.uring4j.ring.Probe;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.Await;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.Operation;
import org.uring4j.runtime.RuntimeClosedException;
import org.uring4j.runtime.UringRuntime;

/**
 * Sockets on a {@link UringRuntime}: each socket lives on one of its loops (round-robin), and each
 * loop has one provided-buffer ring that heap reads of all its sockets receive into.
 */
final class RingNet implements NetBackend {
    /** Size of each provided buffer: one 16 KiB message arrives in one. */
    static final int BUFFER_SIZE = 16 * 1024;
    /**
     * Provided buffers per loop (1 MiB): a buffer is held only from a completion to its copy-out,
     * so few are out at once (none of 64 ran out under 1,000 echoing connections), and the kernel
     * takes them in ring order: a small ring stays in the CPU's caches where 512 (8 MiB) cycled
     * through memory (16 KiB echoes at 64 connections: 131k round trips/s against 102k, 6.9 against
     * 8.6 us of server CPU each). A dry ring costs a connection one receive into loop memory.
     */
    static final int BUFFER_COUNT = 64;
    /** Buffer group ids are per ring; a process-wide counter keeps two UringNets over one runtime apart. */
    private static final AtomicInteger GROUPS = new AtomicInteger(0x6e00);

    /** A loop and its provided-buffer ring (null if the kernel or memlock limit refused one). */
    record Home(EventLoop loop, BufferRing buffers, int[] lent) {
        Home(EventLoop loop, BufferRing buffers) {
            this(loop, buffers, new int[1]);
        }

        /** At most this many provided buffers are lent to sends at once (the rest stay for receives). */
        int maxLent() {
            return buffers == null ? 0 : buffers.entries() / 4;
        }
    }

    private final UringRuntime runtime;
    private final boolean ownsRuntime;
    private final Home[] homes;
    private final AtomicInteger next = new AtomicInteger();
    /** The kernel has IORING_OP_SOCKET (5.19). */
    final boolean ringSocket;
    /** The kernel has IORING_OP_BIND and LISTEN (6.11). */
    final boolean ringBind;
    /**
     * Stream receives use multishot RECV (Linux 6.0); cleared when the kernel refuses it with
     * EINVAL before any multishot receive has delivered, or by tests of the single-shot fallback.
     */
    volatile boolean multishotRecv = true;
    /** A multishot receive has delivered data: an EINVAL later is the socket's, not a missing feature. */
    volatile boolean multishotRecvSeen;
    /**
     * System property: {@code false} keeps stream receives from asking for bundles
     * (IORING_RECVSEND_BUNDLE) where the kernel has them; for measurements and for kernels whose
     * bundles misbehave.
     */
    static final String RECV_BUNDLE_PROPERTY = "org.uring4j.net.recvBundle";
    /**
     * Multishot stream receives ask for bundles (IORING_FEAT_RECVSEND_BUNDLE, Linux 6.10): one
     * completion for all a socket holds, across several provided buffers. Cleared by tests of the
     * path without them.
     */
    volatile boolean recvBundle;
    /**
     * System property: {@code false} keeps reads a RECV each rather than served by a stream
     * receive ({@link ReadAhead}); for measurements.
     */
    static final String READ_AHEAD_PROPERTY = "org.uring4j.net.readAhead";
    /** Reads that wait are served by a stream receive ({@link ReadAhead}); cleared by tests of the RECV-per-read path. */
    volatile boolean readAhead = notTurnedOff(READ_AHEAD_PROPERTY);
    /** The kernel has IORING_OP_SEND_ZC (6.0): {@link UringSocketOptions#SEND_ZEROCOPY_THRESHOLD} applies. */
    final boolean sendZeroCopy;
    /** Zero-copy sends whose notification has arrived (for the tests; only SEND_ZC pays for it). */
    final java.util.concurrent.atomic.LongAdder zeroCopyNotifications = new java.util.concurrent.atomic.LongAdder();
    /** What the sockets did, when asked for ({@link NetStats#PROPERTY}); else null. */
    final NetStats stats = NetStats.ifWanted();

    RingNet(UringRuntime runtime, boolean ownsRuntime) throws IOException {
        this(runtime, ownsRuntime, BUFFER_COUNT);
    }

    /** With {@code bufferCount} provided buffers per loop (tests make the ring run dry with few). */
    RingNet(UringRuntime runtime, boolean ownsRuntime, int bufferCount) throws IOException {
        this.runtime = runtime;
        this.ownsRuntime = ownsRuntime;
        this.homes = new Home[runtime.loopCount()];
        for (int i = 0; i < homes.length; i++) {
            EventLoop loop = runtime.loop(i);
            int group = GROUPS.getAndIncrement() & 0xffff;
            homes[i] = new Home(loop, bufferRing(loop, group, bufferCount));
        }
        Probe probe = Await.get(runtime.loop(0).call(r -> r.probe()));
        this.ringSocket = probe.isSupported(Opcode.SOCKET);
        this.ringBind = probe.isSupported(Opcode.BIND) && probe.isSupported(Opcode.LISTEN);
        this.sendZeroCopy = probe.isSupported(Opcode.SEND_ZC);
        this.recvBundle = notTurnedOff(RECV_BUNDLE_PROPERTY)
                && Await.get(runtime.loop(0).call(r -> r.hasFeature(Feature.RECVSEND_BUNDLE)));
    }

    /** False only if system property {@code name} says {@code false}: for switches that are on by default. */
    private static boolean notTurnedOff(String name) {
        return !"false".equalsIgnoreCase(System.getProperty(name, "true").trim());
    }

    /** The loop's provided-buffer ring, or null where PBUF_RING (5.19) or the memlock limit refuses one. */
    private static BufferRing bufferRing(EventLoop loop, int group, int count) {
        try {
            BufferRing buffers = Await.get(loop.call(r -> r.registerBufferRing(group, count, BUFFER_SIZE)));
            loop.addCloser(r -> buffers.close());
            return buffers;
        } catch (IOException e) {
            return null; // heap reads then receive into loop memory
        }
    }

    @Override
    public Backend backend() {
        return Backend.IO_URING;
    }

    UringRuntime runtime() {
        return runtime;
    }

    /** True on one of the runtime's loop threads. */
    boolean onLoopThread() {
        for (Home h : homes) {
            if (h.loop().inLoop()) {
                return true;
            }
        }
        return false;
    }

    /** The loop the next socket goes to. */
    Home nextHome() {
        return homes[Math.floorMod(next.getAndIncrement(), homes.length)];
    }

    /** Submits {@code op} to {@code loop}; a closed loop fails the future with ClosedChannelException. */
    static <T> CompletableFuture<T> submit(EventLoop loop, Operation<T> op) {
        try {
            return loop.submit(op);
        } catch (RuntimeClosedException e) {
            IOException closed = NetErrors.closed();
            closed.initCause(e);
            return CompletableFuture.failedFuture(closed);
        }
    }

    private CompletableFuture<Integer> createFd(Home home, ProtocolFamily family) {
        int domain = SockAddr.domain(family);
        if (ringSocket) {
            return submit(home.loop(), new RingOps.SocketCreate(domain));
        }
        int fd = SocketCalls.socket(domain, Uapi.SOCK_STREAM | Uapi.SOCK_CLOEXEC, 0);
        return fd < 0 ? CompletableFuture.failedFuture(NetErrors.of("socket", fd, org.uring4j.UringException.NO_FD, null))
                : CompletableFuture.completedFuture(fd);
    }

    @Override
    public CompletableFuture<SocketIo> openSocket(ProtocolFamily family) {
        Home home = nextHome();
        return createFd(home, family).thenApply(fd -> new RingSocket(this, home, fd, family));
    }

    @Override
    public CompletableFuture<ServerIo> openServer(ProtocolFamily family) {
        Home home = nextHome();
        return createFd(home, family).thenApply(fd -> {
            if (family != StandardProtocolFamily.UNIX) {
                try {
                    FdOptions.set(fd, StandardSocketOptions.SO_REUSEADDR, true); // as the JDK's server sockets
                } catch (IOException e) {
                    SocketCalls.close(fd);
                    throw new java.util.concurrent.CompletionException(e);
                }
            }
            return new RingServer(this, home, fd, family);
        });
    }

    @Override
    public void close() throws IOException {
        for (Home h : homes) {
            if (h.buffers() != null && !h.loop().isClosed()) {
                try {
                    Await.get(h.loop().call(r -> {
                        h.buffers().close();
                        return null;
                    }));
                } catch (RuntimeClosedException e) {
                    // the loop's closer frees it
                }
            }
        }
        if (ownsRuntime) {
            runtime.close();
        }
    }
}
