package org.uring4j.nio;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.uring4j.nio.ChannelTestSupport.eventually;
import static org.uring4j.nio.ChannelTestSupport.failureOf;
import static org.uring4j.nio.ChannelTestSupport.get;
import static org.uring4j.nio.ChannelTestSupport.pattern;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.UringException;
import org.uring4j.fs.Backend;
import org.uring4j.fs.UringFiles;
import org.uring4j.fs.UringOpenOption;
import org.uring4j.nio.ChannelTestSupport.Capture;
import org.uring4j.nio.ChannelTestSupport.RawHolder;
import org.uring4j.runtime.LoopOptions;

/**
 * Where UringFileChannel deliberately differs from the JDK's AsynchronousFileChannel: each test
 * pins down both sides, so a change in either shows up here.
 */
class UringFileChannelDifferencesTest {
    static UringFiles files;

    @BeforeAll
    static void openFiles() throws Exception {
        files = UringFiles.open(1, new LoopOptions());
    }

    @AfterAll
    static void closeFiles() throws Exception {
        files.close();
    }

    @TempDir
    Path dir;

    private Path file(String name) throws IOException {
        return Files.write(dir.resolve(name), pattern(100, name.hashCode()));
    }

    private static UringFileChannel uring(Path p, OpenOption... options) throws IOException {
        return UringFileChannel.open(files, p, Set.of(options), null);
    }

    /**
     * Skips a test of UringFileChannel's OFD locks on the portable backend, whose locks are the
     * JDK's FileChannel locks ({@link #portableLocksAreTheJdksFileChannelLocks} pins that down).
     */
    private static void assumeOfdLocks() {
        assumeTrue(files.backend() == Backend.IO_URING, () -> "OFD locks are io_uring-backend only; the " + files.backend()
                + " backend takes the JDK's FileChannel locks");
    }

