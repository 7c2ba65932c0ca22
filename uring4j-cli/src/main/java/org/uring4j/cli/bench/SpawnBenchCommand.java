package org.uring4j.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import org.uring4j.process.Child;
import org.uring4j.process.ExitStatus;
import org.uring4j.process.Redirect;
import org.uring4j.process.Spawn;
import org.uring4j.runtime.LoopOptions;
import org.uring4j.runtime.UringRuntime;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code uring4j spawn-bench}: launches a command many times, {@code --concurrency} at once,
 * with uring4j's {@link Spawn} (posix_spawnp, exit through IORING_OP_WAITID) and with the JDK's
 * {@link ProcessBuilder}, in alternating rounds; prints launches per second and the ratio.
 */
@Command(name = "spawn-bench", sortOptions = false,
        description = {"Launch a command many times with uring4j's Spawn and with the JDK's ProcessBuilder, side by side.",
            "Each launch waits for the exit (and reads all of stdout with --output)."})
public final class SpawnBenchCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..*", description = "The command and its arguments. Default: true.")
    private List<String> command = new ArrayList<>(List.of("true"));

    @Option(names = "--count", description = "Launches per round and engine. Default: 500.")
    private int count = 500;

    @Option(names = "--concurrency", description = "Children running at once. Default: 8.")
    private int concurrency = 8;

    @Option(names = "--output", description = "Pipe stdout back and read all of it (else stdout is discarded).")
    private boolean output;

    @Option(names = "--rounds", description = "Alternating rounds; medians are reported. Default: 5.")
    private int rounds = 5;

    @Option(names = "--json", description = "Print JSON.")
    private boolean json;

    /** One round of one engine. */
    record Round(String engine, int launches, double seconds) {
        double perSecond() {
            return launches / seconds;
        }
    }

    @Override
    public Integer call() throws Exception {
        Usage.atLeast(spec, "--count", count, 1);
        Usage.atLeast(spec, "--concurrency", concurrency, 1);
        Usage.atLeast(spec, "--rounds", rounds, 1);
        PrintWriter out = spec.commandLine().getOut();
        List<Round> uring = new ArrayList<>();
        List<Round> jdk = new ArrayList<>();
        try (UringRuntime rt = UringRuntime.open(1, new LoopOptions())) {
            run(true, rt, Math.min(count, 50)); // warm both up, unmeasured
            run(false, rt, Math.min(count, 50));
            for (int r = 0; r < rounds; r++) {
                uring.add(run(true, rt, count));
                jdk.add(run(false, rt, count));
            }
        }
        Round u = median(uring);
        Round j = median(jdk);
        if (json) {
            StringWriter buf = new StringWriter();
            try (JsonGenerator g = new JsonFactory().createGenerator(buf)) {
                g.useDefaultPrettyPrinter();
                g.writeStartObject();
                g.writeStringField("command", String.join(" ", command));
                g.writeNumberField("count", count);
                g.writeNumberField("concurrency", concurrency);
                g.writeBooleanField("output", output);
                g.writeNumberField("uring4j_per_s", u.perSecond());
                g.writeNumberField("processbuilder_per_s", j.perSecond());
                g.writeNumberField("ratio", u.perSecond() / j.perSecond());
                g.writeEndObject();
            }
            out.println(buf);
        } else {
            out.printf(Locale.ROOT, "%s, %d launches, %d at once%s; medians of %d alternating rounds%n",
                    String.join(" ", command), count, concurrency, output ? ", stdout read" : "", rounds);
            out.printf(Locale.ROOT, "%-16s %12s %12s%n", "engine", "launches/s", "us/launch");
            for (Round r : List.of(u, j)) {
                out.printf(Locale.ROOT, "%-16s %,12.0f %12.1f%n", r.engine(), r.perSecond(), 1e6 / r.perSecond());
            }
            out.printf(Locale.ROOT, "uring4j / ProcessBuilder: %.2fx%n", u.perSecond() / j.perSecond());
        }
        out.flush();
        return 0;
    }

    private static Round median(List<Round> rounds) {
        return rounds.stream().sorted(Comparator.comparingDouble(Round::seconds)).toList().get(rounds.size() / 2);
    }

    /** {@code n} launches, at most {@code concurrency} running at once. */
    private Round run(boolean ours, UringRuntime rt, int n) throws Exception {
        Semaphore slots = new Semaphore(concurrency);
        List<CompletableFuture<?>> all = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            slots.acquire();
            CompletableFuture<?> done = ours ? launchOurs(rt) : launchJdk();
            all.add(done.whenComplete((v, t) -> slots.release()));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e; // "the command failed", not a wrapper's name
        }
        return new Round(ours ? "uring4j Spawn" : "ProcessBuilder", n, (System.nanoTime() - t0) / 1e9);
    }

    private CompletableFuture<ExitStatus> launchOurs(UringRuntime rt) throws IOException {
        Child c = Spawn.command(command).stdout(output ? Redirect.PIPE : Redirect.DISCARD).start(rt);
        CompletableFuture<ExitStatus> exit = c.onExit();
        if (!output) {
            return exit.thenApply(this::requireSuccess);
        }
        return c.stdout().readAllBytesAsync().thenCompose(bytes -> c.stdout().closeAsync()).thenCompose(v -> exit)
                .thenApply(this::requireSuccess);
    }

    private CompletableFuture<Process> launchJdk() throws IOException {
        // stdin and stderr inherited, as Spawn's are by default: no pipes but the one measured.
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(output ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        if (!output) {
            return p.onExit().thenApply(this::requireExitZero);
        }
        // The JDK's stdout is a blocking stream: read it on a virtual thread, as a caller would.
        return CompletableFuture.supplyAsync(() -> {
            try (var in = p.getInputStream()) {
                in.readAllBytes();
                return p;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, r -> Thread.ofVirtual().start(r)).thenCompose(Process::onExit).thenApply(this::requireExitZero);
    }

    private ExitStatus requireSuccess(ExitStatus s) {
        if (!s.success()) {
            throw failed("Spawn", s.toString());
        }
        return s;
    }

    private Process requireExitZero(Process p) {
        if (p.exitValue() != 0) {
            throw failed("ProcessBuilder", "exit " + p.exitValue());
        }
        return p;
    }

    /** The command's failure, as the benchmark reports it: it measures launches of a command that succeeds. */
    private CompletionException failed(String engine, String status) {
        return new CompletionException(new IOException("spawn-bench: the command '" + String.join(" ", command)
                + "' failed (" + status + ", launched with " + engine + "); spawn-bench needs a command that exits 0"));
    }
}
