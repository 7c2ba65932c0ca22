package org.uring4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** bench, walk and cp do the work they report (no timing is asserted: numbers live in docs/). */
class BenchCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void nopBenchPrintsTheDocumentedJsonObject() throws Exception {
        Cli.Result r = Cli.run("bench", "--rw", "nop", "--qd", "8", "--time", "0.2", "--warmup", "0", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = JSON.readTree(r.out());
        for (String k : List.of("engine", "rw", "bs", "qd", "direct", "threads", "seconds", "ops", "iops", "bw_bytes_per_s",
                "lat_ns")) {
            assertTrue(j.has(k), k + " in " + r.out());
        }
        assertEquals("uring", j.get("engine").asText());
        assertEquals("nop", j.get("rw").asText());
        assertEquals(8, j.get("qd").asInt());
        assertTrue(j.get("ops").asLong() > 0);
        assertTrue(j.get("lat_ns").has("p50") && j.get("lat_ns").has("p99") && j.get("lat_ns").has("p999"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"uring", "uring-fixed", "filechannel", "asyncchannel", "files", "portable"})
    void everyEngineRunsReadsAndWrites(String engine, @TempDir Path dir) throws Exception {
        Path f = dir.resolve("data");
        for (String rw : List.of("randread", "randwrite", "read", "randrw")) {
            Cli.Result r = Cli.run("bench", "--engine", engine, "--rw", rw, "--size", "1m", "--bs", "4k", "--qd", "4",
                    "--time", "0.1", "--warmup", "0", "--file", f.toString(), "--json");
            assertEquals(0, r.exitCode(), rw + ": " + r.err() + r.out());
            JsonNode j = JSON.readTree(r.out());
            assertEquals(engine, j.get("engine").asText());
            assertEquals(rw, j.get("rw").asText());
            assertTrue(j.get("ops").asLong() > 0, r.out());
        }
        assertEquals(1 << 20, Files.size(f), "an existing file is used as it is");
    }

    @Test
    void directIoRunsOnTheFileApiEngines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("data");
        for (String engine : List.of("files", "portable")) {
            Cli.Result r = Cli.run("bench", "--engine", engine, "--rw", "randread", "--size", "1m", "--qd", "8", "--direct",
                    "--time", "0.1", "--warmup", "0", "--file", f.toString(), "--json");
            assumeFalse(r.err().contains("EINVAL") || r.err().contains("Invalid argument"),
                    "the temp dir's file system has no O_DIRECT: " + r.err());
            assertEquals(0, r.exitCode(), engine + ": " + r.err() + r.out());
            assertTrue(JSON.readTree(r.out()).get("direct").asBoolean());
        }
    }

