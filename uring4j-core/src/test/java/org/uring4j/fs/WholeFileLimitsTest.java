package org.uring4j.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.uring4j.fs.FsTestSupport.assumeIoUring;
import static org.uring4j.fs.FsTestSupport.await;
import static org.uring4j.fs.FsTestSupport.pattern;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.uring4j.ChildJvm;
import org.uring4j.runtime.EventLoop;
import org.uring4j.runtime.LoopOptions;

/**
 * Whole-file reads and writes under the limits that used to break them (issue 10, items 4, 10,
 * 11): a write longer than one WRITE moves, a registered file table that is full or inactive, and
 * an RLIMIT_NOFILE below the table's default size.
 */
class WholeFileLimitsTest {
    @TempDir
    Path dir;

    /** A WRITE moves at most MAX_RW_COUNT bytes: the chain's short write is continued, not reported as ENOSPC. */
    @Test
    void aWriteLongerThanOneWriteMovesIsContinued() throws Exception {
        try (UringFiles files = UringFiles.open(1, new LoopOptions())) {
            assumeIoUring(files, "the whole-file chain");
            Path p = dir.resolve("big");
            Files.write(p, pattern(9000, 1)); // longer than what follows: truncated first
            byte[] data = pattern(5000, 2);
            long saved = RingFiles.maxRwCount;
            RingFiles.maxRwCount = 1000; // as if MAX_RW_COUNT were 1000 bytes
            try {
                files.write(p, data);
            } finally {
                RingFiles.maxRwCount = saved;
            }
            assertArrayEquals(data, Files.readAllBytes(p));
        }
    }

    /** More whole-file ops at once than the table has slots (or none at all): every one succeeds, as with the JDK. */
    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void concurrentWholeFileOpsNeverFailOnAFullTable(int slots) throws Exception {
        try (UringFiles files = UringFiles.open(1, new LoopOptions().fixedFiles(slots))) {
            int n = 500;
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                writes.add(files.writeAsync(dir.resolve("f" + i), pattern(100 + i, i)));
            }
            for (CompletableFuture<Void> w : writes) {
                await(w);
            }
            List<CompletableFuture<byte[]>> reads = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                reads.add(files.readAllBytesAsync(dir.resolve("f" + i)));
            }
            for (int i = 0; i < n; i++) {
                assertArrayEquals(pattern(100 + i, i), await(reads.get(i)), "file " + i);
            }
        }
    }

    /**
     * Under {@code ulimit -n 1024} the table is sized to the limit instead of failing to register,
     * and whole-file ops work (they failed with ENFILE on every call). In a child JVM under prlimit.
     */
    @Test
    void theTableIsSizedToRlimitNofile() throws Exception {
        try (UringFiles files = UringFiles.open(1, new LoopOptions())) {
            assumeIoUring(files, "the registered file table");
        }
        ChildJvm.Result r = ChildJvm.run(List.of("prlimit", "--nofile=1024"), List.of(), UnderLimit.class,
                dir.resolve("f").toString());
        assertEquals(0, r.exit(), r.output());
        assertEquals("slots 1024, write and read ok", r.output().lines().filter(l -> l.startsWith("slots")).findFirst()
                .orElse(r.output()));
    }

    /** The child: one loop with the default table; prints its size and whether a write and read of a file work. */
    public static final class UnderLimit {
        public static void main(String[] args) throws Exception {
            Path p = Path.of(args[0]);
            try (UringFiles files = UringFiles.open(1, new LoopOptions())) {
                EventLoop loop = files.runtime().loop(0);
                int slots = loop.call(r -> loop.fixedFiles().size()).join();
                byte[] data = pattern(3000, 3);
                files.write(p, data);
                boolean ok = java.util.Arrays.equals(data, files.readAllBytes(p));
                System.out.println("slots " + slots + ", write and read " + (ok ? "ok" : "DIFFER"));
            }
        }
    }
}
