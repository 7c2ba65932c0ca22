package org.uring4j.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import org.uring4j.Errno;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code uring4j cp SRC DST}: a recursive copy, preserving modes and times, with many files in flight. */
@Command(name = "cp", sortOptions = false,
        description = {"Copy the directory SRC to DST (which must not exist), preserving modes and times,",
            "with many files in flight: each file is one linked chain of open, open, read, write, close, close",
            "through registered files and buffers. Symbolic links, FIFOs, sockets and device files are made",
            "anew, as cp -r makes them. What cannot be read is reported with its path on stderr, the rest is",
            "copied, and the command exits 1."})
public final class CopyCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", description = "The directory to copy.")
    private Path source;

    @Parameters(index = "1", description = "The new directory.")
    private Path target;

    @Option(names = "--in-flight", description = "Files in flight at once. Default: 64.")
    private int inFlight = 64;

    @Option(names = "--engine", description = "uring (default), or jdk: a Files.walkFileTree + Files.copy(COPY_ATTRIBUTES) walk, for comparison.")
    private String engine = "uring";

    @Option(names = "--json", description = "Print JSON: files, bytes, seconds.")
    private boolean json;

    /** How many paths could not be copied. */
    private int problems;

    @Override
    public Integer call() throws Exception {
        if (inFlight < 1 || inFlight > 1024) {
            throw Usage.bad(spec, "--in-flight", inFlight, "a number of files from 1 to 1024");
        }
        if (!engine.equals("jdk") && !engine.equals("uring")) {
            throw Usage.bad(spec, "--engine", engine, "uring or jdk");
        }
        checkPaths(source, target);
        long t0 = System.nanoTime();
        long files;
        long bytes;
        if (engine.equals("jdk")) {
            long[] n = jdkCopy(source, target, this::problem);
            files = n[0];
            bytes = n[1];
        } else {
            try (TreeCopier copier = new TreeCopier(inFlight, this::problem)) {
                copier.copyTree(source, target);
                files = copier.files();
                bytes = copier.bytes();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            StringWriter buf = new StringWriter();
            try (JsonGenerator g = new JsonFactory().createGenerator(buf)) {
                g.writeStartObject();
                g.writeStringField("engine", engine);
                g.writeNumberField("files", files);
                g.writeNumberField("bytes", bytes);
                g.writeNumberField("seconds", seconds);
                g.writeEndObject();
            }
            out.println(buf);
        } else {
            out.printf(Locale.ROOT, "%s: copied %,d files, %,d bytes in %.3f s%n", engine, files, bytes, seconds);
        }
        out.flush();
        return problems == 0 ? 0 : 1;
    }

    /**
     * Refuses what cp -r refuses before anything is written: a source that is no directory, a
     * target that exists (this cp makes a new tree), and a target inside the source, which would
     * copy the copy again and again (cp: cannot copy a directory into itself).
     */
    static void checkPaths(Path source, Path target) throws IOException {
        FsFailure.requireDirectory(source, LinkOption.NOFOLLOW_LINKS);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw FsFailure.of("mkdir", target, Errno.EEXIST);
        }
        Path from = source.toRealPath();
        Path to = target.toAbsolutePath().normalize();
        Path parent = to.getParent();
        if (parent != null && Files.isDirectory(parent)) {
            to = parent.toRealPath().resolve(to.getFileName());
        }
        if (to.startsWith(from)) {
            throw new IOException("cannot copy a directory, " + source + ", into itself, " + target);
        }
    }

    /** Reports what could not be copied on stderr as it fails, as cp does; the command exits 1 at the end. */
    private void problem(Path path, IOException e) {
        problems++;
        PrintWriter err = spec.commandLine().getErr();
        err.println("uring4j: cp: " + FsFailure.message(e));
        err.flush();
    }

    /**
     * The JDK's way: walk the tree, Files.copy each file with COPY_ATTRIBUTES, links as links (and
     * FIFOs, sockets and devices made anew), directory times last. What fails goes to {@code problems}.
     */
    static long[] jdkCopy(Path source, Path target, TreeCopier.Problems problems) throws java.io.IOException {
        long[] n = new long[2];
        java.util.List<Path[]> dirs = new java.util.ArrayList<>();
        java.nio.file.Files.walkFileTree(source, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a)
                    throws java.io.IOException {
                Path t = target.resolve(source.relativize(d).toString());
                Files.copy(d, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                dirs.add(new Path[] {d, t});
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) {
                try {
                    Path t = target.resolve(source.relativize(f).toString());
                    if (a.isOther()) {
                        SpecialFile.copy(f, t); // Files.copy would wait on a FIFO for a writer
                    } else {
                        Files.copy(f, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    }
                    if (a.isRegularFile()) {
                        n[0]++;
                        n[1] += a.size();
                    }
                } catch (IOException e) {
                    problems.report(f, FsFailure.of("copy", f, e));
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path f, IOException e) {
                problems.report(f, FsFailure.of("open", f, e));
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        for (int i = dirs.size() - 1; i >= 0; i--) {
            Files.setLastModifiedTime(dirs.get(i)[1], Files.getLastModifiedTime(dirs.get(i)[0], LinkOption.NOFOLLOW_LINKS));
        }
        return n;
    }
}
