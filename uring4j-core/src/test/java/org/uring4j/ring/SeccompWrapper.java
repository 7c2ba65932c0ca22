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

/**
 * The test resource deny-io-uring.c, compiled: {@code deny-io-uring ERRNO command...} runs a
 * command under a seccomp filter that fails io_uring_setup with ERRNO (as Docker's default
 * profile does). Tests using it skip where gcc or the seccomp headers are missing.
 */
public final class SeccompWrapper {
    private SeccompWrapper() {
    }

    /** Compiles the wrapper into {@code dir}; skips the calling test where it cannot be built. */
    public static Path compile(Path dir) throws Exception {
        Path src = dir.resolve("deny-io-uring.c");
        try (InputStream in = SeccompWrapper.class.getResourceAsStream("/deny-io-uring.c")) {
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

    /**
     * Runs {@code mainClass} of the test classpath in a child JVM under the wrapper, io_uring_setup
     * failing with {@code errno}; {@code jvmArgs} go before the class. Its exit code and output.
     */
    public static Result runJava(Path wrapper, int errno, Class<?> mainClass, List<String> jvmArgs, String... args)
            throws Exception {
        org.uring4j.ChildJvm.Result r = org.uring4j.ChildJvm.run(List.of(wrapper.toString(), Integer.toString(errno)),
                jvmArgs, mainClass, args);
        return new Result(r.exit(), r.output());
    }

    /** A child's exit code and its output (stdout and stderr). */
    public record Result(int exit, String output) {
    }
}
