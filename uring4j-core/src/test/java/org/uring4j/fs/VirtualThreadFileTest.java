package org.uring4j.fs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.fs.FsTestSupport.fixedInUse;
import static org.uring4j.fs.FsTestSupport.openFdCount;
import static org.uring4j.fs.FsTestSupport.pattern;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.runtime.LoopOptions;

/** The blocking API from many virtual threads at once: each parks on its own op and gets its own data back. */
class VirtualThreadFileTest {
    private static final int THREADS = 200;

    @TempDir
    Path dir;

    @Test
    void twoHundredVirtualThreadsEachOpenWriteReadCloseTheirOwnFile() throws Exception {
        try (UringFiles files = UringFiles.open(2, new LoopOptions())) {
            int fds = openFdCount();
            List<Future<String>> results = new ArrayList<>();
            try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < THREADS; t++) {
                    int id = t;
                    results.add(vts.submit(() -> oneThread(files, id)));
                }
                for (Future<String> r : results) {
                    assertEquals("ok", r.get(FsTestSupport.WAIT_SECONDS, TimeUnit.SECONDS));
                }
            }
            for (int t = 0; t < THREADS; t++) {
                assertArrayEquals(expected(t), Files.readAllBytes(dir.resolve("vt-" + t)), "file " + t);
            }
            assertEquals(fds, openFdCount(), "every thread closed its file");
            if (FsTestSupport.onIoUring(files)) {
                assertEquals(0, fixedInUse(files.runtime()));
            }
        }
    }

    /** A size of its own per thread (some above the 64 KiB bounce buffer), and content of its own. */
    private static byte[] expected(int id) {
        return pattern(1000 + id * 997, id);
    }

    private String oneThread(UringFiles files, int id) throws Exception {
        assertTrue(Thread.currentThread().isVirtual());
        byte[] data = expected(id);
        Path p = dir.resolve("vt-" + id);
        UringOpenOption[] extra = id % 4 == 3 ? new UringOpenOption[] {UringOpenOption.DIRECT_DESCRIPTOR} : new UringOpenOption[0];
        List<java.nio.file.OpenOption> opts = new ArrayList<>(List.of(CREATE_NEW, READ, WRITE));
        opts.addAll(Arrays.asList(extra));
        try (AsyncFile f = files.open(p, opts.toArray(java.nio.file.OpenOption[]::new));
             Arena arena = Arena.ofConfined()) {
            // Write in two halves through different buffer kinds, read back through a third.
            int half = data.length / 2;
            assertEquals(half, f.write(data, 0, half, 0));
            ByteBuffer rest = ByteBuffer.allocateDirect(data.length - half).put(data, half, data.length - half).flip();
            assertEquals(data.length - half, f.write(rest, half));
            f.dataSync();
            // A direct-only file's size needs a plain descriptor, which needs FIXED_FD_INSTALL (Linux 6.8+).
            boolean sizable = extra.length == 0 || !FsTestSupport.onIoUring(files)
                    || org.uring4j.ring.Probe.kernelSupports(org.uring4j.ring.Opcode.FIXED_FD_INSTALL);
            assertEquals(data.length, sizable ? f.size() : Files.size(p));

            MemorySegment back = arena.allocate(data.length);
            f.readFully(back, 0);
            assertArrayEquals(data, back.toArray(JAVA_BYTE), "thread " + id);
            byte[] heap = new byte[data.length];
            f.readFully(heap, 0);
            assertArrayEquals(data, heap, "thread " + id);
            assertEquals(-1, f.read(new byte[8], 0, 8, data.length));
        }
        assertArrayEquals(data, files.readAllBytes(p), "thread " + id);
        return "ok";
    }
}
