package org.uring4j.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.runtime.LoopOptions;

/** Base of the test classes that share one two-loop {@link UringFiles} per class and a temp dir per test. */
abstract class SharedFilesTest {
    static UringFiles files;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() throws Exception {
        files = UringFiles.open(2, new LoopOptions());
    }

    @AfterAll
    static void close() throws Exception {
        files.close();
    }

    /** A file in the test's directory holding {@code content}. */
    Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }
}
