package org.uring4j.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quick-start program compiles against the library and runs as the README says. */
class ReadmeQuickStartTest {

    @Test
    void quickStartCompilesAndRuns(@TempDir Path dir) throws Exception {
        Path readme = Path.of("..", "README.md");
        assumeTrue(Files.exists(readme), "README.md not found beside the module");
        Matcher m = Pattern.compile("```java\\n(.*?public class QuickStart.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(readme));
        assertTrue(m.find(), "the README has a QuickStart program");
        Path src = dir.resolve("QuickStart.java");
        Files.writeString(src, m.group(1));

        String classes = Path.of("target", "classes").toAbsolutePath().toString();
        Path bin = Path.of(System.getProperty("java.home"), "bin");
        Process javac = new ProcessBuilder(bin.resolve("javac").toString(), "-cp", classes, "-d", dir.toString(),
                src.toString()).redirectErrorStream(true).start();
        assertTrue(javac.waitFor(120, TimeUnit.SECONDS), "javac finished");
        assertEquals(0, javac.exitValue(), new String(javac.getInputStream().readAllBytes()));

        Path java = bin.resolve("java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", classes + File.pathSeparator + dir, "QuickStart")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "QuickStart finished");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("read 15 bytes back: \"hello, io_uring\"; size 15")
                || l.startsWith("io_uring is unavailable")), out);
    }
}
