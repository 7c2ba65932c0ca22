package org.uring4j.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.uring4j.fs.FsTestSupport.assumeIoUring;
import static org.uring4j.fs.FsTestSupport.await;
import static org.uring4j.fs.FsTestSupport.fdsUnder;
import static org.uring4j.fs.FsTestSupport.fixedInUse;
import static org.uring4j.fs.FsTestSupport.mkfifo;
import static org.uring4j.fs.FsTestSupport.onIoUring;
import static org.uring4j.fs.FsTestSupport.openFdCount;
import static org.uring4j.fs.FsTestSupport.pattern;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.UringException;
import org.uring4j.ring.KernelAssumptions;
import org.uring4j.ring.Uapi;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.NopOperation;
import org.uring4j.runtime.RuntimeClosedException;

/**
 * Teardown leaves no file reference behind (seed 003): no descriptor in the process, no slot in
 * a loop's table, nothing that keeps a filesystem from being unmounted — after many open/close
 * cycles, after closing a file under in-flight reads, and after closing the runtime under ops
 * that would never complete.
 */
class TeardownTest {
    @TempDir
    Path dir;

    private static LoopOptions options() {
        return new LoopOptions().closeTimeout(Duration.ofSeconds(10));
    }

    // ------------------------------------------------------------------ (a) open/close cycles

    @Test
    void hundredThousandOpenCloseCyclesLeaveNoDescriptorOrSlot() throws Exception {
        Path existing = dir.resolve("existing");
        Files.write(existing, pattern(100, 1));
        Path created = dir.resolve("created");
        int fdsBeforeRuntime = openFdCount();
        int fast = 0;
        try (UringFiles fs = UringFiles.open(2, options())) {
            for (int i = 0; i < 1000; i++) { // warm up: classes loaded, pools filled
                cycle(fs, i, existing, created);
            }
            int fds = openFdCount();
            for (int i = 0; i < 100_000; i++) {
                fast += cycle(fs, i, existing, created) ? 1 : 0;
            }
            assertEquals(fds, openFdCount(), "descriptors left open after 100,000 cycles");
            if (onIoUring(fs)) {
                assertEquals(0, fixedInUse(fs.runtime()), "registered-file slots left in use");
                assertTrue(fast > 0, "the read-only opens of a cached file should take the caller-thread fast path");
            }
        }
        assertEquals(fdsBeforeRuntime, openFdCount(), "closing the runtime closes its ring and eventfd descriptors");
    }

    /** One open + close: read-only of a cached file (fast path), CREATE (ring path), or a direct descriptor. True if fast. */
    private static boolean cycle(UringFiles fs, int i, Path existing, Path created) throws IOException {
        AsyncFile f = switch (i % 3) {
            case 0 -> fs.open(existing);
            case 1 -> fs.open(created, CREATE, WRITE);
            default -> fs.open(existing, READ, UringOpenOption.DIRECT_DESCRIPTOR);
        };
        boolean fastPath = i % 3 == 0 && f.fixedSlot() < 0;
        if (i % 3 != 0 && onIoUring(fs)) {
            assertTrue(f.fixedSlot() >= 0, "ring-path opens go into the loop's table: " + f);
        }
        f.close();
        return fastPath;
    }

