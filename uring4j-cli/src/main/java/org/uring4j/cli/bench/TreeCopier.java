package org.uring4j.cli.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.CqeBatch;
import org.uring4j.ring.Fd;
import org.uring4j.ring.Ring;
import org.uring4j.ring.RingOptions;
import org.uring4j.ring.Sqe;
import org.uring4j.ring.Uapi;

/**
 * Copies a tree through one ring with many files in flight. Each file of up to one chunk is one
 * linked chain of six entries — open the source into a fixed slot, open (create) the target into
 * another, READ_FIXED the whole file, WRITE_FIXED it, close both — so a small file costs one trip
 * through the kernel with no fd-table traffic; a larger file is the same chain with a chunk of
 * reads and writes per submission, in order. Modes and times are then set as {@code cp -p} does
 * (chmod and utimensat, through java.nio, since io_uring has no op for either). Symbolic links
 * are recreated, not followed; FIFOs, sockets and device files are made anew, as {@code cp -r}
 * makes them.
 *
 * <p>Files of {@link #BULK} bytes and more go another way: io_uring has no copy_file_range op,
 * and a READ and a WRITE through user memory copy the data twice where {@code copy_file_range(2)}
 * copies it once, inside the kernel (and shares blocks where the file system can). So they are
 * copied with {@link FileChannel#transferTo}, which is copy_file_range on Linux, on a few threads
 * of their own while the ring goes on with the small files. (Splicing through a pipe was measured
 * too, and was slower: see docs/benchmarks.md.)
 */
final class TreeCopier implements AutoCloseable {
    static final int CHUNK = 256 * 1024;
    /** From this size on a file is copied in the kernel (copy_file_range), not through the ring. */
    static final long BULK = 8L << 20;
    private static final int PATH_MAX = 4096;

    /** Hears a file or directory that could not be copied; the copy goes on without it. */
    @FunctionalInterface
    interface Problems {
        /** {@code path} could not be copied, for the reason {@code e} gives (naming op, path and errno). */
        void report(Path path, IOException e);
    }

