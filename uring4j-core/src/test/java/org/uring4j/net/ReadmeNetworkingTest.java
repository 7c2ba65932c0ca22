package org.uring4j.net;

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

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** The README's Networking examples compile against the library and runs as the README says, on both backends. */
class ReadmeNetworkingTest {

    @ParameterizedTest
    @CsvSource({"EchoExample, 'echoed 12 bytes: \"hello, ring!\"'", "StreamEchoExample, 'echoed 14 bytes: \"hello, stream!\"'"})
    void exampleCompilesAndRuns(String name, String printed, @TempDir Path dir) throws Exception {
        Path readme = Path.of("..", "README.md");
        assumeTrue(Files.exists(readme), "README.md not found beside the module");
        Matcher m = Pattern.compile("```java\\n((?:(?!```).)*public class " + name + " .*?)```", Pattern.DOTALL)
                .matcher(Files.readString(readme));
        assertTrue(m.find(), "the README has a " + name + " program");
        Path src = dir.resolve(name + ".java");
        Files.writeString(src, m.group(1));

        String classes = Path.of("target", "classes").toAbsolutePath().toString();
        Path bin = Path.of(System.getProperty("java.home"), "bin");
        Process javac = new ProcessBuilder(bin.resolve("javac").toString(), "-cp", classes, "-d", dir.toString(),
                src.toString()).redirectErrorStream(true).start();
        assertTrue(javac.waitFor(120, TimeUnit.SECONDS), "javac finished");
        assertEquals(0, javac.exitValue(), new String(javac.getInputStream().readAllBytes()));

        String classpath = classes + File.pathSeparator + dir;
        String io = run(bin, classpath, name);
        assertTrue(io.lines().anyMatch(l -> l.equals("IO_URING: " + printed))
                || io.lines().anyMatch(l -> l.equals("PORTABLE: " + printed)), io);
        String portable = run(bin, classpath, name, "-Dorg.uring4j.backend=portable");
        assertTrue(portable.lines().anyMatch(l -> l.equals("PORTABLE: " + printed)), portable);
    }

    private static String run(Path bin, String classpath, String name, String... props) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(bin.resolve("java").toString(), "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(List.of(props));
        cmd.addAll(List.of("-cp", classpath, name));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), name + " finished");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