    @Test
    void theDefaultJobMeasuresThePortableBackendWhereIoUringIsNotUsed(@TempDir Path dir) throws Exception {
        String old = System.getProperty("org.uring4j.backend");
        System.setProperty("org.uring4j.backend", "portable");
        try {
            Cli.Result r = Cli.run("bench", "--dir", dir.toString(), "--time", "0.1", "--rounds", "1", "--warmup", "0");
            assertEquals(0, r.exitCode(), r.err() + r.out());
            assertTrue(r.out().contains("portable backend"), r.out());
            assertTrue(r.out().contains("portable / filechannel, cached"), r.out());
        } finally {
            if (old == null) {
                System.clearProperty("org.uring4j.backend");
            } else {
                System.setProperty("org.uring4j.backend", old);
            }
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count(), "the 1 GiB file is removed");
        }
    }

    @Test
    void spawnBenchLaunchesWithBothEngines() throws Exception {
        Cli.Result r = Cli.run("spawn-bench", "--count", "20", "--rounds", "1", "--concurrency", "4", "--output", "--json",
                "echo", "hi");
        assertEquals(0, r.exitCode(), r.err() + r.out());
        JsonNode j = JSON.readTree(r.out());
        assertEquals("echo hi", j.get("command").asText());
        assertTrue(j.get("uring4j_per_s").asDouble() > 0 && j.get("processbuilder_per_s").asDouble() > 0, r.out());
    }

    @Test
    void sweepDrawsAPlot(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("qd.png");
        Cli.Result r = Cli.run("bench", "--engine", "uring,filechannel", "--rounds", "1", "--size", "1m", "--time", "0.1",
                "--warmup", "0", "--file", dir.resolve("f").toString(), "--sweep", "qd=1,4", "--plot", png.toString());
        assertEquals(0, r.exitCode(), r.err() + r.out());
        assertTrue(Files.size(png) > 1000, "a PNG was written");
        byte[] magic = new byte[4];
        System.arraycopy(Files.readAllBytes(png), 0, magic, 0, 4);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, magic);
    }

    /** A small tree: nested dirs, files of several sizes, an empty file and dir, a symlink. */
    private static Path tree(Path root) throws Exception {
        Path src = root.resolve("src");
        Files.createDirectories(src.resolve("a/b/c"));
        Files.createDirectories(src.resolve("empty"));
        Files.write(src.resolve("one.txt"), "one".getBytes());
        Files.write(src.resolve("a/zero"), new byte[0]);
        byte[] big = new byte[700_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        Files.write(src.resolve("a/b/big.bin"), big);
        for (int i = 0; i < 100; i++) {
            Files.write(src.resolve("a/b/c/f" + i), ("file " + i).repeat(i).getBytes());
        }
        Files.setPosixFilePermissions(src.resolve("one.txt"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(src.resolve("one.txt"), FileTime.fromMillis(1_000_000_000_000L));
        Files.createSymbolicLink(src.resolve("link"), Path.of("one.txt"));
        return src;
    }

    @ParameterizedTest
    @ValueSource(strings = {"uring", "syscall", "jdk"})
    void walkCountsWhatFindCounts(String engine, @TempDir Path dir) throws Exception {
        Path src = tree(dir);
        long dirs;
        long files;
        long bytes;
        try (Stream<Path> s = Files.walk(src)) {
            List<Path> all = s.toList();
            dirs = all.stream().filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).count();
            files = all.stream().filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).count();
            bytes = all.stream().filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
        Cli.Result r = Cli.run("walk", src.toString(), "--engine", engine, "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(engine, j.get("engine").asText());
        assertEquals(dirs, j.get("dirs").asLong());
        assertEquals(files, j.get("files").asLong());
        assertEquals(bytes, j.get("bytes").asLong());
    }

    @Test
    void cpCopiesContentModesTimesAndLinks(@TempDir Path dir) throws Exception {
        Path src = tree(dir);
        Path dst = dir.resolve("dst");
        Cli.Result r = Cli.run("cp", src.toString(), dst.toString(), "--in-flight", "8", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(103, j.get("files").asLong());
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.toList()) {
                Path q = dst.resolve(src.relativize(p).toString());
                assertTrue(Files.exists(q, LinkOption.NOFOLLOW_LINKS), q.toString());
                if (Files.isSymbolicLink(p)) {
                    assertEquals(Files.readSymbolicLink(p), Files.readSymbolicLink(q));
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(q), q.toString());
                    assertEquals(Files.getPosixFilePermissions(p), Files.getPosixFilePermissions(q), q.toString());
                    assertEquals(Files.getLastModifiedTime(p), Files.getLastModifiedTime(q), q.toString());
                }
            }
        }
        assertEquals(Set.copyOf(PosixFilePermissions.fromString("rwxr-x---")),
                Files.getPosixFilePermissions(dst.resolve("one.txt")));
        Cli.Result again = Cli.run("cp", src.toString(), dst.toString());
        assertEquals(1, again.exitCode(), "an existing target is refused");
        assertFalse(again.err().isEmpty());
    }

    @Test
    void cpCopiesLargeFilesInTheKernelWithTheirModesAndTimes(@TempDir Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        byte[] big = new byte[9 << 20]; // above the 8 MiB from which cp uses copy_file_range
        new java.util.Random(7).nextBytes(big);
        Path large = Files.write(src.resolve("large.bin"), big);
        Files.write(src.resolve("small.txt"), "small".getBytes());
        Files.setPosixFilePermissions(large, PosixFilePermissions.fromString("r--r-----"));
        Files.setLastModifiedTime(large, FileTime.fromMillis(1_100_000_000_000L));
        Path dst = dir.resolve("dst");
        Cli.Result r = Cli.run("cp", src.toString(), dst.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(2, j.get("files").asLong());
        assertEquals(big.length + 5L, j.get("bytes").asLong());
        assertArrayEquals(big, Files.readAllBytes(dst.resolve("large.bin")));
        assertEquals(Files.getPosixFilePermissions(large), Files.getPosixFilePermissions(dst.resolve("large.bin")));
        assertEquals(Files.getLastModifiedTime(large), Files.getLastModifiedTime(dst.resolve("large.bin")));
        assertEquals("small", Files.readString(dst.resolve("small.txt")));
    }

    @Test
    void blockingCallsFromVirtualAndPlatformThreadsGiveTheIssuesJsonShape(@TempDir Path dir) throws Exception {
        for (String threads : List.of("--vthreads", "--pthreads")) {
            for (String rw : List.of("randread", "randwrite")) {
                Cli.Result r = Cli.run("bench", threads, "1,3", "--engine", "files,nio,filechannel,asyncchannel", "--rw", rw,
                        "--size", "1m", "--time", "0.1", "--warmup", "0", "--rounds", "1", "--dir", dir.toString(), "--json");
                assertEquals(0, r.exitCode(), r.err());
                JsonNode results = JSON.readTree(r.out()).get("results");
                assertEquals(8, results.size(), r.out());
                for (JsonNode j : results) {
                    for (String k : List.of("engine", "rw", "bs", "direct", "iops", "cpu_ns_per_op", "lat_ns")) {
                        assertTrue(j.has(k), k + " in " + j);
                    }
                    assertTrue(j.has(threads.equals("--vthreads") ? "vthreads" : "threads"), j.toString());
                    assertEquals(rw, j.get("rw").asText());
                    assertTrue(j.get("iops").asLong() > 0, j.toString());
                }
            }
        }
        try (var left = java.nio.file.Files.list(dir)) {
            assertEquals(0, left.count(), "the bench file is removed");
        }
    }

    @Test
    void blockingBenchRefusesWhatItCannotMeasure() {
        assertEquals(2, Cli.run("bench", "--vthreads", "0").exitCode());
        assertEquals(2, Cli.run("bench", "--vthreads", "2", "--engine", "uring").exitCode());
        assertEquals(2, Cli.run("bench", "--pthreads", "2", "--rw", "nop").exitCode());
    }

    @Test
    void pathBenchComparesTheThreePathCalls(@TempDir Path dir) throws Exception {
        Cli.Result r = Cli.run("path-bench", "--files", "50", "--vthreads", "2", "--time", "0.1", "--rounds", "1",
                "--dir", dir.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode results = JSON.readTree(r.out()).get("results");
        assertEquals(6, results.size(), r.out());
        for (JsonNode j : results) {
            assertTrue(j.get("calls_per_s").asLong() > 0, j.toString());
        }
        try (var left = java.nio.file.Files.list(dir)) {
            assertEquals(0, left.count(), "path-bench removes its files");
        }
        assertEquals(2, Cli.run("path-bench", "--ops", "frob").exitCode());
    }
}
