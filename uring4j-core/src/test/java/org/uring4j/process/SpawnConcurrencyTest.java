package org.uring4j.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.process.ProcTestSupport.openFds;
import static org.uring4j.process.ProcTestSupport.text;
import static org.uring4j.process.ProcTestSupport.zombies;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many virtual threads spawning, feeding, reading and waiting for children at once, on two loops. */
class SpawnConcurrencyTest extends SharedRuntimeTest {
    private static final String PINNED = "jdk.VirtualThreadPinned";

    @TempDir
    Path dir;


    /** One virtual thread's work: a cat fed a line of its own, and a shell exiting with its number. */
    private static String oneTask(int i) throws Exception {
        String line = "task " + i + " " + "x".repeat(i % 5000);
        try (Child cat = Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE).start(rt)) {
            var out = cat.stdout().readAllBytesAsync();
            cat.stdin().writeFully((line + "\n").getBytes(StandardCharsets.UTF_8));
            cat.stdin().close();
            String got = text(out.get(ProcTestSupport.WAIT, TimeUnit.SECONDS));
            assertTrue(cat.waitFor().success());
            Child sh = Spawn.command("sh", "-c", "exit $0", Integer.toString(i % 256)).start(rt);
            assertEquals(i % 256, sh.waitFor().code()); // blocking: parks the virtual thread
            return got;
        }
    }

    private List<RecordedEvent> pinnedDuring(ThrowingRunnable r) throws Exception {
        Path out = Files.createTempFile(dir, "spawn", ".jfr");
        try (Recording rec = new Recording()) {
            rec.enable(PINNED).withThreshold(Duration.ZERO).withStackTrace();
            rec.start();
            r.run();
            rec.stop();
            rec.dump(out);
        }
        return RecordingFile.readAllEvents(out).stream().filter(e -> e.getEventType().getName().equals(PINNED)).toList();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void manyVirtualThreadsSpawnReadAndWaitWithoutPinningOrLeaking() throws Exception {
        oneTask(0); // warm up before counting descriptors
        long before = openFds();
        int tasks = 300;
        List<RecordedEvent> pinned = pinnedDuring(() -> {
            try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < tasks; i++) {
                    int n = i;
                    results.add(vts.submit(() -> oneTask(n)));
                }
                for (int i = 0; i < tasks; i++) {
                    assertEquals("task " + i + " " + "x".repeat(i % 5000) + "\n",
                            results.get(i).get(120, TimeUnit.SECONDS));
                }
            }
        });
        assertEquals(List.of(), pinned.stream().map(e -> e.getStackTrace() == null ? "?" : e.getStackTrace().getFrames()
                .stream().limit(8).map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName()).toList()
                .toString()).toList(), "waitFor and the pipe reads park virtual threads without pinning");
        assertEquals(before, openFds(), "no pipe end or pidfd left behind");
        assertEquals(List.of(), zombies());
    }

    @Test
    void manyPlatformThreadsWaitingForOneChild() throws Exception {
        Child c = Spawn.command("sh", "-c", "read x; exit 7").stdin(Redirect.PIPE).start(rt);
        List<Thread> waiters = new ArrayList<>();
        List<ExitStatus> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 16; i++) {
            Thread t = i % 2 == 0 ? Thread.ofPlatform().start(() -> waitInto(c, seen)) : Thread.ofVirtual().start(() -> waitInto(c, seen));
            waiters.add(t);
        }
        c.stdin().writeFully("go\n".getBytes(StandardCharsets.UTF_8));
        for (Thread t : waiters) {
            assertTrue(t.join(Duration.ofSeconds(ProcTestSupport.WAIT)), "a waiter returned");
        }
        assertEquals(16, seen.size());
        seen.forEach(s -> assertEquals(new ExitStatus(7, false, false), s));
        c.close();
    }

    private static void waitInto(Child c, List<ExitStatus> seen) {
        try {
            seen.add(c.onExit().get(ProcTestSupport.WAIT, TimeUnit.SECONDS));
            seen.set(seen.size() - 1, c.waitFor());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void signallingFromManyThreadsWhileTheChildExits() throws Exception {
        for (int round = 0; round < 20; round++) {
            Child c = Spawn.command("sleep", "100").start(rt);
            List<java.util.concurrent.CompletableFuture<Void>> killers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                var done = new java.util.concurrent.CompletableFuture<Void>();
                killers.add(done);
                Thread.ofVirtual().start(() -> {
                    try {
                        for (int k = 0; k < 50; k++) {
                            c.signal(k % 2 == 0 ? 15 : 0); // ESRCH once it is gone but not yet seen: swallowed
                        }
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                });
            }
            for (var k : killers) {
                ProcTestSupport.get(k);
            }
            assertEquals(new ExitStatus(15, true, false), ProcTestSupport.exit(c));
        }
        assertEquals(List.of(), zombies());
    }
}
