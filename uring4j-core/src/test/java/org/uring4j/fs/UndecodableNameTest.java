package org.uring4j.fs;

import static java.nio.file.StandardOpenOption.READ;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.runtime.LoopOptions;

/**
 * A file whose name is not valid in the file-name encoding (bytes FF FE, where names are UTF-8) is
 * opened as the JDK opens it, by its own bytes: uring4j encoded the path's string, where those
 * bytes read U+FFFD, and so opened the file named by U+FFFD's encoding instead, or found none.
 */
class UndecodableNameTest {
    @TempDir
    Path dir;

    @Test
    void aNameThatIsNotUtf8OpensItselfNotTheFileItsStringNames() throws Exception {
        assumeTrue("UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")), "file names in UTF-8");
        Path raw = Path.of(URI.create(dir.toUri() + "a%FF%FEb")); // the bytes a, FF, FE, b
        Path decoy = dir.resolve("a\uFFFD\uFFFDb");                  // what its string reads as
        Files.writeString(raw, "the file itself");
        Files.writeString(decoy, "a decoy");
        Path listed;
        try (var names = Files.list(dir)) {
            listed = names.filter(p -> !p.equals(decoy)).findFirst().orElseThrow(); // as a listing hands it over
        }
        try (UringFiles files = UringFiles.open(1, new LoopOptions())) {
            assertArrayEquals(Files.readAllBytes(raw), files.readAllBytes(listed));
            try (AsyncFile f = files.open(listed, READ)) {
                byte[] b = new byte[64];
                int n = f.read(b, 0, b.length, 0);
                assertEquals("the file itself", new String(b, 0, n, StandardCharsets.UTF_8));
            }
            assertEquals(Files.size(raw), files.stat(listed).size());
            // Relative to the working directory too.
            Path relative = Path.of("").toAbsolutePath().relativize(listed);
            assertArrayEquals(Files.readAllBytes(raw), files.readAllBytes(relative));
            // A symbolic link to it, made relative as the JDK would make it (the target's bytes, not its string).
            Path link = dir.resolve("link");
            files.createSymbolicLink(link, listed.getFileName());
            assertEquals(listed.getFileName(), Files.readSymbolicLink(link));
            assertArrayEquals(Files.readAllBytes(raw), files.readAllBytes(link));
                        // And a directory handle, with the name relative to it.
            try (AsyncFile d = files.open(dir, UringOpenOption.DIRECTORY);
                 AsyncFile f = files.open(d, listed.getFileName(), READ)) {
                assertEquals(Files.size(raw), f.size());
            }
        }
    }
}
