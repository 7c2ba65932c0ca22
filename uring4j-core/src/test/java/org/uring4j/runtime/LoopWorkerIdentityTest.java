package org.uring4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.UringException;
import org.uring4j.ring.ProcStatus;
import org.uring4j.ring.Uapi;
import org.uring4j.sys.Syscalls;

/**
 * The identity seen by ops an {@link EventLoop} runs (seeds 000 and 004). The loop thread is
 * another thread of our process, and its io-wq workers are threads of the same process, so
 * /proc/self, the fd table, credentials and umask are still ours, whether an op runs inline on the
 * loop thread or is forced onto a worker.
 */
class LoopWorkerIdentityTest {
    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    /** The kernel thread id of the loop's thread, asked on that thread. */
    private static long loopTid(EventLoop loop) throws Exception {
        return Await.get(loop.call(ring -> ProcStatus.callingThreadTid()));
    }

    @Test
    void procSelfThroughTheLoopNamesOurProcessInlineAndOnAWorker() throws Exception {
        try (EventLoop loop = EventLoop.open()) {
            for (boolean async : new boolean[] {false, true}) {
                ProcStatus st = ProcStatus.parse(TestOps.readThroughLoop(loop, "/proc/self/status", async));
                assertEquals(PID, st.pid(), "async=" + async);
                assertEquals(PID, st.tgid(), "async=" + async);
            }
        }
    }

    @Test
    void loopThreadAndItsWorkersAreThreadsOfOurProcess() throws Exception {
        long testThread = ProcStatus.callingThreadTid();
        try (EventLoop loop = EventLoop.open()) {
            long loopThread = loopTid(loop);
            assertNotEquals(testThread, loopThread, "the loop runs on a thread of its own");

            // Inline the open may still be punted to a worker when the lookup is not cached; either
            // way the task is in our thread group, and it is the loop thread or one of its workers.
            ProcStatus inline = ProcStatus.parse(TestOps.readThroughLoop(loop, "/proc/thread-self/status", false));
            assertEquals(PID, inline.tgid());
            if (inline.pid() != loopThread) {
                assertEquals("iou-wrk-" + loopThread, inline.name());
            }

            ProcStatus worker = ProcStatus.parse(TestOps.readThroughLoop(loop, "/proc/thread-self/status", true));
            assertEquals(PID, worker.tgid(), "the worker is in our thread group");
            assertNotEquals(loopThread, worker.pid());
            assertEquals("iou-wrk-" + loopThread, worker.name(), "a worker of the loop thread, which submitted");
            assertEquals(Syscalls.geteuid(), worker.uid(1));
            assertEquals(Syscalls.getegid(), worker.gid(1));
        }
    }

    @Test
    void descriptorOpenedOnTheLoopIsInOurTable() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "shared table");
        try (EventLoop loop = EventLoop.open()) {
            for (boolean async : new boolean[] {false, true}) {
                int fd = Await.get(loop.submit(new TestOps.Openat(file.toString(), Uapi.O_RDONLY, 0).async(async)));
                try {
                    assertEquals(file, Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)));
                } finally {
                    assertEquals(0, Syscalls.close(fd));
                }
            }
        }
    }

    @Test
    void filesCreatedOnTheLoopAreOursAndHonourOurUmask() throws Exception {
        int old = Syscalls.umask(027);
        try (EventLoop loop = EventLoop.open()) {
            for (boolean async : new boolean[] {false, true}) {
                Path file = dir.resolve("created-" + async);
                int fd = Await.get(loop.submit(new TestOps.Openat(file.toString(),
                        Uapi.O_WRONLY | Uapi.O_CREAT | Uapi.O_EXCL, 0666).async(async)));
                Syscalls.close(fd);
                assertOwnedByUs(file, 0640);

                Path sub = dir.resolve("dir-" + async);
                Await.get(loop.submit(new TestOps.Mkdirat(sub.toString(), 0777).async(async)));
                assertOwnedByUs(sub, 0750);
            }
        } finally {
            Syscalls.umask(old);
        }
    }

    private static void assertOwnedByUs(Path path, int perms) throws Exception {
        assertEquals(Syscalls.geteuid(), (int) Files.getAttribute(path, "unix:uid"), path + " uid");
        assertEquals(Syscalls.getegid(), (int) Files.getAttribute(path, "unix:gid"), path + " gid");
        assertEquals(Integer.toOctalString(perms), Integer.toOctalString((int) Files.getAttribute(path, "unix:mode") & 07777),
                path + " mode (umask applied)");
    }

    @Test
    void personalityRegisteredThroughTheRuntimeRunsOpsOnItsLoopOnly() throws Exception {
        Path file = Files.writeString(dir.resolve("p"), "x");
        try (UringRuntime rt = UringRuntime.open(2, new LoopOptions())) {
            EventLoop home = rt.loop(0);
            int id = rt.registerPersonality(home);
            assertTrue(id > 0, "personality id " + id);
            for (boolean async : new boolean[] {false, true}) {
                int fd = Await.get(home.submit(new TestOps.Openat(file.toString(), Uapi.O_RDONLY, 0).async(async).personality(id)));
                Syscalls.close(fd);
            }

            // Personalities belong to one ring: the other loop does not know the id.
            UringException other = assertThrows(UringException.class,
                    () -> Await.get(rt.loop(1).submit(new TestOps.Openat(file.toString(), Uapi.O_RDONLY, 0).personality(id))));
            assertEquals("EINVAL", other.errnoName());

            Await.get(home.call(ring -> {
                ring.unregisterPersonality(id);
                return null;
            }));
            UringException gone = assertThrows(UringException.class,
                    () -> Await.get(home.submit(new TestOps.Openat(file.toString(), Uapi.O_RDONLY, 0).personality(id))));
            assertEquals("EINVAL", gone.errnoName());
            assertEquals(file.toString(), gone.path());
        }
    }
}
