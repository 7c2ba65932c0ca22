package org.uring4j.cli.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code uring4j cp SRC DST}: a recursive copy, preserving modes and times, with many files in flight. */
@Command(name = "cp", sortOptions = false,
        description = {"Copy the directory SRC to DST (which must not exist), preserving modes and times,",
            "with many files in flight: each file is one linked chain of open, open, read, write, close, close",
            "through registered files and buffers."})
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

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(source + " is not a directory");
        }
        if (inFlight < 1 || inFlight > 1024) {
            throw new IllegalArgumentException("--in-flight must be 1..1024: " + inFlight);
        }
        long t0 = System.nanoTime();
        long files;
        long bytes;
        if (engine.equals("jdk")) {
            long[] n = jdkCopy(source, target);
            files = n[0];
            bytes = n[1];
        } else if (engine.equals("uring")) {
            try (TreeCopier copier = new TreeCopier(inFlight)) {
                copier.copyTree(source, target);
                files = copier.files();
                bytes = copier.bytes();
            }
        } else {
            throw new IllegalArgumentException("unknown engine '" + engine + "' (uring, jdk)");
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
        return 0;
    }

    /** The JDK's way: walk the tree, Files.copy each file with COPY_ATTRIBUTES, links as links, directory times last. */
    static long[] jdkCopy(Path source, Path target) throws java.io.IOException {
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
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a)
                    throws java.io.IOException {
                Files.copy(f, target.resolve(source.relativize(f).toString()),
                        java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                if (a.isRegularFile()) {
                    n[0]++;
                    n[1] += a.size();
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        for (int i = dirs.size() - 1; i >= 0; i--) {
            Files.setLastModifiedTime(dirs.get(i)[1], Files.getLastModifiedTime(dirs.get(i)[0], LinkOption.NOFOLLOW_LINKS));
        }
        return n;
    }
}
