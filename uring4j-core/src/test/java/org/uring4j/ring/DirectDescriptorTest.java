package org.uring4j.ring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.ring.NetSupport.string;
import static org.uring4j.ring.NetSupport.submitAndWait;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.NetSupport.OwnedFd;

/**
 * Direct descriptors: files opened straight into the ring's fixed-file table, used, installed as
 * real descriptors and closed (liburing test/file-register.c's sparse and direct parts,
 * open-direct-link.c, open-direct-pick.c, socket.c, fd-install.c).
 */
class DirectDescriptorTest {
    private static final String A = "contents of file a";
    private static final String B = "file b";
    private static final int SO_TYPE = 3;

    @TempDir
    Path dir;
    Path fileA;
    Path fileB;

    @BeforeEach
    void files() throws Exception {
        fileA = Files.writeString(dir.resolve("a"), A);
        fileB = Files.writeString(dir.resolve("b"), B);
    }

    /** OPENAT {@code path} read-only with {@code direct} applied to the SQE; returns the CQE's res. */
    private static int openDirect(Ring ring, Path path, UnaryOperator<Sqe> direct) throws UringException {
        try (Arena a = Arena.ofConfined()) {
            // No O_CLOEXEC: it means nothing for a fixed file and the kernel refuses it.
            direct.apply(ring.getSqe().prepOpenat(Uapi.AT_FDCWD, a.allocateFrom(path.toString()), Uapi.O_RDONLY, 0));
            return submitAndWait(ring).res();
        }
    }

