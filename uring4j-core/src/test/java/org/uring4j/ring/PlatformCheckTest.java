package org.uring4j.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A platform whose system call numbers we do not know, or a JVM that denies native access, is
 * refused before any system call, as a UringUnavailableException with its reason — never a wrong
 * syscall or an Error.
 */
class PlatformCheckTest {

    /** The child: opens a ring and prints the reason it could not, or "OPEN". */
    private static final String CHILD = """
            public class Child {
                public static void main(String[] args) throws Exception {
                    try (org.uring4j.ring.Ring r = org.uring4j.ring.Ring.open(8)) {
                        System.out.println("OPEN");
                    } catch (org.uring4j.UringUnavailableException e) {
                        System.out.println(e.reason() + " " + e.getMessage());
                    }
                }
            }
            """;

    @Test
    void anotherArchitectureIsAnUnsupportedPlatform(@TempDir Path dir) throws Exception {
        String out = runChild(dir, "--enable-native-access=ALL-UNNAMED", "-Dos.arch=aarch64");
        assertTrue(out.startsWith("UNSUPPORTED_PLATFORM"), out);
        assertTrue(out.contains("Linux aarch64"), out);
    }

    @Test
    void deniedNativeAccessIsReportedWithTheFlagToAdd(@TempDir Path dir) throws Exception {
        String out = runChild(dir, "--illegal-native-access=deny");
        assertTrue(out.startsWith("OTHER"), out);
        assertTrue(out.contains("--enable-native-access"), out);
    }

    private static String runChild(Path dir, String... jvmArgs) throws Exception {
        Path src = dir.resolve("Child.java");
        Files.writeString(src, CHILD);
        String classes = Path.of("target", "classes").toAbsolutePath().toString();
        Path bin = Path.of(System.getProperty("java.home"), "bin");
        Process javac = new ProcessBuilder(bin.resolve("javac").toString(), "-cp", classes, "-d", dir.toString(),
                src.toString()).redirectErrorStream(true).start();
        assertTrue(javac.waitFor(120, TimeUnit.SECONDS), "javac finished");
        assertEquals(0, javac.exitValue(), new String(javac.getInputStream().readAllBytes()));
        List<String> cmd = new ArrayList<>(List.of(bin.resolve("java").toString()));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", classes + File.pathSeparator + dir, "Child"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child finished");
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.exitValue(), out + new String(p.getErrorStream().readAllBytes()));
        return out;
    }
}
