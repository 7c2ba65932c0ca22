package org.uring4j.net;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.uring4j.runtime.Await;

/**
 * A listening socket on an event loop. One multishot ACCEPT, armed while someone waits for a
 * connection, delivers every connection the kernel has; those nobody waits for yet queue here
 * (they would have queued in the kernel's backlog otherwise) and are closed with the server.
 * Accepted sockets are spread over the runtime's loops.
 */
final class RingServer extends RingDescriptor implements ServerIo {
    // guarded by this
    private final ArrayDeque<Integer> ready = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<SocketIo>> waiters = new ArrayDeque<>();
    private boolean armed;
    /** A cancel of the multishot ACCEPT is on its way: connections nobody asked for filled the backlog. */
    private boolean pausing;
    private volatile int backlog = 50;

    RingServer(RingNet net, RingNet.Home home, int fd, ProtocolFamily family) {
        super(net, home, fd, family, true);
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        this.backlog = backlog;
        bindTo(local);
        if (net.ringBind) {
            Await.get(submit(new RingOps.ControlOp("LISTEN", fd, gate, backlog)));
            return;
        }
        int r = SocketCalls.listen(fd, backlog);
        if (r < 0) {
            throw NetErrors.of("listen", r, fd, local);
        }
    }

    @Override
    public CompletableFuture<SocketIo> accept() {
        CompletableFuture<SocketIo> f;
        synchronized (this) {
            if (gate.isClosing()) {
                return CompletableFuture.failedFuture(NetErrors.closed());
            }
            Integer conn = ready.poll();
            if (conn != null) {
                return CompletableFuture.completedFuture(wrap(conn));
            }
            f = new CompletableFuture<>();
            waiters.add(f);
            if (armed) {
                return f;
            }
            armed = true;
        }
        arm();
        return f;
    }

    private void arm() {
        CompletableFuture<Void> run = submit(new RingOps.Accept(this, fd, gate));
        if (run.isCompletedExceptionally()) {
            run.whenComplete((v, t) -> failAll(t));
        }
    }

    private SocketIo wrap(int conn) {
        return new RingSocket(net, net.nextHome(), conn, family);
    }

    /** A completion of the multishot ACCEPT (on the loop thread): a connection, or its end. */
    void accepted(int res, boolean more, IOException failure) {
        CompletableFuture<SocketIo> waiter = null;
        List<CompletableFuture<SocketIo>> failed = null;
        boolean rearm = false;
        boolean pause = false;
        synchronized (this) {
            boolean paused = pausing; // its end (ECANCELED) is ours, not a failure to report
            if (!more) {
                armed = false;
                pausing = false;
            }
            if (res >= 0) {
                if (gate.isClosing()) {
                    SocketCalls.close(res);
                } else if ((waiter = nextWaiter()) == null) {
                    ready.add(res);
                    // Nobody is accepting: stop taking connections once a backlog's worth waits
                    // here, and leave the rest in the kernel's backlog (an accept() re-arms).
                    if (more && !pausing && ready.size() >= backlog) {
                        pausing = pause = true;
                    }
                }
            } else if (!more && !paused) {
                failed = new ArrayList<>(waiters);
                waiters.clear();
            }
            if (!more && !waiters.isEmpty() && !gate.isClosing()) {
                armed = rearm = true;
            }
        }
        while (waiter != null && !waiter.complete(wrap(res))) {
            synchronized (this) { // the waiter gave up (cancelled): the next one takes it
                if (gate.isClosing()) {
                    SocketCalls.close(res); // the queue has been closed already
                    waiter = null;
                } else if ((waiter = nextWaiter()) == null) {
                    ready.addFirst(res);
                }
            }
        }
        if (failed != null) {
            for (CompletableFuture<SocketIo> w : failed) {
                w.completeExceptionally(failure);
            }
        }
        if (pause) {
            RingNet.submit(home.loop(), new RingOps.CancelFd(fd));
        }
        if (rearm) {
            arm();
        }
    }

    /** The first waiter that has not given up (a cancelled accept leaves its future in the queue). */
    private CompletableFuture<SocketIo> nextWaiter() {
        CompletableFuture<SocketIo> w;
        while ((w = waiters.poll()) != null && w.isDone()) {
            // cancelled
        }
        return w;
    }

    private void failAll(Throwable t) {
        List<CompletableFuture<SocketIo>> failed;
        synchronized (this) {
            armed = false;
            failed = new ArrayList<>(waiters);
            waiters.clear();
        }
        Throwable cause = t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
        for (CompletableFuture<SocketIo> w : failed) {
            w.completeExceptionally(cause);
        }
    }

    /** Connections nobody took are closed with the server; waiting accepts fail. */
    @Override
    void beforeClose() {
        List<Integer> queued;
        synchronized (this) {
            queued = new ArrayList<>(ready);
            ready.clear();
        }
        for (int conn : queued) {
            SocketCalls.close(conn); // never handed out: no op can name it
        }
        failAll(NetErrors.asyncClosed());
    }
}
