package org.uring4j.fs;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TreeCounter refuses a directory of another file system: it counted the host directory its string names. */
class TreeCounterForeignPathTest {
    @TempDir
    Path dir;

    @Test
    void aZipDirectoryIsRefusedNotMistakenForTheHostsRoot() throws Exception {
        try (FileSystem zip = FileSystems.newFileSystem(dir.resolve("z.zip"), Map.of("create", "true"))) {
            Files.createDirectory(zip.getPath("/inside"));
            for (TreeCounter.Strategy s : TreeCounter.Strategy.values()) {
                assertThrows(ProviderMismatchException.class, () -> TreeCounter.count(zip.getPath("/"), s, 1, 4));
            }
        }
    }
}
