package org.uring4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import picocli.CommandLine;

/**
 * The workload bin/uring4j trains the JDK's ahead-of-time cache with after each build
 * ({@code java -XX:AOTCacheOutput=... org.uring4j.cli.AotTraining}, JDK 25+): the commands people
 * run, each briefly, on a small tree of its own, so that the classes they load and link (picocli,
 * the commands, the ring, the JSON writer, the locale data of the tables) come from the cache
 * at every later start instead of being loaded, verified and linked again.
 */
final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("uring4j-aot-training-");
        try {
            Path tree = dir.resolve("tree");
            for (int d = 0; d < 4; d++) {
                Path sub = Files.createDirectories(tree.resolve("d" + d).resolve("e"));
                for (int f = 0; f < 25; f++) {
                    Files.writeString(sub.resolve("f" + f), "file " + f);
                }
            }
            String t = tree.toString();
            String data = dir.resolve("data").toString();
            List<List<String>> runs = List.of(List.of("--help"), List.of("--version"), List.of("probe"),
                    List.of("probe", "--json"), List.of("walk", t), List.of("walk", t, "--json"),
                    List.of("walk", t, "--compare", "--rounds", "1"), List.of("cp", t, dir.resolve("copy").toString()),
                    List.of("cp", t, dir.resolve("copy2").toString(), "--json"), List.of("cp", t, t + "/inner"),
                    List.of("bench", "--bs", "0"),
                    List.of("bench", "--engine", "uring,filechannel", "--rw", "randread", "--size", "1m", "--time", "0.2",
                            "--warmup", "0", "--rounds", "1", "--file", data),
                    List.of("bench", "--rw", "nop", "--time", "0.2", "--warmup", "0", "--json"),
                    List.of("spawn-bench", "--count", "20", "--rounds", "1"));
            for (List<String> run : runs) {
                CommandLine cmd = Main.commandLine(Style.PLAIN);
                cmd.setOut(new PrintWriter(Writer.nullWriter()));
                cmd.setErr(new PrintWriter(Writer.nullWriter()));
                cmd.execute(run.toArray(String[]::new));
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
