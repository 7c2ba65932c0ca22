package org.uring4j.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level {@code uring4j} command: global options and the list of subcommands. */
@Command(name = "uring4j",
        description = "Linux io_uring for Java: probe this machine, and measure uring4j against the JDK and fio.",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = VersionInfo.class,
        subcommands = {org.uring4j.cli.bench.BenchCommand.class, org.uring4j.cli.bench.WalkCommand.class, org.uring4j.cli.bench.CopyCommand.class, org.uring4j.cli.bench.SpawnBenchCommand.class, org.uring4j.cli.bench.PathBenchCommand.class, org.uring4j.cli.net.EchoServerCommand.class, org.uring4j.cli.net.NetBenchCommand.class, ProbeCommand.class, CommandLine.HelpCommand.class},
        usageHelpAutoWidth = true,
        footer = {"", "Exit codes: 0 success, 1 unexpected failure, 2 usage error."})
final class UringCommand implements Callable<Integer> {
    private final Style style;

    @Spec
    private CommandSpec spec;

    // Read by FailureHandler from the parse result; declared here so every subcommand accepts it.
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print the stack trace of an unexpected failure (as does URING4J_DEBUG=1).")
    private boolean verbose;

    UringCommand(Style style) {
        this.style = style;
    }

    /** How subcommands colour their output. */
    Style style() {
        return style;
    }

    /** No subcommand given. */
    @Override
    public Integer call() {
        // The default action. When `uring4j bench` exists it becomes the default: run it here instead.
        spec.commandLine().usage(spec.commandLine().getOut());
        spec.commandLine().getOut().flush();
        return CommandLine.ExitCode.OK;
    }
}
