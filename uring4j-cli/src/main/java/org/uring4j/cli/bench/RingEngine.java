package org.uring4j.cli.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.uring4j.UringException;
import org.uring4j.ring.CqeBatch;
import org.uring4j.ring.Fd;
import org.uring4j.ring.Ring;
import org.uring4j.ring.RingOptions;
import org.uring4j.ring.Sqe;
import org.uring4j.ring.Uapi;

/**
 * uring4j's raw ring, driven the way fio's io_uring engine drives one: each thread owns a ring,
 * keeps {@code qd} requests in flight, and after every wake-up reaps what completed and submits
 * the replacements in one {@code io_uring_enter}. With {@code fixed}, the file and the buffers
 * are registered (READ_FIXED/WRITE_FIXED through a fixed file slot).
 */
final class RingEngine implements Engine {
    private final boolean fixed;

    RingEngine(boolean fixed) {
        this.fixed = fixed;
    }

    /** The same setup as the C reference's: plain for NOPs, SINGLE_ISSUER + DEFER_TASKRUN for I/O. */
    private static RingOptions options(BenchSpec spec, int entries) {
        RingOptions o = new RingOptions(entries).cqSize(entries * 2);
        if (spec.rw() == BenchSpec.Rw.NOP && !spec.sqpoll()) {
            return o;
        }
        o.singleIssuer();
        if (spec.sqpoll()) {
            o.sqPoll(1000);
        } else {
            o.deferTaskrun();
        }
        return o;
    }

    @Override
    public long run(BenchSpec spec, int thread, long deadline, ThreadStats stats) throws Exception {
        int entries = Integer.highestOneBit(Math.max(2, spec.qd()) * 2 - 1);
        try (Ring ring = Ring.open(options(spec, entries))) {
            return spec.rw() == BenchSpec.Rw.NOP ? nops(ring, spec.qd(), deadline, stats) : io(ring, spec, thread, deadline, stats);
        }
    }

    /** NOPs in batches of qd: prepare, one submit-and-wait, one batch copy. */
    private static long nops(Ring ring, int qd, long deadline, ThreadStats stats) throws UringException {
        CqeBatch batch = new CqeBatch(qd);
        long done = 0;
        long now = System.nanoTime();
        do { // at least one batch, however late the thread started
            long t0 = now;
            nopBatch(ring, qd, batch);
            now = System.nanoTime();
            stats.record(now - t0, qd);
            done += qd;
        } while (now < deadline);
        return done;
    }

    /**
     * One batch, in a method of its own: called millions of times, it gets a normal JIT compile
     * with the ring's methods inlined, where a loop in a method called once runs as on-stack
     * replacement code, whose quality varies from run to run.
     */
    private static void nopBatch(Ring ring, int qd, CqeBatch batch) throws UringException {
        for (int i = 0; i < qd; i++) {
            ring.getSqe().prepNop().userData(i);
        }
        ring.submitAndWait(qd);
        int got = 0;
        while (got < qd) {
            got += ring.copyCqes(batch);
        }
    }

    private long io(Ring ring, BenchSpec spec, int thread, long deadline, ThreadStats stats) throws Exception {
        int qd = spec.qd();
        int bs = spec.bs();
        Workload workload = new Workload(spec, thread);
        try (Arena arena = Arena.ofConfined()) {
            int fd = open(ring, arena, spec);
            try {
                MemorySegment buffers = arena.allocate((long) bs * qd, 4096);
                if (spec.rw().writes()) {
                    for (long i = 0; i < buffers.byteSize(); i += 8) {
                        buffers.set(java.lang.foreign.ValueLayout.JAVA_LONG, i, i * 0x9E3779B97F4A7C15L);
                    }
                }
                MemorySegment[] slots = new MemorySegment[qd];
                for (int i = 0; i < qd; i++) {
                    slots[i] = buffers.asSlice((long) i * bs, bs);
                }
                Fd file = Fd.raw(fd);
                if (fixed) {
                    ring.registerFiles(fd);
                    ring.registerBuffers(buffers);
                    file = Fd.fixed(0);
                }
                long[] started = new long[qd];
                long now = System.nanoTime();
                for (int i = 0; i < qd; i++) {
                    prepare(ring.getSqe(), file, slots[i], i, workload);
                    started[i] = now;
                }
                CqeBatch batch = new CqeBatch(qd);
                long done = 0;
                int inFlight = qd;
                while (inFlight > 0) {
                    ring.submitAndWait(1);
                    int n = ring.copyCqes(batch);
                    now = System.nanoTime();
                    boolean more = now < deadline;
                    for (int j = 0; j < n; j++) {
                        int i = (int) batch.userData(j);
                        int res = batch.res(j);
                        if (res != bs) {
                            throw res < 0 ? new UringException(spec.rw().reads() ? "READ" : "WRITE", -res, fd,
                                    spec.file().toString()) : new IllegalStateException("short transfer: " + res + " of " + bs);
                        }
                        stats.record(now - started[i], 1);
                        done++;
                        if (more) {
                            prepare(ring.getSqe(), file, slots[i], i, workload);
                            started[i] = now;
                        } else {
                            inFlight--;
                        }
                    }
                }
                return done;
            } finally {
                ring.getSqe().prepClose(Fd.raw(fd));
                ring.submitAndWait(1);
                ring.waitCqe();
            }
        }
    }

    private void prepare(Sqe sqe, Fd file, MemorySegment buf, int slot, Workload workload) {
        long off = workload.nextOffset();
        boolean write = workload.nextIsWrite();
        if (fixed) {
            if (write) {
                sqe.prepWriteFixed(file, buf, off, 0);
            } else {
                sqe.prepReadFixed(file, buf, off, 0);
            }
        } else if (write) {
            sqe.prepWrite(file, buf, off);
        } else {
            sqe.prepRead(file, buf, off);
        }
        sqe.userData(slot);
    }

    /** Opens the file through the ring itself (OPENAT), with O_DIRECT if asked. */
    private static int open(Ring ring, Arena arena, BenchSpec spec) throws UringException {
        int flags = (spec.rw().writes() ? Uapi.O_RDWR : Uapi.O_RDONLY) | Uapi.O_CLOEXEC | (spec.direct() ? Uapi.O_DIRECT : 0);
        ring.getSqe().prepOpenat(Uapi.AT_FDCWD, arena.allocateFrom(spec.file().toString()), flags, 0);
        ring.submitAndWait(1);
        return ring.waitCqe().check("OPENAT", UringException.NO_FD);
    }
}