    private final int inFlight;
    private final Problems problems;
    private final Ring ring;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffers;
    private final ArrayDeque<Integer> freeJobs = new ArrayDeque<>();
    private final Job[] jobs;
    private final CqeBatch cqes;
    private final ExecutorService bulk = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().name("uring4j-cp-", 0).factory());
    private final List<BulkCopy> bulkCopies = new ArrayList<>();

    /** A large file being copied in the kernel, and its source (for the report if it fails). */
    private record BulkCopy(Path source, Future<Long> copy) {
    }
    private long files;
    private long bytes;
    /** The buffers are registered (READ_FIXED/WRITE_FIXED); false where RLIMIT_MEMLOCK refused them. */
    private final boolean fixedBuffers;

    /** One file being copied: its slots, buffer, paths and progress. */
    private static final class Job {
        final int index;
        final MemorySegment buffer;
        final MemorySegment src;
        final MemorySegment dst;
        Path source;
        Path target;
        long size;
        long done;
        int pending;
        int failed;
        String failedOp;
        Path failedPath;
        PosixFileAttributes attrs;

        Job(int index, MemorySegment buffer, MemorySegment paths) {
            this.index = index;
            this.buffer = buffer;
            this.src = paths.asSlice(0, PATH_MAX);
            this.dst = paths.asSlice(PATH_MAX, PATH_MAX);
        }

        int srcSlot() {
            return 2 * index;
        }

        int dstSlot() {
            return 2 * index + 1;
        }
    }

    TreeCopier(int inFlight, Problems problems) throws UringException {
        this.inFlight = inFlight;
        this.problems = problems;
        int entries = Integer.highestOneBit(Math.max(8, inFlight * 6) * 2 - 1);
        this.ring = Ring.open(new RingOptions(Math.min(entries, 32768)).cqSize(Math.min(entries * 2, 65536))
                .singleIssuer().deferTaskrun());
        this.buffers = arena.allocate((long) CHUNK * inFlight, 4096);
        this.fixedBuffers = registerBuffers();
        ring.registerFilesSparse(2 * inFlight);
        this.jobs = new Job[inFlight];
        for (int i = 0; i < inFlight; i++) {
            jobs[i] = new Job(i, buffers.asSlice((long) i * CHUNK, CHUNK), arena.allocate(2L * PATH_MAX));
            freeJobs.add(i);
        }
        this.cqes = new CqeBatch(Math.min(4096, inFlight * 6));
    }

    private boolean registerBuffers() {
        try {
            ring.registerBuffers(buffers);
            return true;
        } catch (UringException e) {
            return false; // an unprivileged user's memlock limit: plain READ/WRITE then
        }
    }

    /**
     * Copies {@code source} (a directory) to {@code target}, which must not exist (the command
     * checked both, and that the target is not inside the source). Regular files go through the
     * ring, symbolic links are recreated, FIFOs, sockets and device files are made anew
     * (mknod, as cp -r does); what cannot be read goes to the problems, and the rest is copied.
     */
    void copyTree(Path source, Path target) throws IOException {
        List<Path[]> dirs = new ArrayList<>();
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) throws IOException {
                Path t = target.resolve(source.relativize(dir).toString());
                Files.createDirectory(t);
                dirs.add(new Path[] {dir, t});
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a) throws IOException {
                Path t = target.resolve(source.relativize(file).toString());
                if (a.isRegularFile()) {
                    PosixFileAttributes attrs;
                    try {
                        attrs = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    } catch (FileSystemException e) {
                        problems.report(file, FsFailure.of("stat", file, e));
                        return FileVisitResult.CONTINUE;
                    }
                    try {
                        copyFile(file, t, attrs); // its failures come back through the ring, to complete()
                    } catch (FileSystemException e) {
                        problems.report(file, FsFailure.of("copy", file, e));
                    }
                    return FileVisitResult.CONTINUE;
                }
                try {
                    if (a.isSymbolicLink()) {
                        Files.createSymbolicLink(t, Files.readSymbolicLink(file));
                    } else {
                        SpecialFile.copy(file, t); // a FIFO, socket or device
                    }
                } catch (IOException e) {
                    problems.report(file, FsFailure.of("copy", file, e));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                problems.report(file, FsFailure.of("open", file, e));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                if (e != null) {
                    problems.report(dir, FsFailure.of("read directory", dir, e));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        finish();
        // Directory times last, after their contents were written (as cp -p does).
        for (int i = dirs.size() - 1; i >= 0; i--) {
            copyAttributes(dirs.get(i)[0], dirs.get(i)[1],
                    Files.readAttributes(dirs.get(i)[0], PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        }
    }

    long files() {
        return files;
    }

    long bytes() {
        return bytes;
    }

    private void copyFile(Path source, Path target, PosixFileAttributes attrs) throws IOException {
        if (attrs.size() >= BULK) {
            bulkCopies.add(new BulkCopy(source, bulk.submit(() -> copyInKernel(source, target, attrs))));
            return;
        }
        byte[] from = pathBytes(source); // before a job is taken: a refused path must not hold one
        byte[] to = pathBytes(target);
        while (freeJobs.isEmpty()) {
            reap(1);
        }
        Job job = jobs[freeJobs.poll()];
        job.source = source;
        job.target = target;
        job.attrs = attrs;
        job.size = attrs.size();
        job.done = 0;
        job.failed = 0;
        job.failedOp = null;
        job.failedPath = null;
        putPath(job.src, from);
        putPath(job.dst, to);
        int mode = permissions(attrs) | 0200; // writable while we fill it; the real mode is set after
        job.pending = 2;
        ring.getSqe().prepOpenat(Uapi.AT_FDCWD, job.src, Uapi.O_RDONLY, 0).directSlot(job.srcSlot()).link()
                .userData(tag(job, 0));
        Sqe openDst = ring.getSqe().prepOpenat(Uapi.AT_FDCWD, job.dst, Uapi.O_WRONLY | Uapi.O_CREAT | Uapi.O_TRUNC, mode)
                .directSlot(job.dstSlot()).link().userData(tag(job, 1));
        if (job.size == 0) {
            openDst.hardLink();
            closeBoth(job);
        } else {
            nextChunk(job);
        }
    }

    private static byte[] pathBytes(Path p) throws FileSystemException {
        byte[] b = p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (b.length >= PATH_MAX) {
            throw new FileSystemException(p.toString(), null, Errno.ENAMETOOLONG.message());
        }
        return b;
    }

    private static void putPath(MemorySegment buf, byte[] b) {
        // The buffer's last byte stays 0 (arena memory starts zeroed, paths are shorter), as the ring's path check wants.
        MemorySegment.copy(b, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b.length);
        buf.set(java.lang.foreign.ValueLayout.JAVA_BYTE, b.length, (byte) 0);
    }

    /**
     * The next chunk: READ_FIXED linked to WRITE_FIXED; after the last chunk the write is
     * hard-linked to the closes, so both slots empty even if it failed.
     */
    private void nextChunk(Job job) {
        int len = (int) Math.min(CHUNK, job.size - job.done);
        MemorySegment buf = job.buffer.asSlice(0, len);
        Sqe read = ring.getSqe();
        Sqe write = ring.getSqe();
        if (fixedBuffers) {
            read.prepReadFixed(Fd.fixed(job.srcSlot()), buf, job.done, 0);
            write.prepWriteFixed(Fd.fixed(job.dstSlot()), buf, job.done, 0);
        } else {
            read.prepRead(Fd.fixed(job.srcSlot()), buf, job.done);
            write.prepWrite(Fd.fixed(job.dstSlot()), buf, job.done);
        }
        read.link().userData(tag(job, 2));
        write.userData(tag(job, 3));
        job.pending += 2;
        job.done += len;
        if (job.done >= job.size) {
            write.hardLink();
            closeBoth(job);
        }
    }

    private void closeBoth(Job job) {
        ring.getSqe().prepClose(Fd.fixed(job.srcSlot())).hardLink().userData(tag(job, 4));
        ring.getSqe().prepClose(Fd.fixed(job.dstSlot())).userData(tag(job, 5));
        job.pending += 2;
    }

    private static long tag(Job job, int step) {
        return ((long) job.index << 8) | step;
    }

    private void reap(int waitFor) throws IOException {
        ring.submitAndWait(waitFor);
        int n = ring.copyCqes(cqes);
        for (int i = 0; i < n; i++) {
            long ud = cqes.userData(i);
            Job job = jobs[(int) (ud >>> 8)];
            int step = (int) (ud & 0xff);
            int res = cqes.res(i);
            job.pending--;
            if (res < 0 && job.failed == 0 && !(step >= 4 && res == -9)) {
                job.failed = res;
                job.failedOp = new String[] {"OPENAT", "OPENAT", "READ", "WRITE", "CLOSE", "CLOSE"}[step];
                job.failedPath = step == 1 || step == 3 || step == 5 ? job.target : job.source;
            } else if (step == 3 && job.failed == 0 && job.done < job.size) {
                nextChunk(job);
            }
            if (job.pending == 0) {
                complete(job);
            }
        }
    }

    private void complete(Job job) throws IOException {
        freeJobs.add(job.index);
        if (job.failed != 0) {
            problems.report(job.source, new UringException(job.failedOp, -job.failed, UringException.NO_FD,
                    job.failedPath.toString()));
            return;
        }
        copyAttributes(job.source, job.target, job.attrs);
        files++;
        bytes += job.size;
    }

    private static void copyAttributes(Path source, Path target, PosixFileAttributes attrs) throws IOException {
        Files.setPosixFilePermissions(target, attrs.permissions());
        Files.getFileAttributeView(target, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(attrs.lastModifiedTime(), attrs.lastAccessTime(), null);
    }

    private static int permissions(PosixFileAttributes attrs) {
        int mode = 0;
        for (var p : attrs.permissions()) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }

    /** A large file: FileChannel.transferTo, i.e. copy_file_range(2); its size. */
    private static long copyInKernel(Path source, Path target, PosixFileAttributes attrs) throws IOException {
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
            long size = attrs.size();
            for (long at = 0; at < size; ) {
                long n = in.transferTo(at, size - at, out);
                if (n <= 0) {
                    break; // the source shrank while we copied: copy what there is, as cp does
                }
                at += n;
            }
        }
        copyAttributes(source, target, attrs);
        return attrs.size();
    }

    /** Waits for every file in flight, on the ring and in the kernel copies. */
    private void finish() throws IOException {
        while (freeJobs.size() < inFlight) {
            reap(1);
        }
        for (var bulkCopy : bulkCopies) {
            try {
                bytes += bulkCopy.copy().get();
                files++;
            } catch (ExecutionException e) {
                problems.report(bulkCopy.source(), e.getCause() instanceof IOException io
                        ? FsFailure.of("copy", bulkCopy.source(), io) : new IOException(e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("cp interrupted");
            }
        }
        bulkCopies.clear();
    }

    @Override
    public void close() {
        bulk.shutdownNow();
        ring.close();
        arena.close();
    }
}
