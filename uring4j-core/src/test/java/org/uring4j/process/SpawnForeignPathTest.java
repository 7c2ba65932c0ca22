package org.uring4j.process;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A path of another file system (a zip file's) given to a redirect, an open step or the working
 * directory is refused, as uring4j's file API and the JDK's ProcessBuilder refuse it: the child
 * opened the host file its string names ("/out.txt" at the root, created or truncated).
 */
class SpawnForeignPathTest {
    @TempDir
    Path dir;

    @Test
    void pathsOfAnotherFileSystemAreRefusedBeforeAnythingRuns() throws Exception {
        String name = "/uring4j-zip-entry-" + System.nanoTime() + ".txt";
        try (FileSystem zip = FileSystems.newFileSystem(dir.resolve("z.zip"), Map.of("create", "true"))) {
            Path inZip = zip.getPath(name);
            Files.writeString(inZip, "in the zip");
            assertThrows(ProviderMismatchException.class, () -> Redirect.to(inZip));
            assertThrows(ProviderMismatchException.class, () -> Redirect.appendTo(inZip));
            assertThrows(ProviderMismatchException.class, () -> Redirect.from(inZip));
            assertThrows(ProviderMismatchException.class, () -> Spawn.command("true").open(5, inZip, WRITE, CREATE));
            assertThrows(ProviderMismatchException.class, () -> Spawn.command("true").directory(zip.getPath("/")));
        }
        assertFalse(Files.exists(Path.of(name)), "a host file was made for the zip's path");
    }
}
