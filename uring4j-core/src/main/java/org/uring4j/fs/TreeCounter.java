package org.uring4j.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveTask;

import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.ring.CqeBatch;
import org.uring4j.ring.Ring;
import org.uring4j.ring.RingOptions;
import org.uring4j.ring.Uapi;
import org.uring4j.sys.Syscalls;

/**
 * Counts the directories, regular files and bytes under a directory, as {@code find DIR -type d},
 * {@code find DIR -type f} and the sum of their sizes would (symbolic links are not followed and
 * counted as neither). It lists directories with {@code getdents64(2)} into one large buffer and
 * stats only what the listing cannot answer: the size of each regular file (and the type of an
 * entry whose file system reports DT_UNKNOWN), with a minimal STATX_SIZE mask, naming each entry
 * relative to its directory's descriptor straight from the listing buffer — no Path objects.
 *
 * <p>Two ways to stat: {@link Strategy#SYSCALL} calls {@code statx(2)} inline; {@link Strategy#RING}
 * submits IORING_OP_STATX with up to {@code queueDepth} in flight per thread. On Linux 6.18 STATX
 * always runs on an io-wq worker (there is no nonblocking cached-statx path), so the ring buys
 * parallelism at the price of a thread hand-off per entry; docs/benchmarks.md measures both.
 * Directories are spread over {@code threads} threads.
 */
public final class TreeCounter {
    private static final int DT_UNKNOWN = 0;
    private static final int DT_DIR = 4;
    private static final int DT_REG = 8;
    private static final int LISTING_BUFFER = 256 * 1024;
    private static final int STATX_SIZE_BYTES = 256;

    /** How entries are statted. */
    public enum Strategy {
        /** statx(2) on the walking thread. */
        SYSCALL,
        /** IORING_OP_STATX with many in flight. */
        RING
    }

    /** What {@link #count} found. */
    public record Counts(long dirs, long files, long bytes) {
        Counts plus(Counts o) {
            return new Counts(dirs + o.dirs, files + o.files, bytes + o.bytes);
        }
    }

    /** Hears what could not be read: a directory that cannot be opened or listed, an entry that cannot be statted. */
    @FunctionalInterface
    public interface Unreadable {
        /** {@code e} names the call, the path and the errno; throw it to stop the count, return to go on. */
        void report(UringException e) throws IOException;
    }

    private final Strategy strategy;
    private final int queueDepth;
    private final Unreadable unreadable;
    private final ThreadLocal<Worker> workers;
    /** The root as the caller named it, and as /proc/self/fd names it: reports use the caller's form. */
    private String root;
    private String rootResolved;

    private TreeCounter(Strategy strategy, int queueDepth, Unreadable unreadable) {
        this.strategy = strategy;
        this.queueDepth = queueDepth;
        this.unreadable = unreadable;
        this.workers = ThreadLocal.withInitial(Worker::new);
    }

    /**
     * Counts what is under {@code root} (which itself counts as a directory).
     *
     * @param threads    threads to spread directories over (1: all on the calling thread)
     * @param queueDepth with {@link Strategy#RING}, STATX requests in flight per thread
     */
    public static Counts count(Path root, Strategy strategy, int threads, int queueDepth) throws IOException {
        return count(root, strategy, threads, queueDepth, e -> {
            throw e;
        });
    }