    /** READ all of a file of {@code length} bytes at offset 0 through {@code fd}; the CQE's res, or the text. */
    private static String read(Ring ring, Fd fd, int length) throws UringException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(length);
            ring.getSqe().prepRead(fd, buf, 0);
            int n = submitAndWait(ring).check("READ", fd.value());
            return string(buf, n);
        }
    }

    private static int readRes(Ring ring, Fd fd) throws UringException {
        try (Arena a = Arena.ofConfined()) {
            ring.getSqe().prepRead(fd, a.allocate(8), 0);
            return submitAndWait(ring).res();
        }
    }

    @Test
    void openatWithDirectAllocLandsInAKernelChosenSlot() throws Exception {
        try (Ring ring = Ring.open(8)) {
            ring.registerFilesSparse(8);
            int slot = openDirect(ring, fileA, Sqe::directAlloc);
            assertTrue(slot >= 0 && slot < 8, "res is the slot: " + slot);
            assertEquals(A, read(ring, Fd.fixed(slot), 64));

            int other = openDirect(ring, fileB, Sqe::directAlloc);
            assertTrue(other >= 0 && other < 8, "res is the slot: " + other);
            assertNotEquals(slot, other, "a free slot each time");
            assertEquals(B, read(ring, Fd.fixed(other), 64));
        }
    }

    @Test
    void directSlotPutsTheFileInTheRequestedSlot() throws Exception {
        try (Ring ring = Ring.open(8)) {
            ring.registerFilesSparse(8);
            assertEquals(0, openDirect(ring, fileA, s -> s.directSlot(5)), "a given slot completes with 0");
            assertEquals(A, read(ring, Fd.fixed(5), 64));
            assertEquals(-Errno.EBADF.number(), readRes(ring, Fd.fixed(4)), "neighbouring slots stay empty");
        }
    }

    @Test
    void directSlotIntoAnOccupiedSlotReplacesTheFile() throws Exception {
        try (Ring ring = Ring.open(8)) {
            ring.registerFilesSparse(4);
            assertEquals(0, openDirect(ring, fileA, s -> s.directSlot(2)));
            assertEquals(0, openDirect(ring, fileB, s -> s.directSlot(2)));
            assertEquals(B, read(ring, Fd.fixed(2), 64));
        }
    }

    @Test
    void directSlotBeyondTheTableIsEinval() throws Exception {
        try (Ring ring = Ring.open(8)) {
            ring.registerFilesSparse(4);
            assertEquals(-Errno.EINVAL.number(), openDirect(ring, fileA, s -> s.directSlot(4)));
        }
    }

    @Test
    void directOpenWithoutAFileTableFails() throws Exception {
        try (Ring ring = Ring.open(8)) {
            assertEquals(-Errno.ENXIO.number(), openDirect(ring, fileA, s -> s.directSlot(0)));
            assertEquals(-Errno.ENFILE.number(), openDirect(ring, fileA, Sqe::directAlloc));
        }
    }

    @Test
    void directOpenWithCloexecIsEinval() throws Exception {
        try (Ring ring = Ring.open(8); Arena a = Arena.ofConfined()) {
            ring.registerFilesSparse(4);
            ring.getSqe().prepOpenat(Uapi.AT_FDCWD, a.allocateFrom(fileA.toString()), Uapi.O_RDONLY | Uapi.O_CLOEXEC, 0)
                    .directAlloc();
            assertEquals(-Errno.EINVAL.number(), submitAndWait(ring).res());
        }
    }

    @Test
    void directAllocOnAFullTableIsEnfileUntilASlotIsClosed() throws Exception {
        try (Ring ring = Ring.open(8)) {
            ring.registerFilesSparse(2);
            int s0 = openDirect(ring, fileA, Sqe::directAlloc);
            int s1 = openDirect(ring, fileB, Sqe::directAlloc);
            assertTrue(s0 >= 0 && s1 >= 0 && s0 != s1, s0 + ", " + s1);
            assertEquals(-Errno.ENFILE.number(), openDirect(ring, fileA, Sqe::directAlloc));

            ring.getSqe().prepClose(Fd.fixed(s0));
            assertEquals(0, submitAndWait(ring).check("CLOSE"));
            assertEquals(s0, openDirect(ring, fileB, Sqe::directAlloc), "the freed slot is reused");
        }
    }

    @Test
    void fileAllocRangeLimitsTheSlotsTheKernelPicks() throws Exception {
        try (Ring ring = Ring.open(8)) {
            ring.registerFilesSparse(8);
            ring.registerFileAllocRange(5, 2);
            assertEquals(5, openDirect(ring, fileA, Sqe::directAlloc));
            assertEquals(6, openDirect(ring, fileA, Sqe::directAlloc));
            assertEquals(-Errno.ENFILE.number(), openDirect(ring, fileA, Sqe::directAlloc));
            // A given slot outside the range is still fine.
            assertEquals(0, openDirect(ring, fileB, s -> s.directSlot(0)));
            assertEquals(B, read(ring, Fd.fixed(0), 64));
        }
    }

    @Test
    void closeOfAFixedSlotEmptiesIt() throws Exception {
        try (Ring ring = Ring.open(8)) {
            ring.registerFilesSparse(4);
            int slot = openDirect(ring, fileA, Sqe::directAlloc);
            assertEquals(A, read(ring, Fd.fixed(slot), 64));
            ring.getSqe().prepClose(Fd.fixed(slot)).userData(3);
            assertEquals(new Cqe(3, 0, 0), submitAndWait(ring));
            assertEquals(-Errno.EBADF.number(), readRes(ring, Fd.fixed(slot)), "the slot is empty");
            ring.getSqe().prepClose(Fd.fixed(slot));
            assertEquals(-Errno.EBADF.number(), submitAndWait(ring).res(), "closing an empty slot");
        }
    }

    @Test
    void fixedFdInstallTurnsASlotIntoARealDescriptor() throws Exception {
        KernelAssumptions.assumeOp(Opcode.FIXED_FD_INSTALL);
        try (Ring ring = Ring.open(8)) {
            ring.registerFilesSparse(4);
            int slot = openDirect(ring, fileA, Sqe::directAlloc);
            ring.getSqe().prepFixedFdInstall(slot, 0);
            try (OwnedFd fd = new OwnedFd(submitAndWait(ring).check("FIXED_FD_INSTALL"))) {
                assertEquals(A, read(ring, fd.raw(), 64), "a plain READ through the new descriptor");
                assertEquals(Uapi.O_CLOEXEC, NetSupport.fdFlags(fd.fd()) & Uapi.O_CLOEXEC, "O_CLOEXEC by default");
                assertEquals(A, read(ring, Fd.fixed(slot), 64), "the slot keeps its file");
            }
        }
    }

    @Test
    void fixedFdInstallWithNoCloexec() throws Exception {
        KernelAssumptions.assumeOp(Opcode.FIXED_FD_INSTALL);
        try (Ring ring = Ring.open(8)) {
            ring.registerFilesSparse(4);
            int slot = openDirect(ring, fileA, Sqe::directAlloc);
            ring.getSqe().prepFixedFdInstall(slot, Uapi.IORING_FIXED_FD_NO_CLOEXEC);
            try (OwnedFd fd = new OwnedFd(submitAndWait(ring).check("FIXED_FD_INSTALL"))) {
                assertEquals(0, NetSupport.fdFlags(fd.fd()) & Uapi.O_CLOEXEC);
            }
        }
    }

    @Test
    void fixedFdInstallRefusesEmptySlotsUnknownFlagsAndPersonalities() throws Exception {
        KernelAssumptions.assumeOp(Opcode.FIXED_FD_INSTALL);
        try (Ring ring = Ring.open(8)) {
            ring.registerFilesSparse(4);
            ring.getSqe().prepFixedFdInstall(1, 0);
            assertEquals(-Errno.EBADF.number(), submitAndWait(ring).res(), "empty slot");
            ring.getSqe().prepFixedFdInstall(100, 0);
            assertEquals(-Errno.EBADF.number(), submitAndWait(ring).res(), "slot beyond the table");

            int slot = openDirect(ring, fileA, Sqe::directAlloc);
            ring.getSqe().prepFixedFdInstall(slot, 1 << 17);
            assertEquals(-Errno.EINVAL.number(), submitAndWait(ring).res(), "unknown flag");

            // Installing under borrowed credentials is refused.
            int id = ring.registerPersonality();
            ring.getSqe().prepFixedFdInstall(slot, 0).personality(id);
            assertEquals(-Errno.EPERM.number(), submitAndWait(ring).res(), "with a personality");
            ring.unregisterPersonality(id);
        }
    }

    @Test
    void socketDirectlyIntoASlot() throws Exception {
        KernelAssumptions.assumeOp(Opcode.SOCKET);
        try (Ring ring = Ring.open(8); Arena a = Arena.ofConfined()) {
            ring.registerFilesSparse(4);
            ring.getSqe().prepSocket(Uapi.AF_INET, Uapi.SOCK_STREAM, 0, 0).directSlot(1);
            assertEquals(0, submitAndWait(ring).check("SOCKET"), "a given slot completes with 0");
            ring.getSqe().prepSocket(Uapi.AF_INET, Uapi.SOCK_DGRAM, 0, 0).directAlloc();
            int slot = submitAndWait(ring).check("SOCKET");
            assertTrue(slot >= 0 && slot < 4 && slot != 1, "res is the slot: " + slot);

            // The slots hold sockets: ask them their type through the fixed file.
            if (KernelAssumptions.probe().isSupported(Opcode.URING_CMD)) {
                MemorySegment v = a.allocate(JAVA_INT);
                ring.getSqe().prepCmdSock(Uapi.SOCKET_URING_OP_GETSOCKOPT, Fd.fixed(1), Uapi.SOL_SOCKET, SO_TYPE, v);
                int r = submitAndWait(ring).res();
                if (r != -Errno.EOPNOTSUPP.number()) {
                    assertEquals(4, r);
                    assertEquals(Uapi.SOCK_STREAM, v.get(JAVA_INT, 0));
                    ring.getSqe().prepCmdSock(Uapi.SOCKET_URING_OP_GETSOCKOPT, Fd.fixed(slot), Uapi.SOL_SOCKET, SO_TYPE, v);
                    assertEquals(4, submitAndWait(ring).check("GETSOCKOPT"));
                    assertEquals(Uapi.SOCK_DGRAM, v.get(JAVA_INT, 0));
                }
            }
            // An unconnected stream socket refuses SHUTDOWN with ENOTCONN (not EBADF: the slot is a socket).
            ring.getSqe().prepShutdown(Fd.fixed(1), Uapi.SHUT_RDWR);
            assertEquals(-Errno.ENOTCONN.number(), submitAndWait(ring).res());
        }
    }

    @Test
    void directSocketWithCloexecIsEinval() throws Exception {
        KernelAssumptions.assumeOp(Opcode.SOCKET);
        try (Ring ring = Ring.open(8)) {
            ring.registerFilesSparse(4);
            ring.getSqe().prepSocket(Uapi.AF_INET, Uapi.SOCK_STREAM | Uapi.SOCK_CLOEXEC, 0, 0).directAlloc();
            assertEquals(-Errno.EINVAL.number(), submitAndWait(ring).res());
        }
    }

    @Test
    void filesUpdateOpFillsASlotWithAPlainDescriptor() throws Exception {
        try (Ring ring = Ring.open(8); Arena a = Arena.ofConfined();
             OwnedFd fd = NetSupport.open(ring, fileB, Uapi.O_RDONLY, 0)) {
            ring.registerFilesSparse(4);
            ring.getSqe().prepFilesUpdate(a.allocateFrom(JAVA_INT, fd.fd()), 1, 3);
            assertEquals(1, submitAndWait(ring).check("FILES_UPDATE"), "one slot updated");
            fd.close(); // the slot holds its own reference
            assertEquals(B, read(ring, Fd.fixed(3), 64));
        }
    }
}
