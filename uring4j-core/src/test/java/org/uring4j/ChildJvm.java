package org.uring4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the test classpath in a child JVM, for what must be set before the JVM starts (system properties, rlimits). */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * Runs {@code mainClass} with {@code jvmArgs}, after the command {@code prefix} (e.g. prlimit) if
     * not empty; its exit code and output (stdout and stderr).
     */
    public static Result run(List<String> prefix, List<String> jvmArgs, Class<?> mainClass, String... args) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        command.addAll(jvmArgs);
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = p.getInputStream(); var o = p.getOutputStream()) {
            String out = new String(in.readAllBytes()).trim(); // until the child exits and closes its end
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("child JVM did not finish: " + out);
            }
            return new Result(p.exitValue(), out);
        }
    }

    /** A child's exit code and its output. */
    public record Result(int exit, String output) {
    }
}
