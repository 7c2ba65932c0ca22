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
}
