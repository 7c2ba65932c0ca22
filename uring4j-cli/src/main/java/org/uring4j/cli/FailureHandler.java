package org.uring4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.function.Function;

import org.uring4j.cli.bench.FsFailure;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Reports an unexpected failure of a subcommand in one line on stderr and exits with 1; the stack
 * trace follows only with {@code --verbose} or a non-empty {@code URING4J_DEBUG} (other than 0).
 */
final class FailureHandler implements IExecutionExceptionHandler {
    static final String VERBOSE = "--verbose";

    private final Function<String, String> env;

    FailureHandler(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        report(ex, verbose(parseResult) || debugFromEnvironment(env), cmd.getErr());
        return CommandLine.ExitCode.SOFTWARE;
    }

    /** Whether --verbose was given to the command or any subcommand on the way down. */
    static boolean verbose(ParseResult parseResult) {
        for (ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption(VERBOSE)) {
                return true;
            }
        }
        return false;
    }

    static boolean debugFromEnvironment(Function<String, String> env) {
        String v = env.apply("URING4J_DEBUG");
        return v != null && !v.isBlank() && !v.equals("0") && !v.equalsIgnoreCase("false");
    }

    static void report(Throwable t, boolean debug, PrintWriter err) {
        err.println("uring4j: " + describe(t) + (debug ? "" : " (--verbose shows the stack trace)"));
        if (debug) {
            t.printStackTrace(err);
        }
        err.flush();
    }

    /** One line: the message (which names the syscall and errno for a UringException), else the type. */
    static String describe(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getName();
        }
        m = FsFailure.message(t); // a JDK FileSystemException's message is often the bare path: add the errno
        m = m.replaceAll("\\s*\\R\\s*", " ").strip();
        return t instanceof IOException ? m : t.getClass().getSimpleName() + ": " + m;
    }
}
