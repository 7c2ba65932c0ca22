package org.uring4j.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.uring4j.UringUnavailableException;

/**
 * io_uring blocked by a seccomp filter (as in a Docker container) is reported as exactly that:
 * a child JVM runs under a filter that fails io_uring_setup with EPERM or ENOSYS.
 */
class UnavailableTest {

    /** Run in the child JVM: prints how opening a ring failed. */
    public static void main(String[] args) {
        try (Ring ring = Ring.open(4)) {
            System.out.println("AVAILABLE");
        } catch (UringUnavailableException e) {
            System.out.println(e.reason() + " " + e.errnoName() + " " + e.getMessage());
        } catch (Exception e) {
            System.out.println("OTHER " + e);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1 /* EPERM */, 38 /* ENOSYS */})
    void seccompBlockedSetupIsReportedAsSuch(int errno, @TempDir Path dir) throws Exception {
        Path wrapper = compileWrapper(dir);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String cp = System.getProperty("java.class.path");
        Process p = new ProcessBuilder(wrapper.toString(), Integer.toString(errno), java.toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", cp, UnavailableTest.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.exitValue(), out);
        String expectedErrno = errno == 1 ? "EPERM" : "ENOSYS";
        assertTrue(out.startsWith("BLOCKED_BY_SECCOMP " + expectedErrno), out);
        assertTrue(out.contains("seccomp"), out);
    }

    private static Path compileWrapper(Path dir) throws Exception {
        Path src = dir.resolve("deny-io-uring.c");
        try (InputStream in = UnavailableTest.class.getResourceAsStream("/deny-io-uring.c")) {
            Files.write(src, in.readAllBytes());
        }
        Path exe = dir.resolve("deny-io-uring");
        Process cc;
        try {
            cc = new ProcessBuilder(List.of("gcc", "-O1", "-o", exe.toString(), src.toString()))
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "gcc is not installed: " + e.getMessage());
            throw e;
        }
        assertTrue(cc.waitFor(120, TimeUnit.SECONDS));
        String out = new String(cc.getInputStream().readAllBytes());
        assumeTrue(cc.exitValue() == 0 || !out.contains("seccomp.h"), "no seccomp headers: " + out);
        assertEquals(0, cc.exitValue(), out);
        assumeTrue(new File(exe.toString()).canExecute(), "wrapper not executable");
        return exe;
    }
}
