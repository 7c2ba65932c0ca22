package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.uring4j.ring.NetSupport.bytes;
import static org.uring4j.ring.NetSupport.collect;
import static org.uring4j.ring.NetSupport.loopback;
import static org.uring4j.ring.NetSupport.string;
import static org.uring4j.ring.NetSupport.submitAndCollect;
import static org.uring4j.ring.NetSupport.submitAndWait;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.NetSupport.OwnedFd;
import org.uring4j.sys.Layouts;

/**
 * TCP on 127.0.0.1 driven through the ring: SOCKET, socket-option URING_CMDs, BIND, LISTEN,
 * ACCEPT (single and multishot, plain and direct), CONNECT, SEND/RECV, SENDMSG/RECVMSG, the
 * zero-copy sends, multishot RECV with a buffer ring, SHUTDOWN (liburing test/socket.c,
 * socket-rw.c, accept*.c, connect.c, send_recv.c, send_recvmsg.c, bind-listen.c,
 * socket-getsetsock-cmd.c, socket-io-cmd.c, send-zerocopy.c, recv-multishot.c).
 */
class SocketTest {
    private static final int SO_TYPE = 3;

    /** A listening socket on 127.0.0.1 and its port. */
    record Listener(OwnedFd socket, int port) implements AutoCloseable {
        @Override
        public void close() {
            socket.close();
        }
    }

