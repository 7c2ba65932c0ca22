package org.uring4j.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import org.uring4j.fs.AsyncFile;
import org.uring4j.fs.UringFiles;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code uring4j path-bench}: the path calls a Java program makes on many small files — read a
 * whole file, stat a path, open + size + close — through uring4j and through the JDK, from N
 * virtual threads, side by side in alternating rounds.
 */
@Command(name = "path-bench",
        description = {"Whole-file reads, stats and open+size+close of many small files through uring4j and the JDK",
            "(Files.readAllBytes, Files.readAttributes, FileChannel.open+size+close), from N virtual threads",
            "each making one blocking call after another, in alternating rounds; prints medians and ratios."},
        sortOptions = false)
public final class PathBenchCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--files", description = "How many files. Default: 10000.")
    private int count = 10_000;

    @Option(names = "--size", description = "Bytes per file (4k, 64k...). Default: 4k.")
    private String size = "4k";

    @Option(names = "--vthreads", description = "Virtual threads. Default: 16.")
    private int vthreads = 16;

    @Option(names = "--ops", split = ",", description = "readall, stat, open-size-close. Default: all three.")
    private List<String> ops = List.of("readall", "stat", "open-size-close");

    @Option(names = "--time", description = "Seconds per round. Default: 2.")
    private double time = 2;

    @Option(names = "--rounds", description = "Alternating rounds; medians are reported. Default: 3.")
    private int rounds = 3;

    @Option(names = "--dir", description = "Where to create the files (a fresh directory inside it). Default: the temp directory.")
    private Path dir;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    private boolean json;

    private interface PathCall {
        long call(Path p) throws IOException;
    }

    record Result(String op, String engine, long calls, double seconds, long cpuNanos) {
        double rate() {
            return calls / seconds;
        }

        double cpuNanosPerCall() {
            return calls == 0 ? 0 : (double) cpuNanos / calls;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int bytes = (int) BenchCommand.parseSize(size);
        if (count < 1 || vthreads < 1 || rounds < 1 || time <= 0 || bytes < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--files, --vthreads, --rounds and --time must be positive (got " + count + ", " + vthreads + ", "
                            + rounds + ", " + time + ")");
        }
        for (String op : ops) {
            if (!List.of("readall", "stat", "open-size-close").contains(op.toLowerCase(Locale.ROOT))) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--ops " + op + ": readall, stat or open-size-close");
            }
        }
        Path root = Files.createTempDirectory(dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir")), "uring4j-paths");
        try (UringFiles files = UringFiles.open()) {
            Path[] paths = new Path[count];
            byte[] content = new byte[bytes];
            new SplittableRandom(1).nextBytes(content);
            for (int i = 0; i < count; i++) {
                paths[i] = root.resolve("f" + i);
                Files.write(paths[i], content);
            }
            List<Result> medians = new ArrayList<>();
            for (String op : ops) {
                PathCall jdk = switch (op) {
                    case "readall" -> p -> Files.readAllBytes(p).length;
                    case "stat" -> p -> Files.readAttributes(p, BasicFileAttributes.class).size();
                    default -> p -> {
                        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                            return ch.size();
                        }
                    };
                };
                PathCall ours = switch (op) {
                    case "readall" -> p -> files.readAllBytes(p).length;
                    case "stat" -> p -> files.stat(p).size();
                    default -> p -> {
                        try (AsyncFile f = files.open(p)) {
                            return f.size();
                        }
                    };
                };
                List<Result> u = new ArrayList<>();
                List<Result> j = new ArrayList<>();
                run(op, "jdk", jdk, paths, 0.5); // warm-up, both
                run(op, "uring4j", ours, paths, 0.5);
                for (int r = 0; r < rounds; r++) {
                    if (r % 2 == 0) {
                        u.add(run(op, "uring4j", ours, paths, time));
                        j.add(run(op, "jdk", jdk, paths, time));
                    } else {
                        j.add(run(op, "jdk", jdk, paths, time));
                        u.add(run(op, "uring4j", ours, paths, time));
                    }
                }
                medians.add(median(u));
                medians.add(median(j));
            }
            report(out, medians, bytes);
        } finally {
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(root);
        }
        return 0;
    }

    private static Result median(List<Result> rs) {
        List<Result> sorted = new ArrayList<>(rs);
        sorted.sort(Comparator.comparingDouble(Result::rate));
        return sorted.get(sorted.size() / 2);
    }

    private Result run(String op, String engine, PathCall call, Path[] paths, double seconds) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] calls = new long[vthreads];
        Throwable[] failure = new Throwable[1];
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        Thread[] ts = new Thread[vthreads];
        for (int i = 0; i < vthreads; i++) {
            int id = i;
            ts[i] = Thread.ofVirtual().start(() -> {
                SplittableRandom random = new SplittableRandom(id);
                long n = 0;
                try {
                    do { // at least one batch of 64, however late the thread started on a busy machine
                        call.call(paths[random.nextInt(paths.length)]);
                        n++;
                    } while ((n & 63) != 0 || System.nanoTime() < end);
                } catch (Throwable t) {
                    failure[0] = t;
                }
                calls[id] = n;
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        long t1 = System.nanoTime();
        long cpu1 = os.getProcessCpuTime();
        if (failure[0] != null) {
            throw new IOException(op + " (" + engine + "): " + failure[0], failure[0]);
        }
        long total = 0;
        for (long c : calls) {
            total += c;
        }
        return new Result(op, engine, total, (t1 - t0) / 1e9, cpu1 - cpu0);
    }

    private void report(PrintWriter out, List<Result> medians, int bytes) throws IOException {
        if (json) {
            JsonGenerator g = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeArrayFieldStart("results");
            for (Result r : medians) {
                g.writeStartObject();
                g.writeStringField("op", r.op);
                g.writeStringField("engine", r.engine);
                g.writeNumberField("vthreads", vthreads);
                g.writeNumberField("files", count);
                g.writeNumberField("file_bytes", bytes);
                g.writeNumberField("calls_per_s", Math.round(r.rate()));
                g.writeNumberField("cpu_ns_per_call", Math.round(r.cpuNanosPerCall()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.flush();
            out.println();
        } else {
            out.printf("%d files of %d B, %d virtual threads each making one blocking call after another; medians of %d alternating rounds%n",
                    count, bytes, vthreads, rounds);
            out.printf("%-16s %-8s %12s %10s %8s%n", "op", "engine", "calls/s", "CPU/call", "ratio");
            for (int i = 0; i < medians.size(); i += 2) {
                Result u = medians.get(i);
                Result j = medians.get(i + 1);
                out.printf("%-16s %-8s %12.0f %8.2fus %7.2fx%n", u.op, u.engine, u.rate(), u.cpuNanosPerCall() / 1000, u.rate() / j.rate());
                out.printf("%-16s %-8s %12.0f %8.2fus %8s%n", j.op, j.engine, j.rate(), j.cpuNanosPerCall() / 1000, "");
            }
            out.println("uring4j: UringFiles.readAllBytes / stat / open+AsyncFile.size+close; jdk: Files.readAllBytes / "
                    + "Files.readAttributes / FileChannel.open+size+close");
        }
        out.flush();
    }
}
