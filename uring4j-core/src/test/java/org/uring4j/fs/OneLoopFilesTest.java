package org.uring4j.fs;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.runtime.LoopOptions;

/**
 * Base of the test classes that share one UringFiles of one loop per class (on the backend the
 * org.uring4j.backend property picks) and take a fresh directory per test.
 */
abstract class OneLoopFilesTest {
    static UringFiles files;

    @TempDir
    Path dir;

    @BeforeAll
    static void openFiles() throws Exception {
        files = UringFiles.open(1, new LoopOptions());
    }

    @AfterAll
    static void closeFiles() throws Exception {
        files.close();
    }
}
