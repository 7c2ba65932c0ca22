package org.uring4j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.ring.ProcStatus;
import org.uring4j.ring.Uapi;
import org.uring4j.sys.Syscalls;

/**
 * The io-wq controls of {@link UringRuntime}: worker limits (IORING_REGISTER_IOWQ_MAX_WORKERS) and
 * worker CPU affinity (IORING_REGISTER_IOWQ_AFF). Both act on the io-wq of the thread that
 * registers, so the runtime applies them on each loop's own thread, whose workers run its ops.
 * Each test uses fresh loops: the settings stay with a loop thread until it exits.
 */
class IoWqControlTest {
    @TempDir
    Path dir;

    /** Each loop's own limits, asked on its thread ({@code (0, 0)} only reads). */
    private static int[] limitsOf(EventLoop loop) throws Exception {
        return Await.get(loop.call(ring -> ring.registerIoWqMaxWorkers(0, 0)));
    }

    @Test
    void maxWorkersReadsSetsAndReturnsThePreviousLimits() throws Exception {
        try (UringRuntime rt = UringRuntime.open(2, new LoopOptions())) {
            int[] current = rt.ioWqMaxWorkers(0, 0);
            assertEquals(2, current.length);
            assertTrue(current[0] > 0 && current[1] > 0, "default limits are positive: " + Arrays.toString(current));
            assertArrayEquals(current, rt.ioWqMaxWorkers(0, 0), "(0, 0) changes nothing");

            assertArrayEquals(current, rt.ioWqMaxWorkers(2, 4), "setting returns the previous limits");
            assertArrayEquals(new int[] {2, 4}, rt.ioWqMaxWorkers(0, 0));
            for (int i = 0; i < rt.loopCount(); i++) {
                assertArrayEquals(new int[] {2, 4}, limitsOf(rt.loop(i)), "loop " + i);
            }

            // 0 leaves one limit as it is while the other changes.
            assertArrayEquals(new int[] {2, 4}, rt.ioWqMaxWorkers(3, 0));
            assertArrayEquals(new int[] {3, 4}, rt.ioWqMaxWorkers(0, 0));
            assertThrows(IllegalArgumentException.class, () -> rt.ioWqMaxWorkers(-1, 0));
        }
    }

    @Test
    void withOneBoundedWorkerAsyncReadsOfARegularFileQueueAndAllComplete() throws Exception {
        int chunks = 32;
        int size = 4096;
        byte[] content = new byte[chunks * size];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 7 + i / size);
        }
        Path file = Files.write(dir.resolve("data"), content);
        try (UringRuntime rt = UringRuntime.open(1, new LoopOptions())) {
            EventLoop loop = rt.loop(0);
            int[] before = rt.ioWqMaxWorkers(1, 0);
            assertArrayEquals(new int[] {1, before[1]}, rt.ioWqMaxWorkers(0, 0));

            int fd = Await.get(loop.submit(new TestOps.Openat(file.toString(), Uapi.O_RDONLY, 0)));
            try {
                // Regular-file reads are bounded io-wq work: with one worker they run one at a time.
                List<CompletableFuture<byte[]>> reads = new ArrayList<>();
                for (int i = 0; i < chunks; i++) {
                    reads.add(loop.submit(new TestOps.Read(fd, size, (long) i * size).async(true)));
                }
                for (int i = 0; i < chunks; i++) {
                    byte[] got = reads.get(i).get(30, TimeUnit.SECONDS);
                    assertArrayEquals(Arrays.copyOfRange(content, i * size, (i + 1) * size), got, "chunk " + i);
                }
            } finally {
                Syscalls.close(fd);
            }
        }
    }

    @Test
    void affinityPinsTheLoopsNewWorkersThenIsLifted() throws Exception {
        String ours = ProcStatus.parse(Files.readString(Path.of("/proc/self/status"))).get("Cpus_allowed_list");
        assumeTrue(cpus(ours).get(0), "CPU 0 is not allowed to this process: " + ours);
        BitSet cpu0 = new BitSet();
        cpu0.set(0);
        try (UringRuntime rt = UringRuntime.open(1, new LoopOptions())) {
            EventLoop loop = rt.loop(0);
            rt.ioWqAffinity(cpu0);
            // The loop has used no worker yet, so this op gets a new one, created with the mask.
            ProcStatus worker = ProcStatus.parse(TestOps.readThroughLoop(loop, "/proc/thread-self/status", true));
            assertTrue(worker.name().startsWith("iou-wrk-"), worker.name());
            assertEquals("0", worker.get("Cpus_allowed_list"));

            rt.ioWqAffinity(null);
            // Still works after the mask is lifted.
            assertEquals(ProcessHandle.current().pid(),
                    ProcStatus.parse(TestOps.readThroughLoop(loop, "/proc/self/status", true)).tgid());
            assertThrows(IllegalArgumentException.class, () -> rt.ioWqAffinity(new BitSet()));
        }
    }

    /** A "0-3,5" CPU list as a bit set. */
    private static BitSet cpus(String list) {
        BitSet set = new BitSet();
        for (String part : list.split(",")) {
            String[] range = part.trim().split("-");
            int from = Integer.parseInt(range[0]);
            int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
            set.set(from, to + 1);
        }
        return set;
    }
}
