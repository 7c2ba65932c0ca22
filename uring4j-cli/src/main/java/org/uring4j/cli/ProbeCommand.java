package org.uring4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code uring4j probe [--json]}: whether io_uring works here and what the kernel offers. */
@Command(name = "probe",
        description = {"Show whether io_uring works here (if not, why) and which ops the kernel has.",
            "Lists the kernel's io_uring features and every op with its support, and the facts that",
            "decide availability: kernel.io_uring_disabled, the seccomp mode, RLIMIT_MEMLOCK.",
            "Exits 0 whether or not io_uring is available: that is the answer, not an error."})
final class ProbeCommand implements Callable<Integer> {
    @ParentCommand
    private UringCommand parent;

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object (for programs) instead of a table.")
    private boolean json;

    @Override
    public Integer call() throws IOException {
        ProbeReport report = ProbeReport.collect();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonProbeWriter.write(report, out);
        } else {
            new HumanProbeWriter(out, parent.style()).write(report);
        }
        out.flush();
        return CommandLine.ExitCode.OK;
    }
}