    /** Both ends of one TCP connection. */
    record Conn(OwnedFd client, OwnedFd server) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
            server.close();
        }
    }

    static OwnedFd socket(Ring ring) throws UringException {
        KernelAssumptions.assumeOp(Opcode.SOCKET);
        ring.getSqe().prepSocket(Uapi.AF_INET, Uapi.SOCK_STREAM | Uapi.SOCK_CLOEXEC, 0, 0);
        return new OwnedFd(submitAndWait(ring).check("SOCKET"));
    }

    /** SETSOCKOPT through URING_CMD; returns the CQE's res. */
    static int setsockopt(Ring ring, Arena arena, Fd fd, int level, int optname, int value) throws UringException {
        MemorySegment v = arena.allocateFrom(JAVA_INT, value);
        ring.getSqe().prepCmdSock(Uapi.SOCKET_URING_OP_SETSOCKOPT, fd, level, optname, v);
        return submitAndWait(ring).res();
    }

    /** GETSOCKOPT of an int option through URING_CMD: {res (the option's length), value}. */
    static int[] getsockopt(Ring ring, Arena arena, Fd fd, int level, int optname) throws UringException {
        MemorySegment v = arena.allocateFrom(JAVA_INT, -1);
        ring.getSqe().prepCmdSock(Uapi.SOCKET_URING_OP_GETSOCKOPT, fd, level, optname, v);
        int res = submitAndWait(ring).res();
        return new int[] {res, v.get(JAVA_INT, 0)};
    }

    /** Skips unless the kernel has socket-option URING_CMDs (6.7+; -EOPNOTSUPP before). */
    static void assumeSockCmd(int res) {
        assumeTrue(res != -Errno.EOPNOTSUPP.number() && res != -Errno.EINVAL.number(),
                "kernel lacks socket URING_CMD ops: " + Errno.name(res));
    }

    /** SOCKET, SO_REUSEADDR, BIND to 127.0.0.1:0 and LISTEN, all through the ring. */
    static Listener listen(Ring ring, Arena arena) throws Exception {
        KernelAssumptions.assumeOp(Opcode.BIND);
        KernelAssumptions.assumeOp(Opcode.LISTEN);
        OwnedFd s = socket(ring);
        try {
            if (KernelAssumptions.probe().isSupported(Opcode.URING_CMD)) {
                int r = setsockopt(ring, arena, s.raw(), Uapi.SOL_SOCKET, Uapi.SO_REUSEADDR, 1);
                // Older kernels lack the sockopt commands; the option only matters for quick re-runs.
                assertTrue(r == 0 || r == -Errno.EOPNOTSUPP.number(), "SETSOCKOPT: " + Errno.name(r));
            }
            ring.getSqe().prepBind(s.raw(), loopback(arena, 0)).userData(1);
            assertEquals(0, submitAndWait(ring).check("BIND", s.fd()));
            ring.getSqe().prepListen(s.raw(), 16).userData(2);
            assertEquals(0, submitAndWait(ring).check("LISTEN", s.fd()));
            int port = NetSupport.localPort(s.fd());
            assertNotEquals(0, port);
            return new Listener(s, port);
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    /** A connected pair: CONNECT and ACCEPT submitted together. */
    static Conn connect(Ring ring, Arena arena, Listener l) throws Exception {
        OwnedFd c = socket(ring);
        try {
            ring.getSqe().prepAccept(l.socket().raw(), null, null, Uapi.SOCK_CLOEXEC).userData(100);
            ring.getSqe().prepConnect(c.raw(), loopback(arena, l.port())).userData(101);
            Map<Long, Cqe> cqes = submitAndCollect(ring, 2);
            int accepted = cqes.get(100L).check("ACCEPT");
            OwnedFd s = new OwnedFd(accepted);
            if (cqes.get(101L).isError()) {
                s.close();
                cqes.get(101L).check("CONNECT", c.fd());
            }
            return new Conn(c, s);
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /** SEND all of {@code s} on {@code fd}, checking the count. */
    static void send(Ring ring, Arena arena, Fd fd, String s) throws UringException {
        MemorySegment buf = bytes(arena, s);
        ring.getSqe().prepSend(fd, buf, Uapi.MSG_NOSIGNAL);
        assertEquals(buf.byteSize(), submitAndWait(ring).check("SEND"));
    }

    /** RECV exactly {@code n} bytes (MSG_WAITALL). */
    static String recv(Ring ring, Arena arena, Fd fd, int n) throws UringException {
        MemorySegment buf = arena.allocate(n);
        ring.getSqe().prepRecv(fd, buf, Uapi.MSG_WAITALL);
        int got = submitAndWait(ring).check("RECV");
        assertEquals(n, got);
        return string(buf, got);
    }

    @Test
    void tcpRoundTripEntirelyThroughTheRing() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(16); Listener l = listen(ring, arena);
             OwnedFd client = socket(ring)) {
            MemorySegment peer = arena.allocate(Layouts.SOCKADDR_IN);
            MemorySegment peerLen = arena.allocateFrom(JAVA_INT, (int) peer.byteSize());
            ring.getSqe().prepAccept(l.socket().raw(), peer, peerLen, Uapi.SOCK_CLOEXEC).userData(1);
            ring.getSqe().prepConnect(client.raw(), loopback(arena, l.port())).userData(2);
            Map<Long, Cqe> cqes = submitAndCollect(ring, 2);
            assertEquals(0, cqes.get(2L).check("CONNECT"));
            try (OwnedFd server = new OwnedFd(cqes.get(1L).check("ACCEPT"))) {
                // ACCEPT filled in the peer: the client's address and port.
                assertEquals((int) Layouts.SOCKADDR_IN.byteSize(), peerLen.get(JAVA_INT, 0));
                assertEquals(Uapi.AF_INET, peer.get(NetSupport.SIN_FAMILY, 0));
                assertEquals(NetSupport.LOOPBACK, peer.get(NetSupport.SIN_ADDR, NetSupport.OFF_SIN_ADDR));
                assertEquals(NetSupport.localPort(client.fd()), NetSupport.port(peer));

                send(ring, arena, client.raw(), "ping from client");
                assertEquals("ping from client", recv(ring, arena, server.raw(), 16));
                send(ring, arena, server.raw(), "pong");
                assertEquals("pong", recv(ring, arena, client.raw(), 4));

                // SHUTDOWN(SHUT_WR) on the client: the server's next RECV sees end of stream.
                ring.getSqe().prepShutdown(client.raw(), Uapi.SHUT_WR);
                assertEquals(0, submitAndWait(ring).check("SHUTDOWN"));
                MemorySegment buf = arena.allocate(8);
                ring.getSqe().prepRecv(server.raw(), buf, 0);
                assertEquals(0, submitAndWait(ring).res());

                // The other direction still works after a half close.
                send(ring, arena, server.raw(), "bye");
                assertEquals("bye", recv(ring, arena, client.raw(), 3));

                // CLOSE through the ring too.
                ring.getSqe().prepClose(server.raw()).userData(3);
                ring.getSqe().prepClose(client.raw()).userData(4);
                Map<Long, Cqe> closed = submitAndCollect(ring, 2);
                assertEquals(0, closed.get(3L).res());
                assertEquals(0, closed.get(4L).res());
                server.release();
                client.release();
            }
        }
    }

    @Test
    void socketOpReturnsAStreamSocket() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8); OwnedFd s = socket(ring)) {
            int[] type = getsockopt(ring, arena, s.raw(), Uapi.SOL_SOCKET, SO_TYPE);
            assumeSockCmd(type[0]);
            assertEquals(4, type[0]);
            assertEquals(Uapi.SOCK_STREAM, type[1]);
            assertEquals(Uapi.O_CLOEXEC, NetSupport.fdFlags(s.fd()) & Uapi.O_CLOEXEC, "SOCK_CLOEXEC was asked for");
        }
    }

    @Test
    void setsockoptAndGetsockoptThroughUringCmdAgree() throws Exception {
        KernelAssumptions.assumeOp(Opcode.URING_CMD);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8); OwnedFd s = socket(ring)) {
            int r = setsockopt(ring, arena, s.raw(), Uapi.SOL_SOCKET, Uapi.SO_REUSEADDR, 1);
            assumeSockCmd(r);
            assertEquals(0, r);
            int[] got = getsockopt(ring, arena, s.raw(), Uapi.SOL_SOCKET, Uapi.SO_REUSEADDR);
            assertEquals(4, got[0], "GETSOCKOPT's res is the option length");
            assertEquals(1, got[1]);

            assertEquals(0, setsockopt(ring, arena, s.raw(), Uapi.SOL_SOCKET, Uapi.SO_REUSEADDR, 0));
            assertEquals(0, getsockopt(ring, arena, s.raw(), Uapi.SOL_SOCKET, Uapi.SO_REUSEADDR)[1]);

            int[] rcvbuf = getsockopt(ring, arena, s.raw(), Uapi.SOL_SOCKET, Uapi.SO_RCVBUF);
            assertEquals(4, rcvbuf[0]);
            assertTrue(rcvbuf[1] > 0, "SO_RCVBUF " + rcvbuf[1]);
        }
    }

    @Test
    void siocinqCountsUnreadBytes() throws Exception {
        KernelAssumptions.assumeOp(Opcode.URING_CMD);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8); Listener l = listen(ring, arena);
             Conn c = connect(ring, arena, l)) {
            ring.getSqe().prepCmdSock(Uapi.SOCKET_URING_OP_SIOCINQ, c.server().raw(), 0, 0, null);
            int empty = submitAndWait(ring).res();
            assumeSockCmd(empty);
            assertEquals(0, empty);

            send(ring, arena, c.client().raw(), "0123456789");
            // Wait until the data is readable, then ask how much is queued.
            ring.getSqe().prepPollAdd(c.server().raw(), Uapi.POLLIN, 0);
            assertTrue((submitAndWait(ring).check("POLL_ADD") & Uapi.POLLIN) != 0);
            ring.getSqe().prepCmdSock(Uapi.SOCKET_URING_OP_SIOCINQ, c.server().raw(), 0, 0, null);
            assertEquals(10, submitAndWait(ring).check("URING_CMD SIOCINQ"));

            ring.getSqe().prepCmdSock(Uapi.SOCKET_URING_OP_SIOCOUTQ, c.client().raw(), 0, 0, null);
            int outq = submitAndWait(ring).check("URING_CMD SIOCOUTQ");
            assertTrue(outq >= 0 && outq <= 10, "SIOCOUTQ " + outq);

            // SIOCINQ makes no sense on a listening socket.
            ring.getSqe().prepCmdSock(Uapi.SOCKET_URING_OP_SIOCINQ, l.socket().raw(), 0, 0, null);
            assertEquals(-Errno.EINVAL.number(), submitAndWait(ring).res());
        }
    }

    @Test
    void sendmsgAndRecvmsgGatherAndScatterIovecs() throws Exception {
        KernelAssumptions.assumeOp(Opcode.SENDMSG);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8); Listener l = listen(ring, arena);
             Conn c = connect(ring, arena, l)) {
            MemorySegment a = bytes(arena, "hello ");
            MemorySegment b = bytes(arena, "world");
            MemorySegment out = msghdr(arena, a, b);
            ring.getSqe().prepSendmsg(c.client().raw(), out, Uapi.MSG_NOSIGNAL);
            assertEquals(11, submitAndWait(ring).check("SENDMSG"));

            // Receive into two buffers cut at a different place: 4 + 7 bytes.
            MemorySegment x = arena.allocate(4);
            MemorySegment y = arena.allocate(7);
            MemorySegment in = msghdr(arena, x, y);
            ring.getSqe().prepRecvmsg(c.server().raw(), in, Uapi.MSG_WAITALL);
            assertEquals(11, submitAndWait(ring).check("RECVMSG"));
            assertEquals("hell", string(x, 4));
            assertEquals("o world", string(y, 7));
        }
    }

    /** A {@code struct msghdr} with no name or control data and one iovec per buffer. */
    static MemorySegment msghdr(Arena arena, MemorySegment... buffers) {
        MemorySegment iov = arena.allocate(Layouts.IOVEC, buffers.length);
        for (int i = 0; i < buffers.length; i++) {
            iov.set(JAVA_LONG, Layouts.IOVEC.byteSize() * i, buffers[i].address());
            iov.set(JAVA_LONG, Layouts.IOVEC.byteSize() * i + 8, buffers[i].byteSize());
        }
        MemorySegment msg = arena.allocate(Layouts.MSGHDR);
        msg.set(JAVA_LONG, Layouts.offsetOf(Layouts.MSGHDR, "msg_iov"), iov.address());
        msg.set(JAVA_LONG, Layouts.offsetOf(Layouts.MSGHDR, "msg_iovlen"), buffers.length);
        return msg;
    }

    @Test
    void sendZcPostsTheResultThenANotification() throws Exception {
        KernelAssumptions.assumeOp(Opcode.SEND_ZC);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8); Listener l = listen(ring, arena);
             Conn c = connect(ring, arena, l)) {
            MemorySegment buf = bytes(arena, "zero copy payload");
            ring.getSqe().prepSendZc(c.client().raw(), buf, Uapi.MSG_NOSIGNAL, 0).userData(77);
            ring.submit();
            List<Cqe> cqes = collect(ring, 2);
            Cqe result = cqes.get(0);
            Cqe notif = cqes.get(1);
            assertEquals(77, result.userData());
            assertEquals(buf.byteSize(), result.res());
            assertTrue(result.hasMore(), "the result says a notification follows: " + result);
            assertFalse(result.isNotification());
            assertEquals(77, notif.userData());
            assertTrue(notif.isNotification(), "second CQE is the notification: " + notif);
            assertFalse(notif.hasMore());
            assertEquals(0, notif.res());
            assertEquals("zero copy payload", recv(ring, arena, c.server().raw(), (int) buf.byteSize()));
        }
    }

    @Test
    void sendmsgZcPostsTheResultThenANotification() throws Exception {
        KernelAssumptions.assumeOp(Opcode.SENDMSG_ZC);
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8); Listener l = listen(ring, arena);
             Conn c = connect(ring, arena, l)) {
            MemorySegment msg = msghdr(arena, bytes(arena, "zc "), bytes(arena, "msg"));
            ring.getSqe().prepSendmsgZc(c.client().raw(), msg, Uapi.MSG_NOSIGNAL).userData(78);
            ring.submit();
            List<Cqe> cqes = collect(ring, 2);
            assertEquals(new Cqe(78, 6, Uapi.IORING_CQE_F_MORE), cqes.get(0));
            assertEquals(78, cqes.get(1).userData());
            assertTrue(cqes.get(1).isNotification(), cqes.get(1).toString());
            assertEquals("zc msg", recv(ring, arena, c.server().raw(), 6));
        }
    }

    @Test
    void multishotAcceptTakesTwoConnectionsUntilCancelled() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(16); Listener l = listen(ring, arena);
             OwnedFd c1 = socket(ring); OwnedFd c2 = socket(ring)) {
            ring.getSqe().prepAccept(l.socket().raw(), null, null, Uapi.SOCK_CLOEXEC)
                    .ioprio(Uapi.IORING_ACCEPT_MULTISHOT).userData(1);
            ring.getSqe().prepConnect(c1.raw(), loopback(arena, l.port())).userData(11);
            ring.getSqe().prepConnect(c2.raw(), loopback(arena, l.port())).userData(12);
            ring.submit();
            List<OwnedFd> accepted = new ArrayList<>();
            try {
                int connects = 0;
                for (Cqe cqe : collect(ring, 4)) {
                    if (cqe.userData() == 1) {
                        accepted.add(new OwnedFd(cqe.check("ACCEPT")));
                        assertTrue(cqe.hasMore(), "multishot accept stays armed: " + cqe);
                    } else {
                        assertEquals(0, cqe.check("CONNECT"));
                        connects++;
                    }
                }
                assertEquals(2, connects);
                assertEquals(2, accepted.size());
                assertNotEquals(accepted.get(0).fd(), accepted.get(1).fd());

                // Both accepted sockets are live connections.
                send(ring, arena, c1.raw(), "one");
                send(ring, arena, c2.raw(), "two");
                String a = recv(ring, arena, accepted.get(0).raw(), 3);
                String b = recv(ring, arena, accepted.get(1).raw(), 3);
                assertEquals(List.of("one", "two"), a.equals("one") ? List.of(a, b) : List.of(b, a));

                ring.getSqe().prepCancel(1, 0).userData(99);
                Map<Long, Cqe> end = submitAndCollect(ring, 2);
                assertEquals(0, end.get(99L).res());
                assertEquals(-Errno.ECANCELED.number(), end.get(1L).res());
                assertFalse(end.get(1L).hasMore(), "the final CQE ends the multishot");
            } finally {
                accepted.forEach(OwnedFd::close);
            }
        }
    }

    @Test
    void acceptDirectPutsTheConnectionInAFixedSlot() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8); Listener l = listen(ring, arena);
             OwnedFd client = socket(ring)) {
            ring.registerFilesSparse(4);
            ring.getSqe().prepAccept(l.socket().raw(), null, null, 0).directAlloc().userData(1);
            ring.getSqe().prepConnect(client.raw(), loopback(arena, l.port())).userData(2);
            Map<Long, Cqe> cqes = submitAndCollect(ring, 2);
            assertEquals(0, cqes.get(2L).check("CONNECT"));
            int slot = cqes.get(1L).check("ACCEPT");
            assertTrue(slot >= 0 && slot < 4, "slot " + slot);
            send(ring, arena, client.raw(), "direct");
            assertEquals("direct", recv(ring, arena, Fd.fixed(slot), 6));
            send(ring, arena, Fd.fixed(slot), "back");
            assertEquals("back", recv(ring, arena, client.raw(), 4));
        }
    }

    @Test
    void linkedSocketConnectSendOnADirectDescriptor() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8); Listener l = listen(ring, arena)) {
            ring.registerFilesSparse(4);
            MemorySegment msg = bytes(arena, "linked");
            // SOCKET into slot 2 -> CONNECT slot 2 -> SEND slot 2, as one chain (bind-listen.c's client).
            ring.getSqe().prepSocket(Uapi.AF_INET, Uapi.SOCK_STREAM, 0, 0).directSlot(2).link().userData(1);
            ring.getSqe().prepConnect(Fd.fixed(2), loopback(arena, l.port())).link().userData(2);
            ring.getSqe().prepSend(Fd.fixed(2), msg, Uapi.MSG_NOSIGNAL).userData(3);
            ring.getSqe().prepAccept(l.socket().raw(), null, null, Uapi.SOCK_CLOEXEC).userData(4);
            Map<Long, Cqe> cqes = submitAndCollect(ring, 4);
            assertEquals(0, cqes.get(1L).check("SOCKET"), "a direct SOCKET into a given slot completes with 0");
            assertEquals(0, cqes.get(2L).check("CONNECT"));
            assertEquals(6, cqes.get(3L).check("SEND"));
            try (OwnedFd server = new OwnedFd(cqes.get(4L).check("ACCEPT"))) {
                assertEquals("linked", recv(ring, arena, server.raw(), 6));
            }
        }
    }

    @Test
    void multishotRecvFillsBufferRingBuffersUntilEndOfStream() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(16); Listener l = listen(ring, arena);
             Conn c = connect(ring, arena, l); BufferRing br = ring.registerBufferRing(7, 8, 64)) {
            ring.getSqe().prepRecvMultishot(c.server().raw(), 7, 0).userData(1);
            ring.submit();
            for (int i = 0; i < 5; i++) {
                String msg = "message number " + i;
                MemorySegment buf = bytes(arena, msg);
                ring.getSqe().prepSend(c.client().raw(), buf, Uapi.MSG_NOSIGNAL).userData(10 + i);
                // Wait for this message's RECV completion before sending the next, so none merge.
                Map<Long, Cqe> cqes = submitAndCollect(ring, 2);
                assertEquals(msg.length(), cqes.get(10L + i).check("SEND"));
                Cqe r = cqes.get(1L);
                assertEquals(msg.length(), r.check("RECV"));
                assertTrue(r.hasBuffer(), "a provided buffer was used: " + r);
                assertTrue(r.hasMore(), "multishot RECV stays armed: " + r);
                assertEquals(msg, string(br.buffer(r.bufferId()), r.res()));
                br.recycle(r.bufferId());
            }
            ring.getSqe().prepShutdown(c.client().raw(), Uapi.SHUT_WR).userData(20);
            Map<Long, Cqe> end = submitAndCollect(ring, 2);
            assertEquals(0, end.get(20L).check("SHUTDOWN"));
            assertEquals(0, end.get(1L).res(), "end of stream");
            assertFalse(end.get(1L).hasMore(), "end of stream ends the multishot: " + end.get(1L));
        }
    }

    @Test
    void multishotRecvEndsWithEnobufsWhenTheBufferRingRunsDry() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(16); Listener l = listen(ring, arena);
             Conn c = connect(ring, arena, l); BufferRing br = ring.registerBufferRing(3, 2, 64)) {
            ring.getSqe().prepRecvMultishot(c.server().raw(), 3, 0).userData(1);
            ring.submit();
            Cqe last = null;
            // Two buffers, never recycled: the third message finds none.
            for (int i = 0; i < 3 && (last == null || last.hasMore()); i++) {
                ring.getSqe().prepSend(c.client().raw(), bytes(arena, "msg" + i), Uapi.MSG_NOSIGNAL).userData(10 + i);
                Map<Long, Cqe> cqes = submitAndCollect(ring, 2);
                assertEquals(4, cqes.get(10L + i).check("SEND"));
                last = cqes.get(1L);
                if (i < 2) {
                    assertEquals(4, last.check("RECV"));
                }
            }
            assertEquals(-Errno.ENOBUFS.number(), last.res(), last.toString());
            assertFalse(last.hasMore());
            assertEquals(2, br.head(), "the kernel consumed both buffers");
        }
    }

    @Test
    void connectToAPortWithNoListenerIsRefused() throws Exception {
        int port;
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8)) {
            try (Listener l = listen(ring, arena)) {
                port = l.port();
            }
            // The port was just released; nothing listens there now.
            try (OwnedFd c = socket(ring)) {
                ring.getSqe().prepConnect(c.raw(), loopback(arena, port));
                assertEquals(-Errno.ECONNREFUSED.number(), submitAndWait(ring).res());
            }
        }
    }

    @Test
    void socketOpsOnTheWrongKindOfDescriptorFailCleanly() throws Exception {
        try (Arena arena = Arena.ofConfined(); Ring ring = Ring.open(8); NetSupport.Pipe p = NetSupport.Pipe.open();
             OwnedFd unconnected = socket(ring)) {
            ring.getSqe().prepRecv(p.read().raw(), arena.allocate(4), 0);
            assertEquals(-Errno.ENOTSOCK.number(), submitAndWait(ring).res());
            ring.getSqe().prepShutdown(unconnected.raw(), Uapi.SHUT_RDWR);
            assertEquals(-Errno.ENOTCONN.number(), submitAndWait(ring).res());
            ring.getSqe().prepSend(unconnected.raw(), bytes(arena, "x"), Uapi.MSG_NOSIGNAL);
            int r = submitAndWait(ring).res();
            assertTrue(r == -Errno.EPIPE.number() || r == -Errno.ENOTCONN.number(), Errno.name(r));
            if (KernelAssumptions.probe().isSupported(Opcode.LISTEN)) { // 6.11+; older kernels: EINVAL for the op
                ring.getSqe().prepListen(p.read().raw(), 1);
                assertEquals(-Errno.ENOTSOCK.number(), submitAndWait(ring).res());
            }
        }
    }
}
