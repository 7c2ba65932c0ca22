package org.uring4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.Cqe;
import org.uring4j.ring.CqeHandler;
import org.uring4j.ring.Fd;
import org.uring4j.ring.Ring;
import org.uring4j.ring.RingOptions;
import org.uring4j.ring.Sqe;
import org.uring4j.ring.Uapi;
import org.uring4j.sys.Syscalls;

/**
 * A thread that owns one {@link Ring} and runs {@link Operation}s on it for any thread.
 *
 * <p>Other threads hand work over through a lock-free queue and wake the loop through an eventfd
 * it keeps a read on; the loop prepares everything that arrived together, submits it with one
 * {@code io_uring_enter}, and completes each op's {@link CompletableFuture} from its completion.
 * The ring is set up with SINGLE_ISSUER and DEFER_TASKRUN where the kernel has them (only this
 * thread ever enters it), falling back to plain settings on older kernels.
 *
 * <p>Memory an op hands the kernel stays with the op until its final completion, even when its
 * future is cancelled (which sends ASYNC_CANCEL) or times out (a linked LINK_TIMEOUT).
 * {@link #close()} is deterministic: it refuses new work, cancels what is in flight, waits
 * (bounded) for every completion, runs the loop's closers (unregistering files and buffers),
 * and closes the ring, so that no file reference of ours remains when it returns.
 */
