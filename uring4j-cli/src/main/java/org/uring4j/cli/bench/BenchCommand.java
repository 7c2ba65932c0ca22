package org.uring4j.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import org.uring4j.UringException;
import org.uring4j.UringUnavailableException;
import org.uring4j.fs.Backend;
import org.uring4j.ring.Ring;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code uring4j bench}: fio-like benchmarks of uring4j against the JDK's file channels (and fio),
 * measured side by side in alternating rounds and reported as medians and ratios.
 */
@Command(name = "bench",
        description = {"Measure file I/O through uring4j side by side with the JDK (and fio).",
            "With no options: a 1 GiB file in $TMPDIR or /tmp (or --dir), 4 KiB random reads at",
            "QD 32 with uring and with FileChannel, from the page cache and with O_DIRECT, in alternating",
            "rounds; prints the medians and the ratios, then removes the file."},
        sortOptions = false)
public final class BenchCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--rw", description = "read, write, randread, randwrite, randrw, or nop (raw ring throughput). Default: randread.")
    private String rw = "randread";

    @Option(names = "--bs", description = "Block size (4k, 64k, 1m...). Default: 4k.")
    private String bs = "4k";

    @Option(names = "--qd", description = "Requests in flight per thread. Default: 32.")
    private int qd = 32;

    @Option(names = "--size", description = "Bytes of the file to use (1g, 512m...). Default: all of an existing --file, else 1g.")
    private String size = "1g";

    @Option(names = "--time", description = "Seconds per run. Default: 5 (2 per round in the default comparison).")
    private Double time;

    @Option(names = "--file", description = "The file: used as it is if it exists, else created and filled (and kept). Default: a new file in --dir, removed after the run.")
    private Path file;

    @Option(names = "--dir", description = "Where a bench without --file creates its file (and removes it after). Default: the temporary-file directory ($TMPDIR, else /tmp).")
    private Path dir;

    @Option(names = "--direct", description = "O_DIRECT (bypass the page cache).")
    private boolean direct;

    @Option(names = "--threads", description = "Threads, each with its own ring or channel. Default: 1.")
    private int threads = 1;

    @Option(names = "--engine", split = ",",
            description = "uring, uring-fixed, filechannel, asyncchannel, files (uring4j's AsyncFile on io_uring), portable (AsyncFile on the portable backend); several, comma-separated, run side by side. Default: uring.")
    private List<String> engines = List.of("uring");

    @Option(names = "--sqpoll", description = "uring engines: a kernel thread polls the submission queue.")
    private boolean sqpoll;

    @Option(names = "--warmup", description = "Seconds of unmeasured warm-up before each run (JIT compilation). Default: 1.")
    private double warmup = 1;

    @Option(names = "--rounds", description = "Alternating rounds when several engines run; medians are reported. Default: 3.")
    private int rounds = 3;

    @Option(names = "--vs-fio", description = "Also run fio with the identical job (if installed) and print the ratio.")
    private boolean vsFio;

    @Option(names = "--sweep", description = "A series, e.g. qd=1,2,4,8,16,32,64,128.")
    private String sweep;

    @Option(names = "--plot", description = "With --sweep: draw IOPS against queue depth into this PNG.")
    private Path plot;

    @Option(names = "--vthreads", split = ",", paramLabel = "N",
            description = "Blocking calls from N virtual threads (e.g. 1,16,256), each making one call after another: "
                    + "what a Java program pays per call. Engines: files, nio, filechannel, asyncchannel.")
    private List<Integer> vthreads;

    @Option(names = "--pthreads", split = ",", paramLabel = "N",
            description = "As --vthreads, from N platform threads.")
    private List<Integer> pthreads;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    private boolean json;

    /** Whether the user named any job option (else: the default comparison). */
    private boolean anyJobOption() {
        return spec.commandLine().getParseResult().matchedOptions().stream()
                .anyMatch(o -> !o.longestName().equals("--json") && !o.longestName().equals("--dir")
                        && !o.longestName().equals("--time") && !o.longestName().equals("--rounds")
                        && !o.longestName().equals("--vs-fio") && !o.longestName().equals("--warmup"));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        checkRunOptions();
        if (!anyJobOption()) {
            return defaultComparison(out);
        }
        BenchSpec.Rw mode = parseRw(rw);
        int blockSize = blockSize();
        if (vthreads != null || pthreads != null) {
            return blocking(out, mode, blockSize);
        }
        Usage.atLeast(spec, "--qd", qd, 1);
        Usage.atLeast(spec, "--threads", threads, 1);
        List<Engine.Kind> kinds = engines(mode);
        if (!spec.commandLine().getParseResult().hasMatchedOption("--engine")) {
            String unavailable = whyNoRing();
            if (unavailable != null) {
                if (mode == BenchSpec.Rw.NOP) {
                    throw new IllegalStateException("--rw nop measures the ring itself, and " + unavailable);
                }
                kinds = List.of(Engine.Kind.PORTABLE);
                if (!json) {
                    out.printf("%s;%nmeasuring uring4j's portable backend instead.%n%n", unavailable);
                }
            }
        }
        boolean temporary = file == null && mode != BenchSpec.Rw.NOP;
        Path f = file != null ? file : temporary ? newTempFile() : Path.of("(none)");
        try {
            long bytes = mode == BenchSpec.Rw.NOP ? blockSize : fileBytes(f, blockSize);
            BenchSpec base = new BenchSpec(mode, blockSize, qd, bytes, time != null ? time : 5, f, direct, threads,
                    kinds.get(0), sqpoll);
            if (mode != BenchSpec.Rw.NOP) {
                TestFile.ensure(f, bytes);
                if (!direct && mode.reads()) {
                    TestFile.warm(f, bytes);
                }
            }
            if (sweep != null) {
                return sweep(out, base, kinds);
            }
            List<List<BenchResult>> perEngine = runRounds(base, kinds, kinds.size() > 1 ? rounds : 1, out);
            List<BenchResult> medians = perEngine.stream().map(BenchCommand::median).toList();
            Map<String, Double> fio = vsFio ? fio(out, medians) : Map.of();
            if (json) {
                writeJson(out, medians, perEngine, fio, null);
            } else {
                table(out, medians);
                ratios(out, medians);
                fio.forEach((k, v) -> out.printf("%s / fio: %.2fx%n", k, v));
            }
            out.flush();
            return 0;
        } finally {
            if (temporary) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** Where bench files go: --dir, else the temporary-file directory (java.io.tmpdir; bin/uring4j passes $TMPDIR). */
    private Path benchDir() {
        return (dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"))).toAbsolutePath();
    }

    /** A name for a new bench file in {@link #benchDir()}, not yet created (TestFile.ensure creates and fills it). */
    private Path newTempFile() throws IOException {
        Path where = benchDir();
        try {
            Path f = Files.createTempFile(where, "uring4j-bench-", ".dat");
            Files.delete(f);
            return f;
        } catch (IOException e) {
            throw FsFailure.of("create a bench file in", where, e);
        }
    }

    /**
     * The bytes of {@code f} a job uses: an existing file is used as it is (all of it, or the
     * first --size bytes); a new one gets --size bytes (default 1 GiB).
     */
    private long fileBytes(Path f, int blockSize) throws IOException {
        boolean sizeGiven = spec.commandLine().getParseResult().hasMatchedOption("--size");
        long bytes = sizeGiven ? parseSize("--size", size) : 1L << 30;
        if (Files.exists(f)) {
            long length;
            try {
                length = Files.size(f);
            } catch (IOException e) {
                throw FsFailure.of("stat", f, e);
            }
            if (!sizeGiven) {
                bytes = length;
            } else if (bytes > length) {
                throw Usage.bad(spec, "--size", size, "within " + f + ", which holds " + length + " bytes");
            }
            if (bytes < blockSize) {
                throw Usage.bad(spec, "--file", f, "a file of at least one block (--bs " + bs + "): it holds " + length
                        + " bytes");
            }
        } else if (bytes < blockSize) {
            throw Usage.bad(spec, "--size", size, "at least one block (--bs " + bs + ")");
        }
        return bytes;
    }

    /** Checks the options every bench uses, the default comparison included. */
    private void checkRunOptions() {
        if (time != null && !(time > 0)) {
            throw Usage.bad(spec, "--time", time, "a positive number of seconds");
        }
        if (!(warmup >= 0)) {
            throw Usage.bad(spec, "--warmup", warmup, "a number of seconds (0 or more)");
        }
        Usage.atLeast(spec, "--rounds", rounds, 1);
    }

    private int blockSize() {
        long b = parseSize("--bs", bs);
        if (b > 1 << 30) {
            throw Usage.bad(spec, "--bs", bs, "a block size of at most 1g");
        }
        if (direct && b % 512 != 0) {
            throw Usage.bad(spec, "--bs", bs, "a multiple of 512 (better 4096), which O_DIRECT (--direct) needs");
        }
        return (int) b;
    }

    private List<Engine.Kind> engines(BenchSpec.Rw mode) {
        List<Engine.Kind> kinds = new ArrayList<>();
        for (String e : engines) {
            Engine.Kind k = Engine.Kind.parse(e);
            if (k == null) {
                throw Usage.bad(spec, "--engine", e, "an engine (" + Engine.Kind.labels() + ")");
            }
            if (mode == BenchSpec.Rw.NOP && k != Engine.Kind.URING && k != Engine.Kind.URING_FIXED) {
                throw Usage.bad(spec, "--engine", e, "uring or uring-fixed, which --rw nop (the ring itself) needs");
            }
            kinds.add(k);
        }
        return kinds;
    }

    /** Null if a ring can be set up here; else why not ("io_uring is unavailable here (...)"), or the forced backend. */
    private static String whyNoRing() {
        if (Backend.forced().orElse(null) == Backend.PORTABLE) {
            return Backend.PROPERTY + "=portable";
        }
        try (Ring probe = Ring.open(2)) {
            return null;
        } catch (UringUnavailableException e) {
            return "io_uring is unavailable here (" + e.reason() + ": " + e.getMessage() + ")";
        } catch (UringException e) {
            return null; // usable, but not with these options: the ring engines will say so
        }
    }

    /** {@code --vthreads} / {@code --pthreads}: blocking calls per engine, side by side. */
    private int blocking(PrintWriter out, BenchSpec.Rw mode, int blockSize) throws Exception {
        String flag = vthreads != null ? "--vthreads" : "--pthreads";
        if (mode != BenchSpec.Rw.RANDREAD && mode != BenchSpec.Rw.RANDWRITE) {
            throw Usage.bad(spec, "--rw", rw, "randread or randwrite (with " + flag + ")");
        }
        List<Integer> counts = vthreads != null ? vthreads : pthreads;
        for (int n : counts) {
            Usage.atLeast(spec, flag, n, 1);
        }
        boolean named = spec.commandLine().getParseResult().hasMatchedOption("--engine");
        List<BlockingBench.Api> apis = new ArrayList<>();
        for (String e : named ? engines : List.of("files", "nio", "filechannel", "asyncchannel")) {
            try {
                apis.add(BlockingBench.Api.parse(e));
            } catch (IllegalArgumentException x) {
                throw Usage.bad(spec, "--engine", e, "files, nio, filechannel or asyncchannel (with " + flag + ")");
            }
        }
        boolean temporary = file == null;
        Path f = file != null ? file : newTempFile();
        try {
            long bytes = fileBytes(f, blockSize);
            TestFile.ensure(f, bytes);
            if (!direct && mode.reads()) {
                TestFile.warm(f, bytes);
            }
            BlockingBench bench = new BlockingBench(f, bytes, blockSize, mode == BenchSpec.Rw.RANDWRITE, direct,
                    warmup, time != null ? time : 2);
            return BlockingBench.runAll(out, bench, apis, vthreads != null, counts, rounds, json);
        } finally {
            if (temporary) {
                Files.deleteIfExists(f);
            }
        }
    }

    /**
     * The README's main job: uring vs FileChannel, cached and O_DIRECT, 4k randread QD32 on 1 GiB;
     * where io_uring is unavailable, uring4j's portable backend vs FileChannel, saying why.
     */
    private int defaultComparison(PrintWriter out) throws Exception {
        Engine.Kind ours = Engine.Kind.URING;
        String unavailable = whyNoRing();
        if (unavailable != null) {
            ours = Engine.Kind.PORTABLE;
            if (!json) {
                out.printf("%s;%nmeasuring uring4j's portable backend instead.%n%n", unavailable);
            }
        }
        Path where = benchDir();
        Path f = newTempFile();
        long bytes = 1L << 30;
        double seconds = time != null ? time : 2;
        List<BenchResult> all = new ArrayList<>();
        Map<String, List<List<BenchResult>>> byMode = new LinkedHashMap<>();
        try {
            if (!json) {
                out.printf("uring4j bench: 4 KiB random reads of a 1 GiB file in %s, 32 requests in flight on each side:%n"
                        + "%s with queue depth 32 on one thread, FileChannel with 32 threads each making one call at a time;%n"
                        + "%d alternating rounds of %.0f s per engine, medians reported (CPU s: the process's CPU time).%n%n",
                        where, ours.label(), rounds, seconds);
                out.flush();
            }
            progressNote(out, "creating the 1 GiB file");
            TestFile.ensure(f, bytes);
            List<Engine.Kind> kinds = List.of(ours, Engine.Kind.FILECHANNEL);
            for (boolean d : new boolean[] {false, true}) {
                if (!d) {
                    TestFile.warm(f, bytes);
                }
                BenchSpec base = new BenchSpec(BenchSpec.Rw.RANDREAD, 4096, 32, bytes, seconds, f, d, 1, ours, false);
                try {
                    List<List<BenchResult>> r = runRounds(base, kinds, rounds, out, true);
                    byMode.put(d ? "direct" : "cached", r);
                    r.forEach(x -> all.add(median(x)));
                } catch (Exception e) {
                    if (!d) {
                        throw e;
                    }
                    out.println("O_DIRECT runs skipped: " + e.getMessage() + " (the file system may not support O_DIRECT)");
                }
            }
            Map<String, Double> fio = vsFio ? fio(out, all) : Map.of();
            if (json) {
                writeJson(out, all, null, fio, byMode);
            } else {
                table(out, all);
                out.println();
                for (var e : byMode.entrySet()) {
                    List<BenchResult> m = e.getValue().stream().map(BenchCommand::median).toList();
                    BenchResult a = m.get(0);
                    BenchResult b = m.get(1);
                    out.printf("%s / filechannel, %s: %.2fx IOPS, %.2fx CPU per op (%.2f vs %.2f us)%n", ours.label(),
                            e.getKey(), a.iops() / b.iops(), cpuPerOp(a) / cpuPerOp(b), cpuPerOp(a) * 1e6, cpuPerOp(b) * 1e6);
                }
                fio.forEach((k, v) -> out.printf("%s / fio: %.2fx%n", k, v));
            }
        } finally {
            Files.deleteIfExists(f);
        }
        out.flush();
        return 0;
    }

    /** Runs each engine once per round, alternating, so drift of a noisy machine hits all alike. */
    private List<List<BenchResult>> runRounds(BenchSpec base, List<Engine.Kind> kinds, int n, PrintWriter out)
            throws Exception {
        return runRounds(base, kinds, n, out, false);
    }

    /** {@code sameInFlight}: FileChannel gets as many threads as the others have requests in flight. */
    private List<List<BenchResult>> runRounds(BenchSpec base, List<Engine.Kind> kinds, int n, PrintWriter out,
                                              boolean sameInFlight) throws Exception {
        List<List<BenchResult>> results = new ArrayList<>();
        kinds.forEach(k -> results.add(new ArrayList<>()));
        for (int round = 0; round < n; round++) {
            for (int i = 0; i < kinds.size(); i++) {
                BenchSpec s = base.with(kinds.get(i));
                if (sameInFlight) {
                    s = s.sameInFlight();
                }
                Progress progress = Progress.forTerminal(s, round, n);
                try {
                    results.get(i).add(BenchRunner.run(s, warmup, progress));
                } finally {
                    progress.done();
                }
            }
        }
        return results;
    }

    private int sweep(PrintWriter out, BenchSpec base, List<Engine.Kind> kinds) throws Exception {
        int[] depths;
        try {
            if (!sweep.startsWith("qd=")) {
                throw new NumberFormatException();
            }
            depths = Arrays.stream(sweep.substring(3).split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        } catch (NumberFormatException e) {
            throw Usage.bad(spec, "--sweep", sweep, "a series qd=N,N,... (e.g. qd=1,2,4,8)");
        }
        for (int depth : depths) {
            if (depth < 1) {
                throw Usage.bad(spec, "--sweep", sweep, "a series of positive queue depths");
            }
        }
        Map<Engine.Kind, List<BenchResult>> series = new LinkedHashMap<>();
        List<BenchResult> all = new ArrayList<>();
        for (int depth : depths) {
            List<List<BenchResult>> r = runRounds(base.withQd(depth), kinds, kinds.size() > 1 ? rounds : 1, out);
            for (int i = 0; i < kinds.size(); i++) {
                BenchResult m = median(r.get(i));
                series.computeIfAbsent(kinds.get(i), k -> new ArrayList<>()).add(m);
                all.add(m);
            }
        }
        if (plot != null) {
            SweepPlot.write(plot, base, series);
        }
        if (json) {
            writeJson(out, all, null, Map.of(), null);
        } else {
            table(out, all);
            if (plot != null) {
                out.println("plot: " + plot.toAbsolutePath());
            }
        }
        out.flush();
        return 0;
    }

    private Map<String, Double> fio(PrintWriter out, List<BenchResult> results) throws Exception {
        Map<String, Double> ratios = new LinkedHashMap<>();
        if (!Fio.available()) {
            out.println("fio is not installed: no fio comparison (apt-get install fio)");
            return ratios;
        }
        for (BenchResult r : results) {
            if (r.spec().rw() == BenchSpec.Rw.NOP || r.spec().engine() == Engine.Kind.ASYNCCHANNEL) {
                continue;
            }
            double fioIops = Fio.iops(r.spec());
            ratios.put(r.spec().engine().label() + (r.spec().direct() ? " direct" : " cached"), r.iops() / fioIops);
        }
        return ratios;
    }

    /** Process CPU seconds per op. */
    private static double cpuPerOp(BenchResult r) {
        return r.ops() == 0 ? 0 : r.cpuSeconds() / r.ops();
    }

    private static BenchResult median(List<BenchResult> rounds) {
        List<BenchResult> sorted = rounds.stream().sorted(Comparator.comparingDouble(BenchResult::iops)).toList();
        return sorted.get(sorted.size() / 2);
    }

    private static void table(PrintWriter out, List<BenchResult> results) {
        out.printf("%-12s %-9s %6s %4s %-7s %3s %12s %10s %9s %9s %9s %7s%n", "engine", "rw", "bs", "qd", "direct",
                "thr", "IOPS", "MiB/s", "p50", "p99", "p99.9", "CPU s");
        for (BenchResult r : results) {
            BenchSpec s = r.spec();
            out.printf(Locale.ROOT, "%-12s %-9s %6s %4d %-7s %3d %,12.0f %10.1f %9s %9s %9s %7.2f%n", s.engine().label(),
                    s.rw().fio(), human(s.bs()), s.qd(), s.direct() ? "yes" : "no", s.threads(), r.iops(),
                    r.bytesPerSecond() / (1 << 20), nanos(r.p50()), nanos(r.p99()), nanos(r.p999()), r.cpuSeconds());
        }
    }

    private static void ratios(PrintWriter out, List<BenchResult> medians) {
        if (medians.size() < 2) {
            return;
        }
        BenchResult first = medians.get(0);
        for (BenchResult other : medians.subList(1, medians.size())) {
            out.printf("%s / %s: %.2fx%n", first.spec().engine().label(), other.spec().engine().label(),
                    first.iops() / other.iops());
        }
    }

    private void writeJson(PrintWriter out, List<BenchResult> results, List<List<BenchResult>> rounds,
                           Map<String, Double> fio, Map<String, List<List<BenchResult>>> byMode) throws IOException {
        StringWriter buf = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(buf)) {
            g.useDefaultPrettyPrinter();
            if (results.size() == 1 && fio.isEmpty() && byMode == null) {
                results.get(0).writeJson(g); // one run: exactly the documented object
            } else {
                g.writeStartObject();
                g.writeArrayFieldStart("results");
                for (BenchResult r : results) {
                    r.writeJson(g);
                }
                g.writeEndArray();
                if (byMode != null) {
                    g.writeObjectFieldStart("ratios");
                    for (var e : byMode.entrySet()) {
                        g.writeNumberField("uring/filechannel " + e.getKey(),
                                median(e.getValue().get(0)).iops() / median(e.getValue().get(1)).iops());
                    }
                    g.writeEndObject();
                }
                if (!fio.isEmpty()) {
                    g.writeObjectFieldStart("vs_fio");
                    for (var e : fio.entrySet()) {
                        g.writeNumberField(e.getKey(), e.getValue());
                    }
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
        }
        out.println(buf);
    }

    private void progressNote(PrintWriter out, String what) {
        if (!json && Progress.terminal()) {
            out.print(what + " ...\r");
            out.flush();
        }
    }

    private BenchSpec.Rw parseRw(String s) {
        try {
            return BenchSpec.Rw.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Usage.bad(spec, "--rw", s, "read, write, randread, randwrite, randrw or nop");
        }
    }

    /** {@code s} as a size, or a usage error naming {@code option}. */
    private long parseSize(String option, String s) {
        try {
            return parseSize(s);
        } catch (IllegalArgumentException e) {
            throw Usage.bad(spec, option, s, "a positive size (4096, 4k, 64m, 1g)");
        }
    }

    /** "4k" -> 4096, "1g" -> 2^30; plain digits are bytes. */
    static long parseSize(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long mult = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g' || last == 't') {
            mult = switch (last) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> 1L << 30;
                default -> 1L << 40;
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t);
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(v, mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a size: '" + s + "' (use 4096, 4k, 64m, 1g)");
        }
    }

    static String human(long bytes) {
        if (bytes % (1 << 20) == 0) {
            return (bytes >> 20) + "m";
        }
        if (bytes % 1024 == 0) {
            return (bytes >> 10) + "k";
        }
        return Long.toString(bytes);
    }

    static String nanos(long ns) {
        if (ns < 10_000) {
            return ns + "ns";
        }
        if (ns < 10_000_000) {
            return (ns / 1000) + "us";
        }
        return (ns / 1_000_000) + "ms";
    }
}