    @Test
    void concurrentOpenCloseFromManyThreadsLeavesNothing() throws Exception {
        Path existing = dir.resolve("existing");
        Files.write(existing, pattern(100, 2));
        try (UringFiles fs = UringFiles.open(2, options())) {
            int fds = openFdCount();
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                workers.add(CompletableFuture.runAsync(() -> {
                    try {
                        Path mine = dir.resolve("created-" + id);
                        for (int i = 0; i < 3000; i++) {
                            cycle(fs, i, existing, mine);
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, Thread::startVirtualThread));
            }
            for (CompletableFuture<Void> w : workers) {
                await(w);
            }
            assertEquals(fds, openFdCount());
            if (onIoUring(fs)) {
                assertEquals(0, fixedInUse(fs.runtime()));
            }
        }
    }

    @Test
    void readAllBytesHasClosedItsFileWhenItReturns() throws Exception {
        // Larger than 64 KiB: the fallback path opens an AsyncFile, which must be closed before the result is handed over.
        Path big = dir.resolve("big");
        byte[] data = pattern(200_000, 3);
        Files.write(big, data);
        try (UringFiles fs = UringFiles.open(1, options())) {
            int fds = openFdCount();
            for (int i = 0; i < 200; i++) {
                assertArrayEquals(data, fs.readAllBytes(big));
                assertEquals(fds, openFdCount(), "iteration " + i + ": a descriptor is still open after readAllBytes returned");
            }
        }
    }

    // ------------------------------------------------------------------ (b) close under in-flight reads

    @Test
    void closingAFileWhileReadsAreInFlight() throws Exception {
        int chunk = 256 << 10;
        int n = 256;
        byte[] data = pattern(chunk * 64, 4);
        Path big = dir.resolve("big");
        Files.write(big, data);
        for (boolean direct : new boolean[] {false, true}) {
            try (UringFiles fs = UringFiles.open(1, options()); Arena arena = Arena.ofShared()) {
                int fds = openFdCount();
                AsyncFile f = direct ? fs.open(big, READ, UringOpenOption.DIRECT_DESCRIPTOR) : fs.open(big);
                f.advise(0, 0, Uapi.POSIX_FADV_DONTNEED); // a cold cache keeps the reads busy longer
                List<CompletableFuture<Integer>> reads = new ArrayList<>();
                List<MemorySegment> into = new ArrayList<>();
                List<byte[]> heap = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    long at = (long) (i % 64) * chunk;
                    if (i % 4 == 3) { // some through the heap bounce path
                        byte[] h = new byte[chunk];
                        heap.add(h);
                        into.add(MemorySegment.ofArray(h));
                        reads.add(f.readAsync(h, 0, chunk, at));
                    } else {
                        MemorySegment s = arena.allocate(chunk);
                        heap.add(null);
                        into.add(s);
                        reads.add(f.readAsync(s, at));
                    }
                }
                CompletableFuture<Void> closed = f.closeAsync();
                CompletableFuture<Integer> late = f.readAsync(arena.allocate(16), 0);
                FsTestSupport.failure(ClosedChannelException.class, late);
                await(closed);
                int completed = 0;
                for (int i = 0; i < n; i++) {
                    CompletableFuture<Integer> r = reads.get(i);
                    assertTrue(r.isDone(), "close completed before read " + i + " did");
                    try {
                        int got = r.get(0, TimeUnit.SECONDS);
                        assertEquals(chunk, got, "read " + i);
                        long at = (long) (i % 64) * chunk;
                        assertArrayEquals(Arrays.copyOfRange(data, (int) at, (int) at + chunk), into.get(i).toArray(JAVA_BYTE),
                                "read " + i);
                        completed++;
                    } catch (ExecutionException e) {
                        Throwable c = e.getCause();
                        assertTrue(c instanceof ClosedChannelException || c instanceof UringException,
                                "read " + i + " failed unclearly: " + c);
                    }
                }
                assertTrue(completed > 0, "reads started before close run to completion");
                assertEquals(fds, openFdCount(), "descriptor left after close (direct=" + direct + ")");
                if (onIoUring(fs)) {
                    assertEquals(0, fixedInUse(fs.runtime()));
                }
                assertTrue(f.isClosed());
            }
        }
    }

    // ------------------------------------------------------------------ (c) unmount after io_uring use

    /** A tmpfs mounted on {@code mnt} for the body; the body's end must leave it unmountable. */
    private void onTmpfs(Path mnt, TmpfsBody body) throws Exception {
        try (UringFiles probe = UringFiles.open(1, options())) {
            // Direct descriptors, loops and a ring that must let go of the mount: none on the portable backend.
            assumeIoUring(probe, "unmount after closing a runtime with direct descriptors and ops in the ring");
        }
        KernelAssumptions.assumeRoot();
        Files.createDirectories(mnt);
        FsTestSupport.Result m = FsTestSupport.run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", mnt.toString());
        assumeTrue(m.ok(), "cannot mount a tmpfs here: " + m.output());
        boolean mounted = true;
        try {
            body.run(mnt);
            List<String> left = fdsUnder(mnt);
            FsTestSupport.Result u = FsTestSupport.run("umount", mnt.toString());
            mounted = !u.ok();
            assertEquals(0, u.exit(), () -> "umount " + mnt + " failed: " + u.output() + "; descriptors under it before: " + left);
        } finally {
            if (mounted) {
                FsTestSupport.Result u = FsTestSupport.run("umount", mnt.toString());
                if (!u.ok()) {
                    FsTestSupport.run("umount", "-l", mnt.toString()); // never leave a mount behind
                }
            }
        }
    }

    @FunctionalInterface
    interface TmpfsBody {
        void run(Path mnt) throws Exception;
    }

    /** Files of every kind on {@code mnt}, each with an op in flight; FIFO reads never complete. */
    private static final class Busy {
        final List<AsyncFile> files = new ArrayList<>();
        final List<CompletableFuture<?>> ops = new ArrayList<>();
        final List<CompletableFuture<Integer>> fifoReads = new ArrayList<>();

        Busy(UringFiles fs, Path mnt, Arena arena, boolean directOnly) throws Exception {
            byte[] data = pattern(4 << 20, 5);
            Files.write(mnt.resolve("data"), data);
            mkfifo(mnt.resolve("fifo"));
            AsyncFile dd = fs.open(mnt.resolve("dd"), CREATE, READ, WRITE, UringOpenOption.DIRECT_DESCRIPTOR);
            files.add(dd);
            dd.writeFully(data, 0);
            AsyncFile ddRead = fs.open(mnt.resolve("data"), READ, UringOpenOption.DIRECT_DESCRIPTOR);
            files.add(ddRead);
            AsyncFile fifoDd = fs.open(mnt.resolve("fifo"), READ, WRITE, UringOpenOption.DIRECT_DESCRIPTOR);
            files.add(fifoDd);
            fifoReads.add(fifoDd.readAsync(arena.allocate(64), 0));
            if (!directOnly) {
                AsyncFile plain = fs.open(mnt.resolve("plain"), CREATE, READ, WRITE); // ring path
                files.add(plain);
                plain.writeFully(data, 0);
                AsyncFile fast = fs.open(mnt.resolve("data")); // caller-thread fast path
                files.add(fast);
                if (org.uring4j.ring.Probe.kernelSupports(org.uring4j.ring.Opcode.FIXED_FD_INSTALL)) { // Linux 6.8+
                    AsyncFile installed = fs.open(mnt.resolve("dd2"), CREATE, WRITE, UringOpenOption.DIRECT_DESCRIPTOR);
                    installed.fd(); // a direct descriptor that also got a plain one
                    files.add(installed);
                }
                AsyncFile fifo = fs.open(mnt.resolve("fifo"), READ, WRITE);
                files.add(fifo);
                fifoReads.add(fifo.readAsync(arena.allocate(64), 0));
                for (int i = 0; i < 16; i++) {
                    ops.add(fast.readAsync(arena.allocate(256 << 10), (long) i * (256 << 10)));
                    ops.add(plain.writeAsync(new byte[65536], 0, 65536, (long) i * 65536));
                }
                ops.add(fs.readAllBytesAsync(mnt.resolve("data")));
                ops.add(fs.writeAsync(mnt.resolve("whole"), data));
            }
            for (int i = 0; i < 16; i++) {
                ops.add(ddRead.readAsync(arena.allocate(256 << 10), (long) i * (256 << 10)));
                ops.add(dd.readAsync(new byte[4096], 0, 4096, 4096L * i));
            }
            // Every op above has reached the ring once a NOP behind them on each loop completes.
            for (int i = 0; i < fs.runtime().loopCount(); i++) {
                await(fs.runtime().loop(i).submit(new NopOperation()));
            }
            for (CompletableFuture<Integer> r : fifoReads) {
                assertTrue(!r.isDone(), "a FIFO read with no writer data completed: " + r);
            }
        }

        /** After the runtime closed: every op is done, the FIFO reads failed. */
        void assertSettled() throws Exception {
            for (CompletableFuture<Integer> r : fifoReads) {
                // ECANCELED from the runtime's close, or AsynchronousCloseException (with that cause) from the file's own
                UringException e = FsTestSupport.uringIn(FsTestSupport.failure(java.io.IOException.class, r));
                assertTrue(e != null && (e.errnoName().equals("ECANCELED") || e.errnoName().equals("EINTR")), String.valueOf(e));
            }
            for (CompletableFuture<?> op : ops) {
                try {
                    op.get(FsTestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // cancelled or refused by the closing runtime: fine, as long as it ended
                }
            }
        }
    }

    @Test
    void unmountSucceedsAfterClosingFilesThenTheRuntimeWithOpsInFlight() throws Exception {
        List<String> closeFailures = new ArrayList<>();
        onTmpfs(dir.resolve("mnt"), mnt -> {
            try (Arena arena = Arena.ofShared()) {
                UringFiles fs = UringFiles.open(2, options());
                Busy busy;
                List<CompletableFuture<Void>> closes = new ArrayList<>();
                try {
                    busy = new Busy(fs, mnt, arena, false);
                    for (AsyncFile f : busy.files) {
                        closes.add(f.closeAsync()); // the FIFO files' closes wait for their reads
                    }
                } finally {
                    assertDoesNotThrow(fs::close);
                }
                busy.assertSettled();
                for (int i = 0; i < closes.size(); i++) {
                    try {
                        closes.get(i).get(FsTestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        closeFailures.add(busy.files.get(i) + ": " + e.getCause());
                    }
                }
            }
        });
        // A close begun before the runtime closed must still close the file (and not fail).
        assertEquals(List.of(), closeFailures);
    }

    @Test
    void closeRacingTheRuntimeCloseStillClosesTheDescriptor() throws Exception {
        // A file's CLOSE still queued when its loop shuts down must not be dropped with the descriptor left open.
        Path p = dir.resolve("race");
        Files.write(p, pattern(10, 7));
        int fds = openFdCount();
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < 100 && failures.isEmpty(); round++) {
            UringFiles fs = UringFiles.open(1, options());
            List<AsyncFile> open = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                open.add(fs.open(p, i % 2 == 0 ? new java.nio.file.OpenOption[] {READ} : new java.nio.file.OpenOption[] {READ, WRITE}));
            }
            List<CompletableFuture<Void>> closes = new ArrayList<>();
            for (AsyncFile f : open) {
                closes.add(f.closeAsync());
            }
            fs.close();
            for (int i = 0; i < closes.size(); i++) {
                try {
                    closes.get(i).get(FsTestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failures.add("round " + round + ", " + open.get(i) + ": " + e.getCause());
                }
            }
            if (openFdCount() != fds) {
                failures.add("round " + round + ": " + (openFdCount() - fds) + " descriptor(s) left open");
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void unmountSucceedsAfterClosingTheRuntimeThenTheFiles() throws Exception {
        onTmpfs(dir.resolve("mnt"), mnt -> {
            try (Arena arena = Arena.ofShared()) {
                UringFiles fs = UringFiles.open(2, options());
                Busy busy;
                try {
                    busy = new Busy(fs, mnt, arena, false);
                } finally {
                    assertDoesNotThrow(fs::close);
                }
                busy.assertSettled();
                for (AsyncFile f : busy.files) {
                    f.close(); // after the runtime closed: closes the plain descriptor directly
                }
            }
        });
    }

    @Test
    void unmountSucceedsAfterClosingTheRuntimeOfDirectDescriptorsNeverClosed() throws Exception {
        // Direct descriptors belong to the ring: closing the runtime must let go of them all.
        onTmpfs(dir.resolve("mnt"), mnt -> {
            try (Arena arena = Arena.ofShared()) {
                UringFiles fs = UringFiles.open(2, options());
                Busy busy;
                try {
                    busy = new Busy(fs, mnt, arena, true);
                } finally {
                    assertDoesNotThrow(fs::close);
                }
                busy.assertSettled();
                assertEquals(List.of(), fdsUnder(mnt));
            }
        });
    }

    // ------------------------------------------------------------------ (d) close with a never-completing op

    @Test
    void closingTheRuntimeCancelsANeverCompletingRead() throws Exception {
        Path fifoPath = dir.resolve("fifo");
        mkfifo(fifoPath);
        int fds = openFdCount();
        UringFiles fs = UringFiles.open(1, options());
        AsyncFile fifo;
        CompletableFuture<Integer> read;
        CompletableFuture<Integer> readDd;
        CompletableFuture<Void> pendingClose;
        AsyncFile fifoDd;
        try (Arena arena = Arena.ofShared()) {
            try {
                fifo = fs.open(fifoPath, READ, WRITE); // O_RDWR: no writer needed to open, and no data ever
                read = fifo.readAsync(arena.allocate(64), 0);
                fifoDd = fs.open(fifoPath, READ, WRITE, UringOpenOption.DIRECT_DESCRIPTOR);
                readDd = fifoDd.readAsync(new byte[64], 0, 64, 0);
                if (onIoUring(fs)) {
                    await(fifo.loop().submit(new NopOperation())); // the reads are in the kernel now
                }
                assertTrue(!read.isDone() && !readDd.isDone());
                pendingClose = fifoDd.closeAsync(); // cancels its read (issue 10, item 6)
                FsTestSupport.failure(java.nio.channels.AsynchronousCloseException.class, readDd);
            } finally {
                assertDoesNotThrow(fs::close, "close with a never-completing op in flight");
            }
            UringException e = FsTestSupport.failure(UringException.class, read);
            assertTrue(e.errnoName().equals("ECANCELED") || e.errnoName().equals("EINTR"), e.toString());
        }
        await(pendingClose);
        fifo.close();
        assertEquals(fds, openFdCount());
    }

    // ------------------------------------------------------------------ (e) a closed runtime

    @Test
    void closedRuntimeRefusesWork() throws Exception {
        Path p = dir.resolve("f");
        Files.write(p, pattern(10, 6));
        int fds = openFdCount();
        UringFiles fs = UringFiles.open(2, options());
        AsyncFile before = fs.open(p, READ, WRITE);
        AsyncFile dirHandle = fs.open(dir, UringOpenOption.DIRECTORY);
        fs.close();
        fs.close(); // idempotent

        assertThrows(RuntimeClosedException.class, () -> fs.open(p));
        assertThrows(RuntimeClosedException.class, () -> fs.open(p, CREATE, WRITE));
        assertThrows(RuntimeClosedException.class, () -> fs.openAsync(p, Set.of()));
        if (onIoUring(fs)) {
            assertThrows(RuntimeClosedException.class, () -> fs.runtime().submit(new NopOperation()));
            assertThrows(RuntimeClosedException.class, () -> fs.runtime().loop(0).submit(new NopOperation()));
        } else {
            assertThrows(UnsupportedOperationException.class, fs::runtime);
        }
        assertThrows(RuntimeClosedException.class, () -> fs.readAllBytes(p));
        assertThrows(RuntimeClosedException.class, () -> fs.write(p, new byte[1]));
        assertThrows(RuntimeClosedException.class, () -> fs.stat(p));
        assertThrows(RuntimeClosedException.class, () -> fs.createDirectory(dir.resolve("d"), 0755));
        // Files opened before: their I/O fails as on a closed file (an IOException), and close still works.
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> before.read(new byte[1], 0, 1, 0));
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> before.sync());
        before.close();
        dirHandle.close();
        assertEquals(fds, openFdCount());
    }

    @Test
    void openOnAClosedLoopIsRefused() throws Exception {
        // Not served by the caller-thread fast path onto a loop that can never run the file's I/O.
        Path p = dir.resolve("f");
        Files.write(p, pattern(10, 8));
        UringFiles fs = UringFiles.open(1, options());
        if (!onIoUring(fs)) {
            fs.close(); // before skipping
        }
        assumeIoUring(fs, "event loops");
        var loop = fs.runtime().loop(0);
        fs.close();
        assertRefusedAsClosed(() -> fs.openAsync(loop, p, Set.of()));
    }

    @Test
    void openRelativeToAHandleOfAClosedRuntimeIsRefused() throws Exception {
        Path p = dir.resolve("f");
        Files.write(p, pattern(10, 9));
        UringFiles fs = UringFiles.open(1, options());
        try (AsyncFile dirHandle = fs.open(dir, UringOpenOption.DIRECTORY)) {
            fs.close();
            assertRefusedAsClosed(() -> fs.openAsync(dirHandle, Path.of("f"), Set.of()));
        }
    }

    /** The open throws RuntimeClosedException or its future fails with one; a file it wrongly returns is closed. */
    private static void assertRefusedAsClosed(java.util.function.Supplier<CompletableFuture<AsyncFile>> open) throws Exception {
        CompletableFuture<AsyncFile> f;
        try {
            f = open.get();
        } catch (RuntimeClosedException expected) {
            return;
        }
        AsyncFile opened;
        try {
            opened = f.get(FsTestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertTrue(e.getCause() instanceof RuntimeClosedException, "unexpected failure: " + e.getCause());
            return;
        }
        opened.close();
        fail("an open on a closed runtime returned a file: " + opened);
    }
}
