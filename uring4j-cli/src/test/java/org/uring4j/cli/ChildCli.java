package org.uring4j.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the uring4j command in a child JVM behind a wrapper command (setpriv, prlimit, a seccomp
 * filter): for what an in-process run cannot change, such as the process's capabilities.
 */
final class ChildCli {
    private ChildCli() {
    }

    /** What one child run printed (stdout and stderr apart) and returned. */
    record Result(int exitCode, String out, String err) {
    }

    /**
     * Root without the file-permission capabilities (setpriv drops them from the bounding set, so
     * the exec'd JVM lacks them): permission bits then apply to it as to anyone. Skips where
     * setpriv is missing.
     */
    static List<String> withoutDacOverride() {
        assumeTrue(new File("/usr/bin/setpriv").canExecute(), "setpriv (util-linux) is not installed");
        return List.of("/usr/bin/setpriv", "--bounding-set", "-dac_override,-dac_read_search");
    }

    /**
     * The core tests' deny-io-uring.c (a seccomp filter that fails io_uring_setup with ERRNO),
     * compiled into {@code dir}: its command prefix for {@code errno}. Skips where gcc or the
     * seccomp headers are missing.
     */
    static List<String> denyIoUring(Path dir, int errno) throws Exception {
        Path src = Path.of("../uring4j-core/src/test/resources/deny-io-uring.c");
        assumeTrue(Files.exists(src), "no " + src.toAbsolutePath());
        Path exe = dir.resolve("deny-io-uring");
        Process cc;
        try {
            cc = new ProcessBuilder("gcc", "-O1", "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "gcc is not installed: " + e.getMessage());
            throw e;
        }
        String out = new String(cc.getInputStream().readAllBytes());
        assumeTrue(cc.waitFor(120, TimeUnit.SECONDS) && cc.exitValue() == 0, "deny-io-uring.c does not build here: " + out);
        return List.of(exe.toString(), Integer.toString(errno));
    }

    /** Runs {@code prefix... java ... org.uring4j.cli.Main args...}. */
    static Result run(List<String> prefix, String... args) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        // stderr on a virtual thread, so that neither pipe fills while the other is read
        StringBuilder err = new StringBuilder();
        Thread errReader = Thread.ofVirtual().start(() -> {
            try (InputStream in = p.getErrorStream()) {
                err.append(new String(in.readAllBytes()));
            } catch (java.io.IOException e) {
                err.append(e);
            }
        });
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes());
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child uring4j did not finish: " + out);
        }
        errReader.join();
        return new Result(p.exitValue(), out, err.toString());
    }
}
