package org.uring4j.fs;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.fs.FsTestSupport.openFdCount;

import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.runtime.LoopOptions;

/**
 * Closing a UringFiles closes the files still open, on both backends: on io_uring their ops
 * already failed as on a closed file, but each kept its descriptor until its own close(), so a
 * program that closed the UringFiles and forgot a file leaked a descriptor (the portable backend
 * closed them).
 */
class FilesCloseClosesFilesTest {
    @TempDir
    Path dir;

    @Test
    void filesLeftOpenAreClosedWithTheirUringFiles() throws Exception {
        Path p = dir.resolve("f");
        Files.write(p, new byte[100]);
        int fds = openFdCount();
        UringFiles files = UringFiles.open(1, new LoopOptions());
        List<AsyncFile> left = new ArrayList<>();
        left.add(files.open(p, READ));
        left.add(files.open(p, READ, WRITE));
        left.add(files.open(dir, UringOpenOption.DIRECTORY));
        left.add(files.open(p, READ, UringOpenOption.DIRECT_DESCRIPTOR));
        left.add(files.open(left.get(2), Path.of("f"), READ));
        for (int i = 0; i < 200; i++) { // opened and closed: not kept for the UringFiles' close
            files.open(p, READ).close();
        }
        files.close();
        assertEquals(fds, openFdCount(), "descriptors left open by the closed UringFiles");
        for (AsyncFile f : left) {
            assertTrue(f.isClosed(), f + " is still open");
            assertThrows(ClosedChannelException.class, () -> f.read(new byte[1], 0, 1, 0));
            f.close(); // still harmless
        }
        assertEquals(fds, openFdCount());
    }

    @Test
    void aCloseRefusedOnALoopThreadClosesNothing() throws Exception {
        Path p = dir.resolve("g");
        Files.write(p, new byte[10]);
        UringFiles files = UringFiles.open(1, new LoopOptions());
        if (files.backend() != Backend.IO_URING) {
            files.close(); // before skipping
        }
        FsTestSupport.assumeIoUring(files, "event loops");
        try (AsyncFile f = files.open(p, READ)) {
            // From a callback on the loop, close() cannot wait for that loop: it is refused, and must
            // leave everything working (the refused close had closed every file and left the runtime
            // refusing work with its loops running).
            Object refused = FsTestSupport.await(files.runtime().loop(0).call(r -> {
                try {
                    files.close();
                    return "closed";
                } catch (RuntimeException | org.uring4j.UringException e) {
                    return e;
                }
            }));
            org.junit.jupiter.api.Assertions.assertInstanceOf(IllegalStateException.class, refused);
            assertEquals(10, f.read(new byte[10], 0, 10, 0), "the file still reads");
            assertEquals(10, files.readAllBytes(p).length, "the files still work");
            assertEquals(10, FsTestSupport.await(files.runtime().loop(0).submit(new TestNop())), "the runtime takes work");
        } finally {
            files.close();
        }
    }

    /** A NOP whose result is 10. */
    private static final class TestNop extends org.uring4j.runtime.Operation<Integer> {
        @Override
        protected String name() {
            return "NOP";
        }

        @Override
        protected void prepare(org.uring4j.ring.Sqe sqe) {
            sqe.prepNop();
        }

        @Override
        protected Integer complete(int res, int flags) {
            return 10;
        }
    }
}