    /** How many descriptors this process has open. */
    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** How many of this process's descriptors are open on {@code file}. */
    private static long fdsOn(Path file) throws IOException {
        Path real = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException e) {
                    return false; // closed meanwhile (the listing's own descriptor, for one)
                }
            }).count();
        }
    }

    private static boolean lockWaiterAlive(Path p) {
        String name = "uring4j-lock-wait " + p;
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name));
    }

    // ------------------------------------------------------------------ locks across channels of one JVM

    @Test
    void jdkThrowsOverlappingForAnotherChannelsExclusiveLock() throws Exception {
        Path p = file("jdk-two");
        try (AsynchronousFileChannel a = AsynchronousFileChannel.open(p, READ, WRITE);
             AsynchronousFileChannel b = AsynchronousFileChannel.open(p, READ, WRITE)) {
            FileLock held = a.tryLock(0, 10, false);
            assertNotNull(held);
            // The JDK's in-JVM lock table spans channels: POSIX locks cannot tell them apart.
            assertThrows(OverlappingFileLockException.class, () -> b.tryLock(0, 10, false));
            assertThrows(OverlappingFileLockException.class, () -> b.lock(5, 1, false));
            held.release();
            assertNotNull(b.tryLock(0, 10, false));
        }
    }

    @Test
    void uringTryLockReturnsNullForAnotherChannelsExclusiveLock() throws Exception {
        assumeOfdLocks();
        Path p = file("uring-two");
        try (UringFileChannel a = uring(p, READ, WRITE);
             UringFileChannel b = uring(p, READ, WRITE)) {
            FileLock held = a.tryLock(0, 10, false);
            assertNotNull(held);
            // OFD locks: another channel is another open file description, so the kernel refuses it.
            assertNull(b.tryLock(0, 10, false));
            assertNull(b.tryLock(5, 1, true));
            assertNotNull(b.tryLock(10, 10, false));
            held.release();
            assertNotNull(b.tryLock(0, 10, false));
        }
    }

    @Test
    void jdkThrowsOverlappingEvenForTwoSharedLocksOfTwoChannels() throws Exception {
        Path p = file("jdk-shared");
        try (AsynchronousFileChannel a = AsynchronousFileChannel.open(p, READ);
             AsynchronousFileChannel b = AsynchronousFileChannel.open(p, READ)) {
            assertNotNull(a.tryLock(0, 10, true));
            assertThrows(OverlappingFileLockException.class, () -> b.tryLock(0, 10, true));
        }
    }

    @Test
    void uringGrantsSharedLocksToTwoChannels() throws Exception {
        assumeOfdLocks();
        Path p = file("uring-shared");
        try (UringFileChannel a = uring(p, READ);
             UringFileChannel b = uring(p, READ)) {
            FileLock la = a.tryLock(0, 10, true);
            FileLock lb = get(b.lock(0, 10, true));
            assertTrue(la.isValid());
            assertTrue(lb.isValid());
        }
    }

    @Test
    void uringLockWaitsForAnotherChannelInsteadOfThrowing() throws Exception {
        assumeOfdLocks();
        Path p = file("uring-wait");
        try (UringFileChannel a = uring(p, READ, WRITE);
             UringFileChannel b = uring(p, READ, WRITE)) {
            FileLock held = get(a.lock(0, 10, false));
            Future<FileLock> waiting = b.lock(0, 10, false);
            assertThrows(TimeoutException.class, () -> waiting.get(200, TimeUnit.MILLISECONDS));
            held.release();
            FileLock got = get(waiting);
            assertTrue(got.isValid());
            assertNull(a.tryLock(0, 10, true));
        }
    }

    @Test
    void jdkAndUringChannelsOnOneFileExcludeEachOther() throws Exception {
        assumeOfdLocks();
        Path p = file("interop");
        // OFD locks and POSIX locks conflict even within one process.
        try (AsynchronousFileChannel jdk = AsynchronousFileChannel.open(p, READ, WRITE);
             UringFileChannel ours = uring(p, READ, WRITE)) {
            FileLock j = jdk.tryLock(0, 10, false);
            assertNotNull(j);
            assertNull(ours.tryLock(0, 10, false));
            Future<FileLock> oursWaiting = ours.lock(0, 10, true);
            j.release();
            FileLock o = get(oursWaiting);
            assertNull(jdk.tryLock(5, 1, false));
            Future<FileLock> jdkWaiting = jdk.lock(5, 1, false); // a POSIX wait, woken by the OFD release
            assertThrows(TimeoutException.class, () -> jdkWaiting.get(200, TimeUnit.MILLISECONDS));
            o.release();
            assertTrue(get(jdkWaiting).isValid());
        }
    }

    /**
     * On the portable backend locks are FileChannel locks (issue 10, item 13): taken, released and
     * dropped by close; the JDK's rules hold across the JVM's channels (another channel's overlapping
     * lock is OverlappingFileLockException); a contended lock waits and is granted on release; and
     * closing leaves no descriptor behind.
     */
    @Test
    void portableLocksAreTheJdksFileChannelLocks() throws Exception {
        Path p = file("portable-lock");
        // Files of its own on the portable backend, so that this runs whichever backend the property picks.
        try (UringFiles portable = UringFiles.portable()) {
            assertEquals(Backend.PORTABLE, portable.backend());
            UringFileChannel.open(portable, p, Set.of(READ), null).close(); // whatever a first open sets up, before counting
            UringFileChannel ch = UringFileChannel.open(portable, p, Set.of(READ, WRITE), null);
            UringFileChannel ro = UringFileChannel.open(portable, p, Set.of(READ), null);
            try {
                FileLock held = ch.tryLock(0, 10, false);
                assertNotNull(held);
                assertTrue(held.isValid() && held.acquiredBy() == ch);
                assertThrows(OverlappingFileLockException.class, () -> ch.tryLock(5, 10, false)); // same channel
                assertThrows(OverlappingFileLockException.class, () -> ro.tryLock(0, 10, true)); // the JVM's other channel, as the JDK
                try (AsynchronousFileChannel jdk = AsynchronousFileChannel.open(p, READ, WRITE)) {
                    assertThrows(OverlappingFileLockException.class, () -> jdk.tryLock(0, 10, false));
                }
                held.release();
                assertFalse(held.isValid());
                FileLock shared = get(ro.lock(0, 10, true));
                assertTrue(shared.isShared());
                // the argument and mode checks come first, as with io_uring
                assertThrows(IllegalArgumentException.class, () -> ch.tryLock(-1, 10, false));
                assertThrows(NonWritableChannelException.class, () -> ro.lock(0, 10, false));
                ro.close(); // drops its lock
                assertFalse(shared.isValid());
                assertNotNull(ch.tryLock(0, 10, false));
                assertEquals(4, get(ch.write(ByteBuffer.wrap(pattern(4, 1)), 100)));
            } finally {
                ro.close();
                ch.close();
            }
            assertThrows(ClosedChannelException.class, () -> ch.tryLock(0, 10, false));
            assertEquals(0, fdsOn(p), "the channels' descriptors, the lock channels' too, are closed");
        }
    }

    // ------------------------------------------------------------------ lock waits: cancel and close

    @Test
    void uringGivesBackALockGrantedAfterItsFutureWasCancelled() throws Exception {
        assumeOfdLocks();
        Path p = file("uring-cancel");
        try (RawHolder raw = new RawHolder(p);
             UringFileChannel ch = uring(p, READ, WRITE)) {
            assertTrue(raw.tryLock(false, 0, 10));
            Future<FileLock> f = ch.lock(0, 10, false);
            assertTrue(f.cancel(false));
            raw.unlock(0, 10);
            eventually("the waiting thread is done", () -> !lockWaiterAlive(p));
            assertTrue(raw.wouldGrant(0, 10), "nobody holds the lock nobody could receive");
            assertNotNull(ch.tryLock(0, 10, false), "and the channel's table has forgotten it");
        }
    }

    @Test
    void jdkKeepsALockGrantedAfterItsFutureWasCancelledUntilTheChannelCloses() throws Exception {
        Path p = file("jdk-cancel");
        try (RawHolder raw = new RawHolder(p)) {
            AsynchronousFileChannel ch = AsynchronousFileChannel.open(p, READ, WRITE);
            assertTrue(raw.tryLock(false, 0, 10));
            Future<FileLock> f = ch.lock(0, 10, false);
            assertTrue(f.cancel(false));
            raw.unlock(0, 10);
            eventually("the JDK's wait took the lock", () -> !raw.wouldGrant(0, 10));
            assertThrows(OverlappingFileLockException.class, () -> ch.tryLock(0, 10, false));
            ch.close();
            assertTrue(raw.wouldGrant(0, 10));
        }
    }

    @Test
    void uringCloseDoesNotWaitForTheLockWaitersThread() throws Exception {
        assumeOfdLocks();
        Path p = file("uring-close-wait");
        try (RawHolder raw = new RawHolder(p)) {
            assertTrue(raw.tryLock(false, 0, 10));
            UringFileChannel ch = uring(p, READ, WRITE);
            Future<FileLock> f = ch.lock(0, 10, false);
            eventually("a thread waits for the lock", () -> lockWaiterAlive(p));
            ch.close();
            assertInstanceOf(java.nio.channels.AsynchronousCloseException.class, failureOf(f));
            // The thread is still in F_OFD_SETLKW (nothing can interrupt it but the holder), with its
            // own duplicate of the descriptor; when the holder lets go it takes the lock, drops it, ends.
            assertTrue(lockWaiterAlive(p));
            raw.unlock(0, 10);
            eventually("the waiting thread is done", () -> !lockWaiterAlive(p));
            assertTrue(raw.wouldGrant(0, 1L << 40));
        }
    }

    // ------------------------------------------------------------------ threads and futures

    @Test
    void handlerThreadsDifferByDefault() throws Exception {
        Path p = file("threads");
        try (AsynchronousFileChannel jdk = AsynchronousFileChannel.open(p, READ);
             UringFileChannel ours = uring(p, READ)) {
            Capture<Integer> j = new Capture<>();
            jdk.read(ByteBuffer.allocate(4), 0, null, j);
            assertEquals(4, j.result());
            assertFalse(j.thread.isVirtual(), "the JDK: a thread of its cached pool");
            assertTrue(j.thread.isDaemon());

            Capture<Integer> o = new Capture<>();
            ours.read(ByteBuffer.allocate(4), 0, null, o);
            assertEquals(4, o.result());
            assertTrue(o.thread.isVirtual(), "uring4j: a virtual thread per completion");
            assertTrue(o.thread.getName().startsWith("uring4j-nio-handler-"), o.thread.getName());
        }
    }

    @Test
    void uringHandlersNeverRunOnTheEventLoop() throws Exception {
        Path p = file("loop");
        // The worst executor for a loop: one that runs every task on the thread that hands it over.
        ExecutorService direct = new AbstractExecutorService() {
            private volatile boolean shut;

            @Override
            public void execute(Runnable command) {
                command.run();
            }

            @Override
            public void shutdown() {
                shut = true;
            }

            @Override
            public List<Runnable> shutdownNow() {
                shut = true;
                return List.of();
            }

            @Override
            public boolean isShutdown() {
                return shut;
            }

            @Override
            public boolean isTerminated() {
                return shut;
            }

            @Override
            public boolean awaitTermination(long timeout, TimeUnit unit) {
                return shut;
            }
        };
        try (UringFileChannel ch = UringFileChannel.open(files, p, Set.of(READ, WRITE), direct)) {
            for (int i = 0; i < 20; i++) {
                Capture<Integer> c = new Capture<>();
                if (i % 2 == 0) {
                    ch.read(ByteBuffer.allocate(8), 0, i, c);
                } else {
                    ch.write(ByteBuffer.allocate(8), 8L * i, i, c);
                }
                assertEquals(8, c.result());
                assertFalse(c.thread.getName().startsWith("uring4j-loop"), c.thread.getName());
            }
        } finally {
            direct.shutdownNow();
        }
    }

    @Test
    void uringFuturesAreNotCompletableFutures() throws Exception {
        Path p = file("future");
        try (UringFileChannel ch = uring(p, READ)) {
            Future<Integer> f = ch.read(ByteBuffer.allocate(4), 0);
            // nothing can be chained onto the loop thread that completes it
            assertFalse(f instanceof CompletableFuture);
            assertEquals(4, get(f));
        }
    }

    @Test
    void aShutDownExecutorRejectsJdkOperationsButUringHandlersStillRun() throws Exception {
        Path p = file("shutdown");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        pool.shutdown();
        try (AsynchronousFileChannel jdk = AsynchronousFileChannel.open(p, Set.of(READ), pool);
             UringFileChannel ours = UringFileChannel.open(files, p, Set.of(READ), pool)) {
            assertThrows(RejectedExecutionException.class, () -> jdk.read(ByteBuffer.allocate(4), 0, null, new Capture<>()));
            Capture<Integer> c = new Capture<>();
            ours.read(ByteBuffer.allocate(4), 0, null, c);
            assertEquals(4, c.result()); // on the default executor instead
            assertEquals(4, get(ours.read(ByteBuffer.allocate(4), 0))); // a Future needs no executor
        }
    }

    // ------------------------------------------------------------------ options and errors

    @Test
    void uringAcceptsItsOwnOpenOptionsWhichTheJdkRefuses() throws Exception {
        Path target = file("target");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertThrows(UnsupportedOperationException.class,
                () -> AsynchronousFileChannel.open(link, READ, UringOpenOption.RESOLVE_NO_SYMLINKS));
        if (files.backend() == Backend.PORTABLE) {
            // By design: openat2(2)'s lookup restrictions cannot be enforced without it, so they are
            // refused (link or not) rather than silently ignored.
            UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
                    () -> uring(link, READ, UringOpenOption.RESOLVE_NO_SYMLINKS));
            assertTrue(u.getMessage().contains("RESOLVE_NO_SYMLINKS"), u.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> uring(target, READ, UringOpenOption.RESOLVE_NO_SYMLINKS));
            return;
        }
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> uring(link, READ, UringOpenOption.RESOLVE_NO_SYMLINKS));
        assertInstanceOf(UringException.class, e.getCause() instanceof UringException ? e.getCause() : e.getCause().getCause());
        try (UringFileChannel ch = uring(target, READ, UringOpenOption.RESOLVE_NO_SYMLINKS)) {
            assertEquals(100, ch.size());
        }
    }

    @Test
    void uringIoErrorsCarryTheErrno() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        try (AsynchronousFileChannel jdk = AsynchronousFileChannel.open(sub, READ);
             UringFileChannel ours = uring(sub, READ)) {
            Throwable j = failureOf(jdk.read(ByteBuffer.allocate(4), 0));
            assertEquals(IOException.class, j.getClass());
            UringException u = assertInstanceOf(UringException.class, failureOf(ours.read(ByteBuffer.allocate(4), 0)));
            assertEquals("EISDIR", u.errnoName());
        }
    }

    @Test
    void theDefaultUringFilesRunsOnDaemonThreads() throws Exception {
        Path p = file("default");
        try (UringFileChannel ch = UringFileChannel.open(p, READ, WRITE)) {
            assertEquals(100, ch.size());
            assertEquals(4, get(ch.write(ByteBuffer.allocate(4), 100)));
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("uring4j-loop-"))
                .allMatch(Thread::isDaemon), "loop threads never keep the JVM alive");
    }

    @Test
    void uringChannelFailsCleanlyOnceItsRuntimeIsClosed() throws Exception {
        Path p = file("runtime");
        UringFiles own = UringFiles.open(1, new LoopOptions());
        UringFileChannel ch = UringFileChannel.open(own, p, Set.of(READ, WRITE), null);
        own.close();
        assertTrue(ch.isOpen());
        assertInstanceOf(IOException.class, failureOf(ch.read(ByteBuffer.allocate(4), 0)));
        assertThrows(IOException.class, ch::size);
        ch.close(); // closes the descriptor the loop no longer can
        assertFalse(ch.isOpen());
    }
}
