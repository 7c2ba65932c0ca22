package org.uring4j.cli;

import java.util.Arrays;
import java.util.function.Function;

import picocli.CommandLine;

/**
 * The {@code uring4j} command: {@code uring4j probe [--json]}, {@code uring4j --version},
 * {@code uring4j --help}.
 *
 * <p>Exit codes: 0 on success (an "io_uring is unavailable here" answer included), 2 for a usage
 * error, 1 for an unexpected failure, reported in one line (the stack trace only with
 * {@code --verbose} or {@code URING4J_DEBUG} set).
 */
public final class Main {
    private Main() {
    }

    /** Runs the command and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(run(Style.detect(), args));
    }

    /** Runs the command with output to the process's stdout and stderr; returns the exit code. */
    static int run(Style style, String... args) {
        CommandLine cmd = commandLine(style);
        try {
            return cmd.execute(args);
        } catch (RuntimeException | Error e) {
            // picocli hands exceptions from call() to FailureHandler; Errors (a failed class init) escape it
            boolean debug = Arrays.asList(args).contains(FailureHandler.VERBOSE)
                    || FailureHandler.debugFromEnvironment(System::getenv);
            FailureHandler.report(e, debug, cmd.getErr());
            return CommandLine.ExitCode.SOFTWARE;
        }
    }

    /** The command line, configured as {@code main} runs it; tests redirect its out and err. */
    static CommandLine commandLine(Style style) {
        return commandLine(style, System::getenv);
    }

    /** As {@link #commandLine(Style)}, reading URING4J_DEBUG from {@code env}. */
    static CommandLine commandLine(Style style, Function<String, String> env) {
        CommandLine cmd = new CommandLine(new UringCommand(style));
        cmd.setColorScheme(CommandLine.Help.defaultColorScheme(style.ansi()));
        cmd.setExecutionExceptionHandler(new FailureHandler(env));
        return cmd;
    }
}
