package org.uring4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.function.Consumer;

import picocli.CommandLine;

/** Runs the uring4j command in-process with captured output, as {@link Main} configures it. */
final class Cli {
    private Cli() {
    }

    /** What one run printed and returned. */
    record Result(int exitCode, String out, String err) {
    }

    /** Runs {@code args} without colour and with an empty environment (no URING4J_DEBUG). */
    static Result run(String... args) {
        return run(Map.of(), cmd -> { }, args);
    }

    /** Runs {@code args} with {@code env} as the environment, after {@code customize} adjusts the command line. */
    static Result run(Map<String, String> env, Consumer<CommandLine> customize, String... args) {
        CommandLine cmd = Main.commandLine(Style.PLAIN, env::get);
        customize.accept(cmd);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