    /**
     * As {@link #count(Path, Strategy, int, int)}, handing what cannot be read below {@code root}
     * to {@code unreadable} (from any of the threads); where it returns, the count goes on without
     * it, as {@code find} does (a directory that cannot be opened still counts as a directory).
     */
    public static Counts count(Path root, Strategy strategy, int threads, int queueDepth, Unreadable unreadable)
            throws IOException {
        if (threads < 1 || queueDepth < 1 || queueDepth > 4096) {
            throw new IllegalArgumentException("threads >= 1 and queueDepth 1..4096");
        }
        // The path's own bytes, as for every other open; a path of another file system is refused
        // (ProviderMismatchException): its string would name a host directory.
        CString rootName = CString.of(root);
        TreeCounter counter = new TreeCounter(strategy, queueDepth, java.util.Objects.requireNonNull(unreadable));
        List<Worker> all = new ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            int fd = Syscalls.openat(Uapi.AT_FDCWD, rootName.copyInto(a.allocate(rootName.byteSize())),
                    Uapi.O_RDONLY | Uapi.O_DIRECTORY | Uapi.O_CLOEXEC, 0);
            if (fd < 0) {
                throw FsErrors.forPath("openat", fd, root.toString(), null);
            }
            counter.root = root.toString();
            counter.rootResolved = procFdPath(fd);
            if (threads == 1) {
                Worker w = counter.workers.get();
                try {
                    return w.walk(fd).plus(new Counts(1, 0, 0));
                } finally {
                    w.close();
                    counter.workers.remove();
                }
            }
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                return pool.invoke(counter.new DirTask(fd, all)).plus(new Counts(1, 0, 0));
            } catch (RuntimeException e) {
                for (Throwable t = e.getCause(); t != null; t = t.getCause()) { // ForkJoin wraps what a task threw
                    if (t instanceof IOException io) {
                        throw io;
                    }
                }
                throw e;
            } finally {
                pool.shutdown();
                synchronized (all) {
                    all.forEach(Worker::close);
                }
            }
        }
    }

    /** The path /proc/self/fd gives for {@code fd}, or null. */
    private static String procFdPath(int fd) {
        try {
            return java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** One directory, counted in a fork-join worker; subdirectories become tasks of their own. */
    private final class DirTask extends RecursiveTask<Counts> {
        private final int fd;
        private final List<Worker> all;

        DirTask(int fd, List<Worker> all) {
            this.fd = fd;
            this.all = all;
        }

        @Override
        protected Counts compute() {
            Worker w = workers.get();
            if (!w.registered) {
                w.registered = true;
                synchronized (all) {
                    all.add(w);
                }
            }
            try {
                List<Integer> subdirs = new ArrayList<>();
                Counts here = w.list(fd, subdirs);
                List<DirTask> tasks = new ArrayList<>();
                for (int sub : subdirs) {
                    tasks.add(new DirTask(sub, all));
                }
                invokeAll(tasks);
                for (DirTask t : tasks) {
                    here = here.plus(t.join());
                }
                return here;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** A thread's buffers and, for the ring strategy, its ring. */
    private final class Worker {
        final Arena arena = Arena.ofShared();
        final MemorySegment listing = arena.allocate(LISTING_BUFFER, 8);
        final MemorySegment statBufs = arena.allocate((long) STATX_SIZE_BYTES * queueDepth, 8);
        final CqeBatch cqes = new CqeBatch(queueDepth);
        final int[] freeSlots = new int[queueDepth];
        Ring ring;
        int free;
        boolean registered;
        long files;
        long bytes;
        long dirs;

        Worker() {
            for (int i = 0; i < queueDepth; i++) {
                freeSlots[i] = i;
            }
            free = queueDepth;
        }

        /** Depth-first on this thread: counts what is below {@code fd} (not {@code fd} itself), closing it. */
        Counts walk(int fd) throws IOException {
            List<Integer> subdirs = new ArrayList<>();
            Counts here = list(fd, subdirs);
            for (int sub : subdirs) {
                here = here.plus(walk(sub));
            }
            return here;
        }

        /**
         * Lists directory {@code fd}, counting its files and their bytes and opening its
         * subdirectories into {@code subdirs} (each counted as one directory here); closes {@code fd}.
         */
        Counts list(int fd, List<Integer> subdirs) throws IOException {
            files = 0;
            bytes = 0;
            dirs = 0;
            try {
                while (true) {
                    int n = Syscalls.getdents64(fd, listing);
                    if (n < 0) {
                        unreadable.report(new UringException("getdents64", -n, fd, pathOf(fd, null)));
                        break;
                    }
                    if (n == 0) {
                        break;
                    }
                    for (int off = 0; off < n; ) {
                        int reclen = Short.toUnsignedInt(listing.get(JAVA_SHORT, off + 16));
                        int type = Byte.toUnsignedInt(listing.get(JAVA_BYTE, off + 18));
                        long nameAt = off + 19;
                        if (!dotOrDotDot(nameAt)) {
                            MemorySegment name = listing.asSlice(nameAt, nameLength(nameAt, off + reclen) + 1);
                            if (type == DT_DIR) {
                                int sub = Syscalls.openat(fd, name, Uapi.O_RDONLY | Uapi.O_DIRECTORY | Uapi.O_CLOEXEC
                                        | Uapi.O_NOFOLLOW, 0);
                                if (sub >= 0) {
                                    subdirs.add(sub);
                                    dirs++;
                                } else if (sub != -Errno.ENOENT.number()) {
                                    unreadable.report(new UringException("openat", -sub, UringException.NO_FD,
                                            pathOf(fd, name)));
                                    dirs++; // a directory all the same, as find counts it
                                }
                            } else if (type == DT_REG || type == DT_UNKNOWN) {
                                stat(fd, name, type == DT_UNKNOWN, subdirs);
                            }
                        }
                        off += reclen;
                    }
                    // The names live in the listing buffer: every statx naming one must finish before it is reused.
                    drain(subdirs);
                }
            } finally {
                drainQuietly(subdirs);
                Syscalls.close(fd);
            }
            return new Counts(dirs, files, bytes);
        }

        private boolean dotOrDotDot(long at) {
            byte c0 = listing.get(JAVA_BYTE, at);
            if (c0 != '.') {
                return false;
            }
            byte c1 = listing.get(JAVA_BYTE, at + 1);
            return c1 == 0 || (c1 == '.' && listing.get(JAVA_BYTE, at + 2) == 0);
        }

        private int nameLength(long at, long end) {
            int len = 0;
            while (at + len < end && listing.get(JAVA_BYTE, at + len) != 0) {
                len++;
            }
            return len;
        }

        private void stat(int dirfd, MemorySegment name, boolean unknownType, List<Integer> subdirs) throws IOException {
            int mask = unknownType ? Uapi.STATX_TYPE | Uapi.STATX_SIZE : Uapi.STATX_SIZE;
            int flags = Uapi.AT_SYMLINK_NOFOLLOW | Uapi.AT_STATX_DONT_SYNC;
            if (strategy == Strategy.SYSCALL) {
                MemorySegment buf = statBufs.asSlice(0, STATX_SIZE_BYTES);
                int r = Syscalls.statx(dirfd, name, flags, mask, buf);
                if (r == -Errno.ENOENT.number()) {
                    return; // removed while we walked
                }
                if (r < 0) {
                    unreadable.report(new UringException("statx", -r, UringException.NO_FD, pathOf(dirfd, name)));
                    return;
                }
                account(dirfd, name, buf, unknownType, subdirs);
                return;
            }
            if (ring == null) {
                ring = Ring.open(new RingOptions(Integer.highestOneBit(Math.max(2, queueDepth) * 2 - 1))
                        .cqSize(queueDepth * 2).singleIssuer().deferTaskrun());
            }
            while (free == 0) {
                reap(subdirs, 1);
            }
            int slot = freeSlots[--free];
            pendingNames[slot] = name;
            pendingDirs[slot] = dirfd;
            pendingUnknown[slot] = unknownType;
            ring.getSqe().prepStatx(dirfd, name, flags, mask,
                    statBufs.asSlice((long) slot * STATX_SIZE_BYTES, STATX_SIZE_BYTES)).userData(slot);
        }

        private final MemorySegment[] pendingNames = new MemorySegment[queueDepth];
        private final int[] pendingDirs = new int[queueDepth];
        private final boolean[] pendingUnknown = new boolean[queueDepth];

        private void reap(List<Integer> subdirs, int waitFor) throws IOException {
            ring.submitAndWait(waitFor);
            int n = ring.copyCqes(cqes);
            for (int j = 0; j < n; j++) {
                int slot = (int) cqes.userData(j);
                int res = cqes.res(j);
                freeSlots[free++] = slot;
                if (res == -Errno.ENOENT.number()) {
                    continue;
                }
                if (res < 0) {
                    unreadable.report(new UringException("STATX", -res, UringException.NO_FD,
                            pathOf(pendingDirs[slot], pendingNames[slot])));
                    continue;
                }
                account(pendingDirs[slot], pendingNames[slot], statBufs.asSlice((long) slot * STATX_SIZE_BYTES,
                        STATX_SIZE_BYTES), pendingUnknown[slot], subdirs);
            }
        }

        private void drain(List<Integer> subdirs) throws IOException {
            while (ring != null && free < queueDepth) {
                reap(subdirs, 1);
            }
        }

        private void drainQuietly(List<Integer> subdirs) {
            try {
                drain(subdirs);
            } catch (IOException e) {
                // already failing; the statx buffers stay owned by this worker
            }
        }

        private void account(int dirfd, MemorySegment name, MemorySegment stx, boolean unknownType, List<Integer> subdirs)
                throws IOException {
            int mode = Short.toUnsignedInt(stx.get(JAVA_SHORT, 28)) & Uapi.S_IFMT;
            if (!unknownType || mode == Uapi.S_IFREG) {
                files++;
                bytes += stx.get(JAVA_LONG, 40);
            } else if (mode == Uapi.S_IFDIR) {
                int sub = Syscalls.openat(dirfd, name, Uapi.O_RDONLY | Uapi.O_DIRECTORY | Uapi.O_CLOEXEC | Uapi.O_NOFOLLOW, 0);
                if (sub >= 0) {
                    subdirs.add(sub);
                    dirs++;
                } else if (sub != -Errno.ENOENT.number()) {
                    unreadable.report(new UringException("openat", -sub, UringException.NO_FD, pathOf(dirfd, name)));
                    dirs++;
                }
            }
        }

        /**
         * The path of directory {@code dirfd} (from /proc/self/fd), joined with {@code name}: only for
         * messages, so that the walk itself never builds paths.
         */
        private String pathOf(int dirfd, MemorySegment name) {
            String dir = procFdPath(dirfd);
            if (dir == null) {
                dir = "(directory fd " + dirfd + ")";
            } else if (rootResolved != null && dir.startsWith(rootResolved)
                    && (dir.length() == rootResolved.length() || dir.charAt(rootResolved.length()) == '/')) {
                dir = root + dir.substring(rootResolved.length());
            }
            return name == null ? dir : dir + "/" + name.getString(0);
        }

        void close() {
            if (ring != null) {
                ring.close();
            }
            arena.close();
        }
    }
}
