package org.uring4j.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import org.uring4j.fs.TreeCounter;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code uring4j walk DIR}: counts directories, regular files and their bytes under DIR (as
 * {@code find} would), listing with getdents64 and statting through the ring; {@code --engine jdk}
 * does the same with {@code Files.walkFileTree}; {@code --compare} runs them side by side.
 */
@Command(name = "walk", sortOptions = false,
        description = {"Count directories, files and bytes under DIR like du -sb / find, stat-heavy (seed 000).",
            "Engines: syscall (getdents64 + statx(2) inline, the fastest on a warm cache: the default),",
            "uring (STATX through the ring, many in flight; on Linux 6.18 every STATX runs on an io-wq",
            "worker), jdk (Files.walkFileTree). --compare runs all three in alternating rounds.",
            "What cannot be read is reported with its path on stderr, the walk goes on (as find does), and",
            "the command exits 1."})
public final class WalkCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", description = "The directory to walk.")
    private Path dir;

    @Option(names = "--engine", description = "syscall, uring or jdk. Default: syscall (see docs/benchmarks.md).")
    private String engine = "syscall";

    @Option(names = "--threads", description = "Threads to spread directories over. Default: the number of processors.")
    private int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--qd", description = "uring: STATX requests in flight per thread. Default: 64.")
    private int qd = 64;

    @Option(names = "--compare", description = "Run uring, syscall and jdk in alternating rounds; print medians and ratios.")
    private boolean compare;

    @Option(names = "--rounds", description = "Rounds with --compare. Default: 5.")
    private int rounds = 5;

    @Option(names = "--json", description = "Print JSON.")
    private boolean json;

    /** The paths reported unreadable so far. */
    private final java.util.Set<String> unreadable = new java.util.LinkedHashSet<>();

    /** One walk's outcome. */
    record Walk(String engine, long dirs, long files, long bytes, double seconds) {
        void writeJson(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("engine", engine);
            g.writeNumberField("dirs", dirs);
            g.writeNumberField("files", files);
            g.writeNumberField("bytes", bytes);
            g.writeNumberField("seconds", seconds);
            g.writeEndObject();
        }
    }

    @Override
    public Integer call() throws Exception {
        List<String> engines = compare ? List.of("uring", "syscall", "jdk") : List.of(engine.toLowerCase(Locale.ROOT));
        for (String e : engines) {
            if (!List.of("uring", "syscall", "jdk").contains(e)) {
                throw Usage.bad(spec, "--engine", engine, "uring, syscall or jdk");
            }
        }
        Usage.atLeast(spec, "--threads", threads, 1);
        if (qd < 1 || qd > 4096) {
            throw Usage.bad(spec, "--qd", qd, "a queue depth of 1 to 4096");
        }
        Usage.atLeast(spec, "--rounds", rounds, 1);
        FsFailure.requireDirectory(dir);
        PrintWriter out = spec.commandLine().getOut();
        int n = compare ? rounds : 1;
        List<List<Walk>> runs = new ArrayList<>();
        engines.forEach(e -> runs.add(new ArrayList<>()));
        if (compare) {
            for (String e : engines) {
                walk(e); // warm the dentry/inode caches and the JIT once per engine, unmeasured
            }
        }
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < engines.size(); i++) {
                runs.get(i).add(walk(engines.get(i)));
            }
        }
        List<Walk> medians = runs.stream()
                .map(l -> l.stream().sorted(Comparator.comparingDouble(Walk::seconds)).toList().get(l.size() / 2)).toList();
        if (json) {
            StringWriter buf = new StringWriter();
            try (JsonGenerator g = new JsonFactory().createGenerator(buf)) {
                g.useDefaultPrettyPrinter();
                if (medians.size() == 1) {
                    medians.get(0).writeJson(g);
                } else {
                    g.writeStartObject();
                    g.writeArrayFieldStart("results");
                    for (Walk w : medians) {
                        w.writeJson(g);
                    }
                    g.writeEndArray();
                    g.writeObjectFieldStart("speedup_vs_jdk");
                    Walk jdk = medians.get(medians.size() - 1);
                    for (Walk w : medians.subList(0, medians.size() - 1)) {
                        g.writeNumberField(w.engine(), jdk.seconds() / w.seconds());
                    }
                    g.writeEndObject();
                    g.writeEndObject();
                }
            }
            out.println(buf);
        } else {
            out.printf("%-8s %10s %12s %16s %10s%n", "engine", "dirs", "files", "bytes", "seconds");
            for (Walk w : medians) {
                out.printf(Locale.ROOT, "%-8s %,10d %,12d %,16d %10.3f%n", w.engine(), w.dirs(), w.files(), w.bytes(),
                        w.seconds());
            }
            if (medians.size() > 1) {
                Walk jdk = medians.get(medians.size() - 1);
                for (Walk w : medians.subList(0, medians.size() - 1)) {
                    out.printf(Locale.ROOT, "%s is %.2fx the speed of jdk (median of %d rounds)%n", w.engine(),
                            jdk.seconds() / w.seconds(), n);
                }
            }
        }
        out.flush();
        return unreadable.isEmpty() ? 0 : 1;
    }

    /**
     * Reports a path that could not be read on stderr as find does, once per path however many
     * engines and rounds meet it, and goes on; the command exits 1 at the end.
     */
    private void unreadable(String path, IOException e) {
        synchronized (unreadable) {
            if (unreadable.add(path)) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("uring4j: walk: " + FsFailure.message(e));
                err.flush();
            }
        }
    }

    private Walk walk(String e) throws IOException {
        long t0 = System.nanoTime();
        TreeCounter.Unreadable report = u -> unreadable(u.path(), u);
        TreeCounter.Counts c = switch (e) {
            case "uring" -> TreeCounter.count(dir, TreeCounter.Strategy.RING, threads, qd, report);
            case "syscall" -> TreeCounter.count(dir, TreeCounter.Strategy.SYSCALL, threads, qd, report);
            default -> jdk(dir, this::unreadable);
        };
        return new Walk(e, c.dirs(), c.files(), c.bytes(), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Files.walkFileTree, not following links: the JDK's own way to do this. What cannot be read
     * goes to {@code unreadable} (path, failure) and the walk goes on; a directory that cannot be
     * opened still counts as one, as find counts it.
     */
    static TreeCounter.Counts jdk(Path root, java.util.function.BiConsumer<String, IOException> unreadable)
            throws IOException {
        long[] n = new long[3];
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                n[0]++;
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    n[1]++;
                    n[2] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException ex) {
                if (Files.isDirectory(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    n[0]++;
                }
                unreadable.accept(f.toString(), FsFailure.of("opendir", f, ex));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException ex) {
                if (ex != null) {
                    unreadable.accept(d.toString(), FsFailure.of("readdir", d, ex));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return new TreeCounter.Counts(n[0], n[1], n[2]);
    }
}