public final class EventLoop implements AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final VarHandle SLEEPING;
    private static final VarHandle STATE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SLEEPING = l.findVarHandle(EventLoop.class, "sleeping", int.class);
            STATE = l.findVarHandle(EventLoop.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int RUNNING = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;

    /** user_data of the eventfd read that wakes the loop. */
    private static final long WAKE = -1L;
    /** user_data of requests whose completion nobody waits for (cancels). */
    private static final long IGNORE = -2L;
    /** Marks the completion of an op's linked timeout; the low 32 bits are the op's slot. */
    private static final long TIMEOUT_BIT = 1L << 32;
    /** Bits 33..47 of user_data: the entry's index in its op's chain. */
    private static final int CHAIN_SHIFT = 33;
    private static final int TIMESPEC_CHUNK = 1024;
    /** SQ ring flags saying the kernel holds completions the loop must enter to collect. */
    private static final int PENDING_IN_KERNEL = Uapi.IORING_SQ_TASKRUN | Uapi.IORING_SQ_CQ_OVERFLOW;
    /** The 8-byte counter increment written to the eventfd; only ever read, so shared by all threads. */
    private static final MemorySegment ONE = Arena.global().allocateFrom(JAVA_LONG, 1L);

    private final String name;
    private final LoopOptions options;
    private final long spinNanos;
    private final Thread thread;
    /** Operations admitted; written by the loop thread only. */
    private volatile long admitted;
    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile int state;
    @SuppressWarnings("unused") // accessed through SLEEPING
    private volatile int sleeping;
    private int wakeFd = -1;

    // ---- loop-thread state
    private Ring ring;
    private Arena arena;
    private NativeMemoryPool memory;
    private FixedFileTable files;
    private MemorySegment wakeBuf;
    private final List<MemorySegment> timespecChunks = new ArrayList<>();
    private Operation<?>[] table = new Operation<?>[256];
    private int[] freeSlots = new int[256];
    private int freeTop;
    private int inFlight;
    private boolean wakeArmed;
    private final List<LoopCloser> closers = new ArrayList<>();
    private final CqeHandler onCqe = this::onCqe;
    private final Sqe[] singleSqe = new Sqe[1];
    private UringException closeFailure;

    /** Work queued for the loop thread other than an Operation. */
    @FunctionalInterface
    private interface Chore {
        void run() throws UringException;
    }

    private EventLoop(LoopOptions options) {
        this.options = options;
        this.spinNanos = options.spin().toNanos();
        this.name = "uring4j-loop-" + IDS.incrementAndGet();
        for (int i = 0; i < freeSlots.length; i++) {
            freeSlots[i] = freeSlots.length - 1 - i;
        }
        freeTop = freeSlots.length;
        this.thread = new LoopThread(this::run, name);
        thread.setDaemon(true);
    }

    /** Starts a loop with default options. */
    public static EventLoop open() throws UringException {
        return open(new LoopOptions());
    }

    /**
     * Starts a loop: its thread sets up the ring and the wake-up eventfd before this returns.
     *
     * @throws UringException (including {@link org.uring4j.UringUnavailableException}) if the ring
     *                        cannot be set up
     */
    public static EventLoop open(LoopOptions options) throws UringException {
        EventLoop loop = new EventLoop(Objects.requireNonNull(options, "options"));
        loop.thread.start();
        try {
            loop.started.join();
        } catch (java.util.concurrent.CompletionException e) {
            // The loop thread's own failure, as thrown there: not wrapped in the join's CompletionException
            // (an OutOfMemoryError for registered buffers larger than memory, say).
            if (e.getCause() instanceof UringException u) {
                throw u;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
        return loop;
    }

    /** The loop's name, also its thread's name. */
    public String name() {
        return name;
    }

    /** True on this loop's own thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * How many operations this loop has taken from its callers so far: lets a test (or a curious
     * user) see which calls went through the ring and which were served on the caller's thread.
     */
    public long operationsSubmitted() {
        return admitted;
    }

    /** True on the thread of any event loop, where a blocking call would wait for a loop that cannot run. */
    public static boolean onLoopThread() {
        return Thread.currentThread() instanceof LoopThread;
    }

    /** A loop's thread, told apart by its class so that the check costs no lookup. */
    private static final class LoopThread extends Thread {
        LoopThread(Runnable task, String name) {
            super(task, name);
        }
    }

    /** True once {@link #close()} has begun. */
    public boolean isClosed() {
        return state != RUNNING;
    }

    // ------------------------------------------------------------------ submission (any thread)

    /**
     * Runs {@code op} on this loop.
     *
     * @return the op's future
     * @throws RuntimeClosedException if the loop is closed
     */
    public <T> CompletableFuture<T> submit(Operation<T> op) {
        Objects.requireNonNull(op, "op");
        if (op.loop != null) {
            throw new IllegalStateException(op.name() + ": an operation can be submitted once");
        }
        op.loop = this;
        enqueue(op, op.name());
        return op.future;
    }

    /**
     * Runs {@code task} on the loop thread with the loop's ring, for what must happen there
     * (registration calls on a SINGLE_ISSUER ring, for example).
     */
    public <T> CompletableFuture<T> call(LoopTask<T> task) {
        Objects.requireNonNull(task, "task");
        CompletableFuture<T> f = new CompletableFuture<>();
        enqueue((Chore) () -> {
            try {
                f.complete(task.run(ring));
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        }, "call");
        return f;
    }

    /**
     * Registers a closer that {@link #close()} runs on the loop thread after every completion has
     * arrived and before the ring is closed, e.g. to unregister a fixed-file table.
     */
    public void addCloser(LoopCloser closer) {
        Objects.requireNonNull(closer, "closer");
        if (inLoop()) {
            closers.add(closer);
        } else {
            call(r -> closers.add(closer)).join();
        }
    }

    private void enqueue(Object item, String what) {
        if (state != RUNNING) {
            throw new RuntimeClosedException(what + ": " + name + " is closed");
        }
        inbox.offer(item);
        // Dekker pairing with the loop, which sets SLEEPING before it checks the inbox.
        if (!inLoop() && (int) SLEEPING.getVolatile(this) == 1 && SLEEPING.compareAndSet(this, 1, 0)) {
            wake();
        }
        if (state != RUNNING && inbox.remove(item)) {
            // Lost a race with close(): the loop may already have drained its inbox for the last time.
            throw new RuntimeClosedException(what + ": " + name + " is closed");
        }
    }

    private void wake() {
        Syscalls.write(wakeFd, ONE);
    }

    /** Asks the kernel to cancel {@code op} (its future was cancelled); its memory stays until its completion. */
    void requestCancel(Operation<?> op) {
        if (state != RUNNING) {
            return;
        }
        try {
            enqueue((Chore) () -> {
                if (op.slot >= 0 && table[op.slot] == op && !op.cancelRequested) {
                    op.cancelRequested = true;
                    sqe(1).prepCancel(op.slot, 0).userData(IGNORE);
                }
            }, "cancel");
        } catch (RuntimeClosedException e) {
            // closing cancels everything anyway
        }
    }

    // ------------------------------------------------------------------ the loop

    private void run() {
        try {
            ring = openRing(options);
            arena = Arena.ofShared();
            wakeBuf = arena.allocate(JAVA_LONG);
            memory = new NativeMemoryPool(arena, options.registeredBufferBytes());
            registerPoolBuffers();
            files = new FixedFileTable(options.fixedFiles());
            files.register(ring);
            wakeFd = Syscalls.eventfd(0, Uapi.EFD_CLOEXEC);
            if (wakeFd < 0) {
                throw new UringException("eventfd", -wakeFd, UringException.NO_FD, null);
            }
        } catch (Throwable t) {
            if (ring != null) {
                ring.close();
            }
            if (arena != null) {
                arena.close();
            }
            state = CLOSED;
            started.completeExceptionally(t);
            terminated.complete(null);
            return;
        }
        started.complete(null);
        try {
            loop();
        } catch (Throwable t) {
            closeFailure = t instanceof UringException u ? u
                    : new UringException(name, Errno.EIO.number(), UringException.NO_FD, null, "loop failed: " + t);
            closeFailure.initCause(t instanceof UringException ? null : t);
        } finally {
            shutdown();
        }
    }

    /** Registers the pool's bounce buffers as fixed buffer 0 of a sparse table (slots 1.. stay free for callers). */
    private void registerPoolBuffers() {
        MemorySegment region = memory.registeredRegion();
        if (region.byteSize() == 0) {
            return;
        }
        try {
            ring.registerBuffersSparse(64);
            ring.registerBuffersUpdate(0, region);
            memory.registeredActive(true);
        } catch (UringException e) {
            memory.registeredActive(false); // RLIMIT_MEMLOCK too low, or no sparse buffer tables: plain I/O
        }
    }

    /** The loop's native memory pool. Loop-thread only. */
    public NativeMemoryPool memory() {
        assertInLoop();
        return memory;
    }

    /** The loop's ring, for synchronous calls (registration) from ops on the loop thread. Loop-thread only. */
    public Ring ring() {
        assertInLoop();
        return ring;
    }

    /** The loop's registered file table. Loop-thread only. */
    public FixedFileTable fixedFiles() {
        assertInLoop();
        return files;
    }

    private void assertInLoop() {
        if (!inLoop()) {
            throw new IllegalStateException("only " + name + "'s own thread may use this");
        }
    }

    private static Ring openRing(LoopOptions o) throws UringException {
        // TASKRUN_FLAG: the kernel flags deferred completion work in the SQ ring, so the loop enters
        // to run it exactly when there is some, even while other completions keep the CQ busy.
        RingOptions preferred = new RingOptions(o.entries()).cqSize(o.cqEntries()).singleIssuer().deferTaskrun()
                .taskrunFlag().submitAll().registerRingFd();
        try {
            return Ring.open(preferred);
        } catch (UringException e) {
            if (e.errno() != Errno.EINVAL.number()) {
                throw e;
            }
        }
        // Kernels before 6.1 lack DEFER_TASKRUN (and before 6.0 SINGLE_ISSUER): plain settings.
        return Ring.open(new RingOptions(o.entries()).cqSize(o.cqEntries()));
    }

    private void loop() throws UringException {
        while (state == RUNNING) {
            if (!wakeArmed) {
                sqe(1).prepRead(Fd.raw(wakeFd), wakeBuf, -1).userData(WAKE);
                wakeArmed = true;
            }
            drainInbox();
            if (state != RUNNING) {
                break;
            }
            if (spinNanos > 0 && inbox.isEmpty()) {
                // Hand the kernel what is prepared, deliver what completed inline, then stay awake a
                // few microseconds: a caller that answers a completion with new work (one blocking
                // call after another) finds the loop running, and neither side pays the eventfd write
                // and the two thread wake-ups of a sleeping loop.
                enter(0);
                ring.forEachCqe(onCqe);
                long until = System.nanoTime() + spinNanos;
                while (inbox.isEmpty() && ring.cqReady() == 0 && (ring.sqFlags() & PENDING_IN_KERNEL) == 0
                        && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                if (!wakeArmed || !inbox.isEmpty() || ring.cqReady() > 0 || (ring.sqFlags() & PENDING_IN_KERNEL) != 0) {
                    // Work arrived, or the wake-up read completed above: back to the top, which
                    // re-arms the read before the loop may sleep (else an eventfd write would be lost).
                    ring.forEachCqe(onCqe);
                    continue;
                }
            }
            SLEEPING.setVolatile(this, 1);
            if (inbox.isEmpty()) {
                enter(1);
            } else {
                enter(0);
            }
            SLEEPING.setVolatile(this, 0);
            ring.forEachCqe(onCqe);
        }
    }

    /** Submits and, with {@code waitNr} 1, sleeps until a completion arrives. */
    private void enter(int waitNr) throws UringException {
        try {
            ring.submitAndWait(waitNr);
        } catch (UringException e) {
            // EBUSY/EAGAIN: the CQ is backed up; reaping (next) makes room, then we submit again.
            if (e.errno() != Errno.EBUSY.number() && e.errno() != Errno.EAGAIN.number()) {
                throw e;
            }
        }
    }

    private void drainInbox() throws UringException {
        Object item;
        while ((item = inbox.poll()) != null) {
            if (item instanceof Operation<?> op) {
                try {
                    admit(op);
                } catch (RuntimeException | Error e) {
                    // A subclass's chainLength() or name() threw before the op took a slot: it never
                    // reached the kernel, so it fails alone and the loop goes on.
                    op.future.completeExceptionally(e);
                    released(op);
                }
            } else {
                ((Chore) item).run();
            }
        }
    }

    /** A free SQE, submitting what is queued first if the SQ lacks {@code n} free entries. */
    private Sqe sqe(int n) throws UringException {
        while (ring.sqSpaceLeft() < n) {
            enter(0);
            ring.forEachCqe(onCqe);
        }
        return ring.getSqe();
    }

    private void admit(Operation<?> op) throws UringException {
        admitted++;
        if (op.future.isDone()) {
            released(op); // cancelled before it reached the kernel
            return;
        }
        int n = op.chainLength(); // before the slot: a subclass's that throws leaves none taken
        int slot = allocSlot(op);
        if (n < 1 || n > ring.sqEntries() - 1 || n > 1 << 14) {
            freeSlot(slot);
            op.future.completeExceptionally(new IllegalArgumentException(op.name() + ": chain of " + n + " entries"));
            released(op);
            return;
        }
        boolean timed = op.timeoutNanos > 0;
        Sqe first = sqe(n + (timed ? 1 : 0));
        Sqe[] sqes = n == 1 ? singleSqe : new Sqe[n];
        sqes[0] = first;
        for (int i = 1; i < n; i++) {
            sqes[i] = ring.getSqe();
        }
        try {
            op.prepareChain(sqes);
        } catch (Throwable t) {
            for (Sqe sqe : sqes) {
                sqe.reset().userData(IGNORE);
            }
            freeSlot(slot);
            released(op);
            op.future.completeExceptionally(t);
            return;
        }
        for (int i = 0; i < n; i++) {
            sqes[i].userData(slot | ((long) i << CHAIN_SHIFT));
            if (op.personality > 0) {
                sqes[i].personality(op.personality);
            }
        }
        op.pendingCqes = n;
        if (timed) {
            first.link();
            MemorySegment ts = timespec(slot);
            ts.set(JAVA_LONG, 0, op.timeoutNanos / 1_000_000_000L);
            ts.set(JAVA_LONG, 8, op.timeoutNanos % 1_000_000_000L);
            ring.getSqe().prepLinkTimeout(ts, 0).userData(slot | TIMEOUT_BIT);
            op.pendingCqes = 2;
        }
    }

    private int allocSlot(Operation<?> op) {
        if (freeTop == 0) {
            int old = table.length;
            table = Arrays.copyOf(table, old * 2);
            freeSlots = Arrays.copyOf(freeSlots, old * 2);
            for (int i = 0; i < old; i++) {
                freeSlots[i] = old * 2 - 1 - i;
            }
            freeTop = old;
        }
        int slot = freeSlots[--freeTop];
        table[slot] = op;
        op.slot = slot;
        inFlight++;
        return slot;
    }

    private void freeSlot(int slot) {
        Operation<?> op = table[slot];
        table[slot] = null;
        op.slot = -1;
        freeSlots[freeTop++] = slot;
        inFlight--;
    }

    /** The timespec of a slot's link timeout: lives in loop-owned chunks until the loop closes. */
    private MemorySegment timespec(int slot) {
        int chunk = slot / TIMESPEC_CHUNK;
        while (timespecChunks.size() <= chunk) {
            timespecChunks.add(arena.allocate(16L * TIMESPEC_CHUNK, 8));
        }
        return timespecChunks.get(chunk).asSlice(16L * (slot % TIMESPEC_CHUNK), 16);
    }

    // ------------------------------------------------------------------ completion (loop thread)

    private void onCqe(long userData, int res, int flags) {
        if (userData == WAKE) {
            wakeArmed = false;
            return;
        }
        if (userData == IGNORE) {
            return;
        }
        int slot = (int) userData;
        Operation<?> op = table[slot];
        if (op == null) {
            return; // cannot happen: a slot is freed only after its last completion
        }
        if ((userData & TIMEOUT_BIT) != 0) {
            // The link timeout's own completion: -ETIME if it fired (the op then ends -ECANCELED).
            if (res == -Errno.ETIME.number()) {
                op.timedOut = true;
                if (op.deferredCancel) {
                    deliver(op, -Errno.ECANCELED.number(), 0);
                }
            } else if (op.deferredCancel) {
                deliver(op, -Errno.ECANCELED.number(), 0);
            }
            finishOne(op);
            return;
        }
        if (op.chainLength() > 1) {
            try {
                op.chainCompletion((int) ((userData >>> CHAIN_SHIFT) & 0x7fff), res, flags);
            } catch (Throwable t) {
                op.future.completeExceptionally(t); // the chain's last completion still releases it
            }
            if (++op.chainSeen == op.chainLength()) {
                deliver(op, res, 0);
            }
            finishOne(op);
            return;
        }
        boolean more = (flags & Uapi.IORING_CQE_F_MORE) != 0;
        if (!more && op.pendingCqes == 2 && res == -Errno.ECANCELED.number()) {
            // Cancelled, perhaps by its link timeout, whose completion has not arrived: wait for it
            // so the future fails as a timeout rather than a bare ECANCELED.
            op.deferredCancel = true;
        } else {
            deliver(op, res, flags);
        }
        if (!more) {
            finishOne(op);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void deliver(Operation op, int res, int flags) {
        if (op.future.isDone()) {
            if ((flags & Uapi.IORING_CQE_F_MORE) == 0) {
                try {
                    op.abandoned(res, flags);
                } catch (Throwable ignored) {
                    // nobody is waiting; the op's own cleanup failing must not stop the loop
                }
            }
            return;
        }
        if (op.timedOut && res == -Errno.ECANCELED.number()) {
            op.future.completeExceptionally(new UringException(op.name(), Errno.ETIME.number(), UringException.NO_FD,
                    null, "timed out after " + Duration.ofNanos(op.timeoutNanos)));
            return;
        }
        try {
            Object v = op.complete(res, flags);
            if ((flags & Uapi.IORING_CQE_F_MORE) == 0 && !op.future.complete(v)) {
                op.abandoned(res, flags); // cancelled while completing: undo what the op created
            }
        } catch (Throwable t) {
            op.future.completeExceptionally(t);
        }
    }

    private void finishOne(Operation<?> op) {
        if (--op.pendingCqes == 0) {
            freeSlot(op.slot);
            released(op);
        }
    }

    /**
     * {@link Operation#release()}, which a caller's subclass may have written: one that throws must
     * not end the loop, and every file, socket and child on it, with an "EIO: loop failed". Its
     * failure goes to the thread's uncaught-exception handler (printed, by default).
     */
    private static void released(Operation<?> op) {
        try {
            op.release();
        } catch (Throwable t) {
            reportCallbackFailure(t);
        }
    }

    private static void reportCallbackFailure(Throwable t) {
        try {
            Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), t);
        } catch (Throwable ignored) {
            // a handler that throws too: the loop goes on regardless
        }
    }

    // ------------------------------------------------------------------ teardown

    /**
     * Stops the loop: refuses new work, cancels everything in flight, waits for every completion
     * (at most {@link LoopOptions#closeTimeout()}), runs the closers, and closes the ring and the
     * eventfd. Idempotent; must not be called from the loop's own thread.
     *
     * @throws UringException if the kernel did not answer in time (the memory of the ops it still
     *                        holds is deliberately leaked rather than freed under it) or a closer failed
     */
    @Override
    public void close() throws UringException {
        if (inLoop()) {
            throw new IllegalStateException("close() on the loop's own thread would wait for itself");
        }
        if (STATE.compareAndSet(this, RUNNING, CLOSING)) {
            if (wakeFd >= 0) {
                wake();
            }
        }
        try {
            terminated.get(options.closeTimeout().toNanos() + TimeUnit.SECONDS.toNanos(5), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            throw new UringException("close", Errno.ETIMEDOUT.number(), UringException.NO_FD, null,
                    name + " did not stop");
        }
        if (closeFailure != null) {
            UringException f = closeFailure;
            closeFailure = null;
            throw f;
        }
    }

    private void shutdown() {
        state = CLOSING;
        RuntimeClosedException closed = new RuntimeClosedException(name + " closed");
        boolean drained = false;
        try {
            Object item;
            while ((item = inbox.poll()) != null) {
                if (item instanceof Operation<?> op) {
                    Throwable failure;
                    try {
                        failure = op.closedLoopFailure(closed);
                    } catch (Throwable t) {
                        failure = closed; // a subclass's override failed: the loop's own reason will do
                    }
                    op.future.completeExceptionally(failure);
                    released(op);
                } else {
                    ((Chore) item).run(); // calls still see the open ring; cancels are harmless
                }
            }
            if (inFlight > 0 || wakeArmed) {
                sqe(1).prepCancel(0, Uapi.IORING_ASYNC_CANCEL_ANY | Uapi.IORING_ASYNC_CANCEL_ALL).userData(IGNORE);
            }
            long deadline = System.nanoTime() + options.closeTimeout().toNanos();
            while ((inFlight > 0 || wakeArmed) && System.nanoTime() < deadline) {
                ring.submit();
                Cqe cqe = ring.waitCqe(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                if (cqe != null) {
                    onCqe(cqe.userData(), cqe.res(), cqe.flags());
                    ring.forEachCqe(onCqe);
                }
            }
            drained = inFlight == 0 && !wakeArmed;
            List<LoopCloser> all = new ArrayList<>(closers);
            // Last: drop the registered files and buffers, so the kernel holds no file of ours.
            all.add(r -> files.unregister(r));
            all.add(r -> {
                if (memory.registeredRegion().byteSize() > 0) {
                    memory.registeredActive(false);
                    try {
                        r.unregisterBuffers();
                    } catch (UringException e) {
                        if (e.errno() != Errno.ENXIO.number()) { // ENXIO: none were registered
                            throw e;
                        }
                    }
                }
            });
            for (LoopCloser c : all) {
                try {
                    c.close(ring);
                } catch (Throwable t) {
                    if (closeFailure == null) {
                        closeFailure = t instanceof UringException u ? u
                                : new UringException("close", Errno.EIO.number(), UringException.NO_FD, null, t.toString());
                    }
                }
            }
        } catch (Throwable t) {
            if (closeFailure == null) {
                closeFailure = t instanceof UringException u ? u
                        : new UringException("close", Errno.EIO.number(), UringException.NO_FD, null, t.toString());
            }
        }
        if (!drained) {
            int stuck = 0;
            for (Operation<?> op : table) {
                if (op != null) {
                    stuck++;
                    op.future.completeExceptionally(new UringException(op.name(), Errno.ETIMEDOUT.number(),
                            UringException.NO_FD, null, "the kernel did not complete it before " + name + " closed"));
                }
            }
            if (closeFailure == null) {
                closeFailure = new UringException("close", Errno.ETIMEDOUT.number(), UringException.NO_FD, null,
                        stuck + " operation(s) did not complete within " + options.closeTimeout()
                                + "; their memory is kept, not freed under the kernel");
            }
        }
        ring.close();
        Syscalls.close(wakeFd);
        if (drained) {
            arena.close(); // else the kernel may still read a link timeout's timespec: leak it instead
        }
        state = CLOSED;
        terminated.complete(null);
    }

    @Override
    public String toString() {
        return name + (state == RUNNING ? "" : state == CLOSING ? " (closing)" : " (closed)");
    }
}
