package org.uring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.Test;

import org.uring4j.UringException;

import picocli.CommandLine.Command;

class CommandLineTest {

    /** Stands in for a subcommand that fails unexpectedly. */
    @Command(name = "fail")
    static final class FailingCommand implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            throw new UringException("io_uring_enter", 9, 7, null);
        }
    }

    @Test
    void noSubcommandPrintsHelpAndSucceeds() {
        Cli.Result r = Cli.run();
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("Usage: uring4j"), r.out());
        assertTrue(r.out().contains("probe"), r.out());
    }

    @Test
    void helpListsTheSubcommands() {
        Cli.Result r = Cli.run("--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("Commands:"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+probe\\s.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\s+help\\s.*"), r.out());
    }

    @Test
    void probeHasItsOwnHelp() {
        Cli.Result r = Cli.run("help", "probe");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("Usage: uring4j probe"), r.out());
        assertTrue(r.out().contains("--json"), r.out());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Cli.Result r = Cli.run("probe", "--no-such-option");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("Unknown option: '--no-such-option'"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void unknownSubcommandIsAUsageError() {
        Cli.Result r = Cli.run("no-such-command");
        assertEquals(2, r.exitCode());
        assertFalse(r.err().isEmpty());
    }

    @Test
    void unexpectedFailureIsOneLineAndExitCode1() {
        Cli.Result r = Cli.run(Map.of(), cmd -> cmd.addSubcommand(new FailingCommand()), "fail");
        assertEquals(1, r.exitCode());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("uring4j: io_uring_enter fd 7: EBADF"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void verboseShowsTheStackTrace() {
        Cli.Result r = Cli.run(Map.of(), cmd -> cmd.addSubcommand(new FailingCommand()), "fail", "--verbose");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("\tat org.uring4j.cli.CommandLineTest$FailingCommand.call"), r.err());
    }

    @Test
    void uring4jDebugShowsTheStackTrace() {
        Cli.Result r = Cli.run(Map.of("URING4J_DEBUG", "1"), cmd -> cmd.addSubcommand(new FailingCommand()), "fail");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("\tat org.uring4j.cli.CommandLineTest$FailingCommand.call"), r.err());
    }

    @Test
    void uring4jDebugZeroOrEmptyMeansOff() {
        assertFalse(FailureHandler.debugFromEnvironment(Map.of("URING4J_DEBUG", "0")::get));
        assertFalse(FailureHandler.debugFromEnvironment(Map.of("URING4J_DEBUG", "")::get));
        assertFalse(FailureHandler.debugFromEnvironment(Map.<String, String>of()::get));
    }

    @Test
    void messagesOfOtherExceptionsNameTheirType() {
        assertEquals("IllegalStateException: broken", FailureHandler.describe(new IllegalStateException("broken")));
        assertEquals("java.lang.NullPointerException", FailureHandler.describe(new NullPointerException()));
        assertEquals("IllegalArgumentException: a b", FailureHandler.describe(new IllegalArgumentException("a\n  b")));
    }
}
