package org.uring4j.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.fs.AsyncFile;
import org.uring4j.fs.Backend;
import org.uring4j.fs.UringFiles;
import org.uring4j.fs.UringOpenOption;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.sys.Syscalls;

/**
 * An {@link AsynchronousFileChannel} whose reads, writes, syncs, truncation and size queries go
 * through io_uring ({@link AsyncFile}), and which behaves as the JDK's own channel
 * ({@code AsynchronousFileChannel.open}) does: the same argument checks in the same order, the
 * same exceptions, buffer positions that advance the same way, -1 at end of file, pending
 * operations that fail with {@link AsynchronousCloseException} when the channel closes, and
 * {@code Future.cancel(true)} that closes the channel. It is a drop-in replacement:
 * {@code UringFileChannel.open(path, options...)} where the code said
 * {@code AsynchronousFileChannel.open(path, options...)}.
 *
 * <h2>Threads</h2>
 * Operations complete on the file's event-loop thread, which never runs caller code:
 * <ul>
 * <li>a {@link CompletionHandler} runs on the channel's executor — the {@link ExecutorService}
 *     given to {@code open}, or by default a new virtual thread per completion — never on the
 *     calling thread, never on the event loop (a handler may block). The loop thread does not even
 *     call a caller's executor (whose {@code execute} might run the task inline or block on a
 *     full queue): a virtual thread hands the task over. If that executor is shut down the
 *     handler runs on the default one (the JDK would throw RejectedExecutionException from
 *     the read or write call instead);</li>
 * <li>a returned {@link Future} is a plain Future (not a CompletableFuture), so nothing can be
 *     chained onto the loop thread; {@code get()} simply waits.</li>
 * </ul>
 *
 * <h2>Locks</h2>
 * {@link #lock} and {@link #tryLock} take Linux open file description locks (F_OFD_SETLK), not
 * the process-wide POSIX locks (F_SETLK) of the JDK. Within one channel the rules are the JDK's:
 * overlapping locks held (or being acquired) through the same channel throw
 * {@link OverlappingFileLockException}. Across channels they differ: the JDK throws
 * OverlappingFileLockException when another channel of the same JVM holds an overlapping lock,
 * because POSIX locks cannot tell two channels of one process apart; here the kernel arbitrates
 * between channels exactly as between processes — an exclusive lock held by another channel makes
 * {@code tryLock} return null and {@code lock} wait, and shared locks coexist. OFD locks and POSIX
 * locks conflict with each other, so a UringFileChannel and a JDK channel (or another process) on
 * the same file exclude each other as expected.
 *
 * <p>On the portable backend, whose FileChannel keeps its descriptor to itself, locks are the JDK's
 * own: FileChannel locks taken through a second channel the UringFileChannel opens on the same
 * path at its first lock (and closes with itself), so the JDK's rules apply exactly, POSIX
 * semantics included (OverlappingFileLockException across the channels of one JVM). A file
 * renamed or replaced after the open is locked by its path's current file.
 *
 * <p>A contended {@code lock} waits in F_OFD_SETLKW on a daemon platform thread of its own (an
 * uncontended one is granted at once on the calling thread), never on the event loop. Closing the
 * channel fails the wait with AsynchronousCloseException at once; the waiting thread keeps a
 * duplicate of the descriptor — so the kernel keeps the open file description — until the
 * conflicting lock is released, then drops the lock it was granted and ends.
 */
public final class UringFileChannel extends AsynchronousFileChannel {
    private static final FileAttribute<?>[] NO_ATTRIBUTES = new FileAttribute<?>[0];
    private static final int EINTR = Errno.EINTR.number();

