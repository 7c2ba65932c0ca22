package org.uring4j.cli.bench;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Usage errors found after parsing: a ParameterException, which picocli reports as it does its own
 * (the message, then the usage help) with exit code 2, naming the option and the value given.
 */
final class Usage {
    private Usage() {
    }

    /** {@code Invalid value for option '--bs': '0' is not a positive size (4096, 4k, 64m, 1g)}. */
    static ParameterException bad(CommandSpec spec, String option, Object value, String expected) {
        return new ParameterException(spec.commandLine(),
                "Invalid value for option '" + option + "': '" + value + "' is not " + expected);
    }

    /** {@code value}, or a usage error naming {@code option} if it is not at least {@code min}. */
    static int atLeast(CommandSpec spec, String option, int value, int min) {
        if (value < min) {
            throw bad(spec, option, value, min == 1 ? "a positive number" : "a number of at least " + min);
        }
        return value;
    }
}