    /** Default handler executor: a virtual thread per completion (daemon by nature; nothing to shut down). */
    private static final ExecutorService DEFAULT_HANDLERS =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("uring4j-nio-handler-", 0).factory());

    private final AsyncFile file;
    private final String path;
    private final boolean reading;
    private final boolean writing;
    private final Executor handlers;

    /** Synchronous operations hold the read lock; close takes the write lock to wait for them, as the JDK does. */
    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
    /** Guards {@link #closed} transitions, {@link #locks} and {@link #waiting}. */
    private final Object stateLock = new Object();
    private volatile boolean closed;
    /** Locks held or being acquired through this channel (the JDK's lock table, per channel). */
    private final List<UringFileLock> locks = new ArrayList<>();
    /** Contended lock requests whose threads wait in F_OFD_SETLKW. */
    private final Set<PendingLock<?>> waiting = new HashSet<>();
    /** Portable backend: a FileChannel of its own on the path, whose (POSIX) locks stand for ours; opened on first use. */
    private java.nio.channels.FileChannel lockChannel; // guarded by stateLock

    private UringFileChannel(AsyncFile file, String path, boolean reading, boolean writing, Executor handlers) {
        this.file = file;
        this.path = path;
        this.reading = reading;
        this.writing = writing;
        this.handlers = handlers;
    }

    // ------------------------------------------------------------------ open

    /**
     * Opens {@code file} as {@link AsynchronousFileChannel#open(Path, OpenOption...)} does, on the
     * shared default {@link UringFiles} (see {@link #open(Path, Set, ExecutorService, FileAttribute[])}).
     */
    public static UringFileChannel open(Path file, OpenOption... options) throws IOException {
        Set<OpenOption> set = new HashSet<>(options.length);
        Collections.addAll(set, options);
        return open(file, set, null, NO_ATTRIBUTES);
    }

    /**
     * Opens {@code file} as
     * {@link AsynchronousFileChannel#open(Path, Set, ExecutorService, FileAttribute[])} does, on
     * the shared default {@link UringFiles}: up to two event loops, started on first use, whose
     * daemon threads never keep the JVM alive.
     *
     * @param executor runs completion handlers; null for the default (a virtual thread per completion)
     */
    public static UringFileChannel open(Path file, Set<? extends OpenOption> options, ExecutorService executor,
                                        FileAttribute<?>... attrs) throws IOException {
        Objects.requireNonNull(file, "file");
        return open(DefaultFiles.get(), file, options, executor, attrs);
    }

    /**
     * Opens {@code file} on a {@link UringFiles} of the caller's (which the caller closes, after
     * its channels), with the JDK's option rules: READ when neither READ nor WRITE is given,
     * APPEND refused (UnsupportedOperationException), DELETE_ON_CLOSE unlinking the file right
     * after it is opened. {@link UringOpenOption}s are accepted too.
     *
     * @param executor runs completion handlers; null for the default (a virtual thread per completion)
     */
    public static UringFileChannel open(UringFiles files, Path file, Set<? extends OpenOption> options,
                                        ExecutorService executor, FileAttribute<?>... attrs) throws IOException {
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(file, "file");
        if (file.getFileSystem().provider() != FileSystems.getDefault().provider()) {
            throw new ProviderMismatchException("UringFileChannel opens files of the default file system only: " + file);
        }
        boolean read = false;
        boolean write = false;
        boolean append = false;
        boolean deleteOnClose = false;
        boolean createNew = false;
        Set<OpenOption> effective = new HashSet<>();
        for (OpenOption o : options) {
            if (o == null) {
                throw new NullPointerException();
            }
            if (o instanceof StandardOpenOption s) {
                switch (s) {
                    case READ -> read = true;
                    case WRITE -> write = true;
                    case APPEND -> append = true;
                    case DELETE_ON_CLOSE -> deleteOnClose = true;
                    case CREATE_NEW -> createNew = true;
                    default -> {
                    }
                }
                if (s != StandardOpenOption.DELETE_ON_CLOSE) {
                    effective.add(s);
                }
            } else if (o == LinkOption.NOFOLLOW_LINKS || o instanceof UringOpenOption || isExtendedDirect(o)) {
                effective.add(o);
            } else {
                throw new UnsupportedOperationException(o + " not supported");
            }
        }
        if (!read && !write) {
            read = true;
            effective.add(StandardOpenOption.READ);
        }
        if (append) {
            throw new UnsupportedOperationException("APPEND not allowed");
        }
        if (deleteOnClose && !createNew) {
            effective.add(LinkOption.NOFOLLOW_LINKS); // as the JDK: never delete what a symbolic link points to
        }
        AsyncFile f;
        try {
            f = join(files.openAsync(file, effective, attrs));
        } catch (IOException e) {
            throw openFailure(file, e);
        }
        if (deleteOnClose) {
            try {
                join(files.deleteFileAsync(file)); // as the JDK on Unix: unlink at once, best effort
            } catch (IOException | RuntimeException ignored) {
                // best effort
            }
        }
        return new UringFileChannel(f, file.toString(), read, write, executor != null ? executor : DefaultPool.EXECUTOR);
    }

    private static boolean isExtendedDirect(OpenOption o) {
        return o.getClass().getName().equals("com.sun.nio.file.ExtendedOpenOption") && o.toString().equals("DIRECT");
    }

    /** The exception the JDK throws for a failed open: NoSuchFile, FileAlreadyExists, AccessDenied (EACCES), else FileSystemException. */
    private static IOException openFailure(Path file, IOException e) {
        if (e instanceof NoSuchFileException || e instanceof FileAlreadyExistsException) {
            return e;
        }
        UringException u = e instanceof UringException ue ? ue : e.getCause() instanceof UringException ue ? ue : null;
        if (u == null) {
            return e;
        }
        if (e instanceof AccessDeniedException && u.errno() == Errno.EACCES.number()) {
            return e;
        }
        Errno errno = u.errnoValue();
        FileSystemException fse = new FileSystemException(file.toString(), null,
                errno != null ? errno.message() : "errno " + u.errno());
        fse.initCause(e);
        return fse;
    }

    /**
     * The handler executor of channels opened without one, made on first use as the JDK makes its
     * default thread pool: if the system property {@code java.nio.channels.DefaultThreadPool.threadFactory}
     * names a ThreadFactory class (loaded by the system class loader) or
     * {@code java.nio.channels.DefaultThreadPool.initialSize} is set, a cached pool of that factory's
     * threads (daemon platform threads by default) with {@code initialSize} of them started up front;
     * a bad value is an Error, as with the JDK. With neither property: a virtual thread per completion.
     */
    private static final class DefaultPool {
        static final String THREAD_FACTORY = "java.nio.channels.DefaultThreadPool.threadFactory";
        static final String INITIAL_SIZE = "java.nio.channels.DefaultThreadPool.initialSize";
        static final ExecutorService EXECUTOR = create();

        private static ExecutorService create() {
            String factoryName = System.getProperty(THREAD_FACTORY);
            String sizeValue = System.getProperty(INITIAL_SIZE);
            if (factoryName == null && sizeValue == null) {
                return DEFAULT_HANDLERS;
            }
            int initialSize = Runtime.getRuntime().availableProcessors();
            if (sizeValue != null) {
                try {
                    initialSize = Integer.parseInt(sizeValue);
                } catch (NumberFormatException e) {
                    throw new Error("Value of property '" + INITIAL_SIZE + "' is invalid: " + e, e);
                }
            }
            java.util.concurrent.ThreadFactory factory = r -> {
                Thread t = new Thread(r);
                t.setDaemon(true);
                return t;
            };
            if (factoryName != null) {
                try {
                    factory = (java.util.concurrent.ThreadFactory) Class.forName(factoryName, true,
                            ClassLoader.getSystemClassLoader()).getDeclaredConstructor().newInstance();
                } catch (ReflectiveOperationException | ClassCastException e) {
                    throw new Error(e);
                }
            }
            java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(
                    Math.max(0, initialSize), Integer.MAX_VALUE, 60L, java.util.concurrent.TimeUnit.SECONDS,
                    new java.util.concurrent.SynchronousQueue<>(), factory);
            pool.allowCoreThreadTimeOut(initialSize > 0);
            pool.prestartAllCoreThreads();
            return pool;
        }
    }

    /** The shared UringFiles behind the static opens without one. */
    private static final class DefaultFiles {
        private static UringFiles files;

        static synchronized UringFiles get() throws IOException {
            if (files == null) {
                files = UringFiles.open(Math.min(2, Runtime.getRuntime().availableProcessors()), new LoopOptions());
            }
            return files;
        }
    }

    // ------------------------------------------------------------------ state

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /** Marks the start of a synchronous operation: ClosedChannelException if closed. */
    private void begin() throws ClosedChannelException {
        closeLock.readLock().lock();
        if (closed) {
            closeLock.readLock().unlock();
            throw new ClosedChannelException();
        }
    }

    private void end() {
        closeLock.readLock().unlock();
    }

    /** A failure seen after the channel closed is an AsynchronousCloseException, as with the JDK. */
    private IOException closedOr(IOException e) {
        if (isOpen()) {
            return e;
        }
        AsynchronousCloseException ace = new AsynchronousCloseException();
        ace.initCause(e);
        return ace;
    }

    /**
     * Closes the channel as the JDK's does: later operations fail with ClosedChannelException,
     * locks held through it are released and invalidated, lock waits fail with
     * AsynchronousCloseException, pending reads and writes the kernel has not started fail with
     * AsynchronousCloseException at once (ASYNC_CANCEL), and it returns once those already running
     * have completed (normally) and the file is closed. Idempotent.
     */
    @Override
    public void close() throws IOException {
        CompletableFuture<Void> closing = beginClose(true);
        if (closing != null) {
            join(closing); // waits for the ring operations the kernel had already started
        }
    }

    /**
     * Closes as {@link #close()} does without waiting for anything: for {@code Future.cancel(true)},
     * which must return promptly while the operations in flight end on their own.
     */
    void closeWithoutWaiting() {
        beginClose(false);
    }

    /** Marks the channel closed and starts closing the file; null if it was already closed. */
    private CompletableFuture<Void> beginClose(boolean waitForSynchronousOps) {
        List<UringFileLock> held;
        List<PendingLock<?>> pending;
        synchronized (stateLock) {
            if (closed) {
                return null;
            }
            closed = true;
            held = new ArrayList<>(locks);
            locks.clear();
            pending = new ArrayList<>(waiting);
            waiting.clear();
        }
        int fd = -1;
        if (file.backend() == Backend.IO_URING) { // the portable backend hands out no descriptor, and so took no locks
            try {
                fd = file.fd();
            } catch (IOException ignored) {
                // a direct-only file that cannot install a descriptor holds no locks either
            }
        }
        for (UringFileLock fl : held) {
            synchronized (fl) {
                if (fl.isValid()) {
                    if (fd >= 0) {
                        OfdLocks.unlock(fd, fl.position(), fl.size());
                    }
                    fl.invalidate();
                }
            }
        }
        for (PendingLock<?> p : pending) {
            p.finish(null, new AsynchronousCloseException());
        }
        java.nio.channels.FileChannel lc;
        synchronized (stateLock) {
            lc = lockChannel;
        }
        if (lc != null) {
            try {
                lc.close(); // releases its locks, and ends a FileChannel.lock waiting on it
            } catch (IOException ignored) {
                // closed as far as it goes
            }
        }
        if (waitForSynchronousOps) {
            // Wait for synchronous operations in progress (size, force, tryLock...) to finish.
            closeLock.writeLock().lock();
            closeLock.writeLock().unlock();
        }
        return file.closeAsync(); // cancels what the kernel has not started
    }

    // ------------------------------------------------------------------ size, truncate, force

    @Override
    public long size() throws IOException {
        begin();
        try {
            return join(file.sizeAsync());
        } catch (IOException e) {
            throw closedOr(e);
        } finally {
            end();
        }
    }

    /** As the JDK: shrinks the file if {@code size} is below its size, else does nothing. */
    @Override
    public AsynchronousFileChannel truncate(long size) throws IOException {
        if (size < 0L) {
            throw new IllegalArgumentException("Negative size");
        }
        if (!writing) {
            throw new NonWritableChannelException();
        }
        begin();
        try {
            long current = join(file.sizeAsync());
            if (size < current && isOpen()) {
                ftruncate(size);
            }
            return this;
        } catch (IOException e) {
            throw closedOr(e);
        } finally {
            end();
        }
    }

    /** IORING_OP_FTRUNCATE (Linux 6.9+), else ftruncate(2) on this thread. */
    private void ftruncate(long size) throws IOException {
        try {
            join(file.truncateAsync(size));
        } catch (UringException e) {
            if (e.errno() != Errno.EINVAL.number() && e.errno() != Errno.EOPNOTSUPP.number()
                    || file.backend() != Backend.IO_URING) {
                throw e;
            }
            int fd = file.fd();
            int r = Syscalls.ftruncate(fd, size);
            if (r < 0) {
                throw new UringException("ftruncate", -r, fd, path);
            }
        }
    }

    /** fsync(2) with {@code metaData}, else fdatasync(2), through the ring. */
    @Override
    public void force(boolean metaData) throws IOException {
        begin();
        try {
            join(metaData ? file.syncAsync() : file.dataSyncAsync());
        } catch (IOException e) {
            throw closedOr(e);
        } finally {
            end();
        }
    }

    // ------------------------------------------------------------------ read and write

    @Override
    public Future<Integer> read(ByteBuffer dst, long position) {
        return implRead(dst, position, null, null);
    }

    @Override
    public <A> void read(ByteBuffer dst, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        if (handler == null) {
            throw new NullPointerException("'handler' is null");
        }
        implRead(dst, position, attachment, handler);
    }

    @Override
    public Future<Integer> write(ByteBuffer src, long position) {
        return implWrite(src, position, null, null);
    }

    @Override
    public <A> void write(ByteBuffer src, long position, A attachment, CompletionHandler<Integer, ? super A> handler) {
        if (handler == null) {
            throw new NullPointerException("'handler' is null");
        }
        implWrite(src, position, attachment, handler);
    }

    private <A> Future<Integer> implRead(ByteBuffer dst, long position, A attachment,
                                         CompletionHandler<Integer, ? super A> handler) {
        if (position < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (!reading) {
            throw new NonReadableChannelException();
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        if (!isOpen() || dst.remaining() == 0) {
            return immediate(0, isOpen() ? null : new ClosedChannelException(), attachment, handler);
        }
        return relay(transfer(false, dst, position), attachment, handler);
    }

    private <A> Future<Integer> implWrite(ByteBuffer src, long position, A attachment,
                                          CompletionHandler<Integer, ? super A> handler) {
        if (position < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (!writing) {
            throw new NonWritableChannelException();
        }
        // (As the JDK: a closed channel fails before a null buffer is noticed.)
        if (!isOpen() || src.remaining() == 0) {
            return immediate(0, isOpen() ? null : new ClosedChannelException(), attachment, handler);
        }
        return relay(transfer(true, src, position), attachment, handler);
    }

    /** The file's read or write; a failure to start it is reported through the future, as the JDK's. */
    private CompletableFuture<Integer> transfer(boolean write, ByteBuffer buffer, long position) {
        try {
            return write ? file.writeAsync(buffer, position) : file.readAsync(buffer, position);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Delivers an operation's outcome: to a Future, or to the handler on the executor. */
    private <V, A> Future<V> relay(CompletableFuture<V> op, A attachment, CompletionHandler<V, ? super A> handler) {
        if (handler == null && op.state() == Future.State.SUCCESS) {
            // Done on the caller's path (a page-cache hit): hand the value over without a completion stage.
            V v = op.resultNow();
            if (!(v instanceof Integer n && n < 0 && !isOpen())) {
                return ChannelFuture.done(v);
            }
        }
        ChannelFuture<V> result = handler == null ? new ChannelFuture<>(this) : null;
        op.whenComplete((v, t) -> {
            // Runs on the loop thread (or here, if already done): no caller code, only hand-off.
            Throwable exc = t == null ? null : failure(t);
            if (exc == null && v instanceof Integer n && n < 0 && !isOpen()) {
                exc = new AsynchronousCloseException(); // the JDK's rule for a negative result after close
            }
            if (result != null) {
                result.set(exc == null ? v : null, exc);
            } else {
                invoke(handler, attachment, exc == null ? v : null, exc);
            }
        });
        return result;
    }

    /** An operation's failure as the JDK reports it: AsynchronousCloseException once closed, always an IOException. */
    private Throwable failure(Throwable t) {
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (!isOpen()) {
            AsynchronousCloseException ace = new AsynchronousCloseException();
            ace.initCause(t);
            return ace;
        }
        return t instanceof IOException ? t : new IOException(t);
    }

    private <V, A> Future<V> immediate(V value, Throwable exc, A attachment, CompletionHandler<V, ? super A> handler) {
        if (handler == null) {
            ChannelFuture<V> f = new ChannelFuture<>(this);
            f.set(value, exc);
            return f;
        }
        invoke(handler, attachment, value, exc);
        return null;
    }

    /** Runs the handler on the executor (never the caller's thread, never the loop's), clearing any interrupt after it. */
    private <V, A> void invoke(CompletionHandler<V, ? super A> handler, A attachment, V value, Throwable exc) {
        Runnable task = () -> {
            try {
                if (exc == null) {
                    handler.completed(value, attachment);
                } else {
                    handler.failed(exc, attachment);
                }
            } finally {
                Thread.interrupted();
            }
        };
        if (handlers == DEFAULT_HANDLERS) {
            DEFAULT_HANDLERS.execute(task); // starts a virtual thread: never blocks, never runs the task here
        } else if (file.backend() == Backend.IO_URING && file.loop().inLoop()) {
            // A caller's executor is caller code (it may run tasks inline, or block on a full queue):
            // the loop thread only ever starts a virtual thread, which hands the task over.
            DEFAULT_HANDLERS.execute(() -> handOver(handlers, task));
        } else {
            handOver(handlers, task);
        }
    }

    private static void handOver(Executor executor, Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            DEFAULT_HANDLERS.execute(task); // the caller's executor is shut down: the handler still runs
        }
    }

    // ------------------------------------------------------------------ locks

    @Override
    public Future<FileLock> lock(long position, long size, boolean shared) {
        return implLock(position, size, shared, null, null);
    }

    @Override
    public <A> void lock(long position, long size, boolean shared, A attachment,
                         CompletionHandler<FileLock, ? super A> handler) {
        if (handler == null) {
            throw new NullPointerException("'handler' is null");
        }
        implLock(position, size, shared, attachment, handler);
    }

    private <A> Future<FileLock> implLock(long position, long size, boolean shared, A attachment,
                                          CompletionHandler<FileLock, ? super A> handler) {
        if (shared && !reading) {
            throw new NonReadableChannelException();
        }
        if (!shared && !writing) {
            throw new NonWritableChannelException();
        }
        long len = size != 0 ? size : Long.MAX_VALUE - Math.max(0, position);
        UringFileLock fl = addToLockTable(position, len, shared); // IllegalArgumentException, OverlappingFileLockException
        if (fl == null) {
            return immediate(null, new ClosedChannelException(), attachment, handler);
        }
        ChannelFuture<FileLock> result = handler == null ? new ChannelFuture<>(this) : null;
        PendingLock<A> request = new PendingLock<>(fl, result, handler, attachment);
        if (file.backend() != Backend.IO_URING) {
            portableLock(request);
            return result;
        }
        int dup;
        closeLock.readLock().lock();
        try {
            if (closed) {
                removeFromLockTable(fl);
                request.finish(null, new AsynchronousCloseException());
                return result;
            }
            int fd = file.fd();
            int r = OfdLocks.lock(fd, OfdLocks.F_OFD_SETLK, shared, fl.position(), fl.size());
            if (r == 0) {
                IOException undone = keepOrUndo(fl, fd);
                request.finish(undone == null ? fl : null, undone);
                return result;
            }
            if (!OfdLocks.isConflict(r) && r != -EINTR) {
                removeFromLockTable(fl);
                request.finish(null, new UringException("fcntl(F_OFD_SETLK)", -r, fd, path));
                return result;
            }
            // Contended: wait on a thread of its own, through a descriptor of its own, so that the
            // wait survives close() without ever touching a descriptor number that may be reused.
            dup = Syscalls.fcntl(fd, OfdLocks.F_DUPFD_CLOEXEC, 0);
            if (dup < 0) {
                removeFromLockTable(fl);
                request.finish(null, new UringException("fcntl(F_DUPFD_CLOEXEC)", -dup, fd, path));
                return result;
            }
            boolean registered;
            synchronized (stateLock) {
                // close() sets closed and takes the waiting list under stateLock (without the write
                // lock): a request added after that would never hear of the close.
                registered = !closed && waiting.add(request);
            }
            if (!registered) {
                Syscalls.close(dup);
                request.finish(null, new AsynchronousCloseException()); // (close emptied the table)
                return result;
            }
        } catch (IOException e) {
            removeFromLockTable(fl);
            request.finish(null, closedOr(e));
            return result;
        } finally {
            closeLock.readLock().unlock();
        }
        int waitFd = dup;
        try {
            Thread.ofPlatform().daemon().name("uring4j-lock-wait " + path).start(() -> awaitLock(request, waitFd));
        } catch (Throwable t) {
            Syscalls.close(waitFd);
            synchronized (stateLock) {
                waiting.remove(request);
            }
            removeFromLockTable(fl);
            request.finish(null, new IOException("cannot start a thread to wait for the lock", t));
        }
        return result;
    }

    /** On its own thread: F_OFD_SETLKW until granted, then keep the lock or give it back if nobody wants it any more. */
    private void awaitLock(PendingLock<?> request, int fd) {
        UringFileLock fl = request.lock;
        int r;
        do {
            r = OfdLocks.lock(fd, OfdLocks.F_OFD_SETLKW, fl.isShared(), fl.position(), fl.size());
        } while (r == -EINTR && isOpen() && !request.abandoned());
        boolean keep;
        synchronized (stateLock) {
            waiting.remove(request);
            keep = r == 0 && !closed && !request.abandoned();
            if (!keep && !closed) {
                locks.remove(fl); // (after close the table is already empty)
            }
        }
        if (r == 0 && !keep) {
            OfdLocks.unlock(fd, fl.position(), fl.size()); // our descriptor: the same open file description
        }
        Syscalls.close(fd);
        if (keep) {
            if (!request.finish(fl, null)) {
                releaseQuietly(fl); // cancelled between the check and the hand-over
            }
        } else if (closed) {
            request.finish(null, new AsynchronousCloseException());
        } else if (r != 0) {
            request.finish(null, new UringException("fcntl(F_OFD_SETLKW)", -r, fd, path));
        }
    }

    private static void releaseQuietly(FileLock fl) {
        try {
            fl.release();
        } catch (IOException ignored) {
            // the channel closed meanwhile, which released it
        }
    }

    /**
     * The portable backend's FileChannel for locks, opened on the path with this channel's modes
     * (the backend keeps its own descriptor to itself), or null once closed.
     */
    private java.nio.channels.FileChannel lockChannel() throws IOException {
        synchronized (stateLock) {
            if (closed) {
                return null;
            }
            if (lockChannel == null) {
                Set<OpenOption> modes = new HashSet<>();
                if (reading) {
                    modes.add(StandardOpenOption.READ);
                }
                if (writing) {
                    modes.add(StandardOpenOption.WRITE);
                }
                lockChannel = java.nio.channels.FileChannel.open(Path.of(path), modes);
            }
            return lockChannel;
        }
    }

    /** Portable tryLock: FileChannel.tryLock, with the JDK's rules (OverlappingFileLockException across the JVM's channels). */
    private boolean portableTryLock(UringFileLock fl) throws IOException {
        java.nio.channels.FileChannel lc = lockChannel();
        if (lc == null) {
            throw new ClosedChannelException();
        }
        FileLock held = lc.tryLock(fl.position(), fl.size(), fl.isShared());
        if (held == null) {
            return false;
        }
        fl.delegate = held;
        return true;
    }

    /**
     * Portable lock: granted at once on the calling thread if it can be (FileChannel.tryLock, whose
     * OverlappingFileLockException is thrown from here, as the JDK's lock() does), else waited for
     * in FileChannel.lock on a daemon platform thread, which the channel's close ends.
     */
    private void portableLock(PendingLock<?> request) {
        UringFileLock fl = request.lock;
        java.nio.channels.FileChannel lc;
        try {
            lc = lockChannel();
            if (lc == null) {
                removeFromLockTable(fl);
                request.finish(null, new AsynchronousCloseException());
                return;
            }
            if (portableTryLock(fl)) {
                IOException undone = keepOrUndo(fl, -1);
                request.finish(undone == null ? fl : null, undone);
                return;
            }
        } catch (IOException e) {
            removeFromLockTable(fl);
            request.finish(null, closedOr(e));
            return;
        } catch (RuntimeException e) {
            removeFromLockTable(fl);
            throw e;
        }
        synchronized (stateLock) {
            if (closed) {
                request.finish(null, new AsynchronousCloseException());
                return;
            }
            waiting.add(request);
        }
        Thread.ofPlatform().daemon().name("uring4j-lock-wait " + path).start(() -> {
            FileLock held = null;
            Throwable failure = null;
            try {
                held = lc.lock(fl.position(), fl.size(), fl.isShared());
            } catch (Throwable t) {
                failure = t;
            }
            boolean keep;
            synchronized (stateLock) {
                waiting.remove(request);
                keep = held != null && !closed && !request.abandoned();
                if (keep) {
                    fl.delegate = held;
                } else if (!closed) {
                    locks.remove(fl);
                }
            }
            if (held != null && !keep) {
                try {
                    held.release();
                } catch (IOException ignored) {
                    // the lock channel closed meanwhile, which released it
                }
            }
            if (keep) {
                if (!request.finish(fl, null)) {
                    releaseQuietly(fl); // cancelled between the check and the hand-over
                }
            } else if (closed) {
                request.finish(null, new AsynchronousCloseException());
            } else if (failure != null) {
                request.finish(null, failure instanceof IOException io ? io : new IOException(failure));
            }
        });
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        if (shared && !reading) {
            throw new NonReadableChannelException();
        }
        if (!shared && !writing) {
            throw new NonWritableChannelException();
        }
        if (size == 0) {
            size = Long.MAX_VALUE - Math.max(0, position);
        }
        UringFileLock fl = addToLockTable(position, size, shared);
        if (fl == null) {
            throw new ClosedChannelException();
        }
        boolean got = false;
        try {
            begin();
            try {
                if (file.backend() != Backend.IO_URING) {
                    got = portableTryLock(fl);
                    return got ? fl : null;
                }
                int fd = file.fd();
                int r = OfdLocks.lock(fd, OfdLocks.F_OFD_SETLK, shared, fl.position(), fl.size());
                if (r == 0) {
                    IOException undone = keepOrUndo(fl, fd);
                    if (undone != null) {
                        throw undone;
                    }
                    got = true;
                    return fl;
                }
                if (OfdLocks.isConflict(r)) {
                    return null; // held by another open file description
                }
                throw new UringException("fcntl(F_OFD_SETLK)", -r, fd, path);
            } finally {
                end();
            }
        } finally {
            if (!got) {
                removeFromLockTable(fl);
            }
        }
    }

    /**
     * The kernel granted {@code fl} through {@code fd}: keep it (null), or — if the channel closed
     * meanwhile, after its close released the table — give it back and say so.
     */
    private IOException keepOrUndo(UringFileLock fl, int fd) {
        synchronized (stateLock) {
            if (!closed) {
                return null; // in the table: a later close() releases it
            }
        }
        if (fl.delegate != null) {
            try {
                fl.delegate.release();
            } catch (IOException ignored) {
                // the lock channel closed with the channel, which released it
            }
        } else {
            OfdLocks.unlock(fd, fl.position(), fl.size());
        }
        return new AsynchronousCloseException();
    }

    /** Adds a lock to the channel's table, or null if closed; the JDK's checks, in its order. */
    private UringFileLock addToLockTable(long position, long size, boolean shared) {
        synchronized (stateLock) {
            if (closed) {
                return null;
            }
            UringFileLock fl = new UringFileLock(this, position, size, shared); // validates the range
            for (UringFileLock held : locks) {
                if (held.overlaps(position, size)) {
                    throw new OverlappingFileLockException();
                }
            }
            locks.add(fl);
            return fl;
        }
    }

    private void removeFromLockTable(UringFileLock fl) {
        synchronized (stateLock) {
            locks.remove(fl);
        }
    }

    /** Called by {@link UringFileLock#release()} (holding the lock's monitor). */
    void release(UringFileLock fl) throws IOException {
        begin();
        try {
            if (fl.delegate != null) {
                fl.delegate.release();
                removeFromLockTable(fl);
                return;
            }
            int fd = file.fd();
            int r = OfdLocks.unlock(fd, fl.position(), fl.size());
            if (r < 0) {
                throw new UringException("fcntl(F_OFD_SETLK, F_UNLCK)", -r, fd, path);
            }
            removeFromLockTable(fl);
        } finally {
            end();
        }
    }

    /** A lock request: its outcome is delivered once, to its Future or (on the executor) its handler. */
    private final class PendingLock<A> {
        final UringFileLock lock;
        private final ChannelFuture<FileLock> future;
        private final CompletionHandler<FileLock, ? super A> handler;
        private final A attachment;
        private final AtomicBoolean done = new AtomicBoolean();

        PendingLock(UringFileLock lock, ChannelFuture<FileLock> future, CompletionHandler<FileLock, ? super A> handler,
                    A attachment) {
            this.lock = lock;
            this.future = future;
            this.handler = handler;
            this.attachment = attachment;
        }

        /** Its Future was cancelled: a lock granted now would reach nobody. */
        boolean abandoned() {
            return future != null && future.isCancelled();
        }

        /** Delivers the outcome; false if it was already delivered or the Future was cancelled. */
        boolean finish(FileLock value, Throwable exc) {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            if (future != null) {
                return future.set(value, exc);
            }
            invoke(handler, attachment, value, exc);
            return true;
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Waits for {@code f} without giving way to interrupts (the JDK's synchronous methods ignore them too). */
    private static <T> T join(CompletableFuture<T> f) throws IOException {
        if (!f.isDone() && org.uring4j.runtime.EventLoop.onLoopThread()) {
            throw org.uring4j.runtime.BlockingOperationException.onThisLoop(); // it would wait for the loop it blocks
        }
        try {
            return f.join();
        } catch (CompletionException | CancellationException e) {
            Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    @Override
    public String toString() {
        return "UringFileChannel[" + path + (closed ? ", closed" : "") + "]";
    }
}
