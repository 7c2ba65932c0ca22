package org.uring4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command's contract for bad input and failures: usage errors exit 2 naming the flag and the
 * value; a failure says what was done, to which path, and the errno; walk and cp report what they
 * cannot read and go on, as find and cp -r do, and exit 1.
 */
class CommandErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bench --bs 0 --time 0.1|--bs|0",
        "bench --qd 0|--qd|0",
        "bench --size -1|--size|-1",
        "bench --bs abc|--bs|abc",
        "bench --rw frob|--rw|frob",
        "bench --engine frob|--engine|frob",
        "bench --time 0.0|--time|0.0",
        "bench --threads 0|--threads|0",
        "bench --sweep qd=0,x|--sweep|qd=0,x",
        "bench --rw nop --engine filechannel|--engine|filechannel",
        "bench --direct --bs 1000|--bs|1000",
        "spawn-bench --count 0|--count|0",
        "spawn-bench --concurrency 0|--concurrency|0",
        "walk . --engine frob|--engine|frob",
        "walk . --qd 0|--qd|0",
        "cp a b --in-flight 0|--in-flight|0",
        "cp a b --engine frob|--engine|frob"})
    void aBadValueIsAUsageErrorNamingTheFlagAndValue(String line, String flag, String value) {
        Cli.Result r = Cli.run(line.split(" "));
        assertEquals(2, r.exitCode(), r.err() + r.out());
        assertTrue(r.err().contains("'" + flag + "'") && r.err().contains("'" + value + "'"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void anExistingBenchFileIsUsedAsItIs(@TempDir Path dir) throws Exception {
        Path f = Files.write(dir.resolve("small"), new byte[64 * 1024]);
        Cli.Result r = Cli.run("bench", "--engine", "filechannel", "--rw", "randread", "--file", f.toString(), "--time", "0.1",
                "--warmup", "0", "--json");
        assertEquals(0, r.exitCode(), r.err() + r.out());
        assertTrue(JSON.readTree(r.out()).get("ops").asLong() > 0, r.out());
        assertEquals(64 * 1024, Files.size(f));
        Cli.Result tooBig = Cli.run("bench", "--engine", "filechannel", "--file", f.toString(), "--size", "1m");
        assertEquals(2, tooBig.exitCode(), tooBig.err());
        assertTrue(tooBig.err().contains("'--size'") && tooBig.err().contains(f.toString()), tooBig.err());
    }

    @Test
    void aBenchWithoutAFileWritesIntoDirAndRemovesIt(@TempDir Path dir) throws Exception {
        Cli.Result r = Cli.run("bench", "--engine", "filechannel", "--rw", "randwrite", "--size", "1m", "--time", "0.1",
                "--warmup", "0", "--dir", dir.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err() + r.out());
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "the bench file is removed");
        }
    }

    @Test
    void failuresNameTheOpTheErrnoAndThePath(@TempDir Path dir) throws Exception {
        Cli.Result bench = Cli.run("bench", "--file", "/nonexistent/dir/f", "--time", "0.1");
        assertEquals(1, bench.exitCode(), bench.err());
        assertTrue(bench.err().contains("create /nonexistent/dir/f: ENOENT (No such file or directory)"), bench.err());

        Path src = Files.createDirectories(dir.resolve("src"));
        Cli.Result same = Cli.run("cp", src.toString(), src.toString());
        assertEquals(1, same.exitCode(), same.err());
        assertTrue(same.err().contains("mkdir " + src + ": EEXIST (File exists)"), same.err());

        for (String cmd : List.of("walk", "cp")) {
            Path missing = dir.resolve("missing");
            Cli.Result r = cmd.equals("walk") ? Cli.run("walk", missing.toString())
                    : Cli.run("cp", missing.toString(), dir.resolve("to").toString());
            assertEquals(1, r.exitCode(), r.err());
            assertTrue(r.err().contains(missing + ": ENOENT (No such file or directory)"), r.err());
        }
        Path file = Files.writeString(dir.resolve("file"), "x");
        Cli.Result notDir = Cli.run("walk", file.toString());
        assertTrue(notDir.err().contains(file + ": ENOTDIR (Not a directory)"), notDir.err());
    }

    @Test
    void cpRefusesToCopyADirectoryIntoItself(@TempDir Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/sub"));
        Files.writeString(src.resolve("f"), "x");
        for (String into : List.of("src/inner", "src/sub/inner", "src/../src/inner")) {
            Cli.Result r = Cli.run("cp", dir.resolve("src").toString(), dir.resolve(into).toString());
            assertEquals(1, r.exitCode(), r.err());
            assertTrue(r.err().contains("cannot copy a directory") && r.err().contains("into itself"), r.err());
        }
        try (Stream<Path> s = Files.walk(dir.resolve("src"))) {
            assertEquals(3, s.count(), "nothing was written");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"uring", "jdk"})
    void cpMakesFifosSocketsAndDevicesAnew(String engine, @TempDir Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path fifo = src.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", "-m", "640", fifo.toString()).start().waitFor());
        // touch -h sets the times by path; Files.setLastModifiedTime opens the FIFO and waits for a writer
        assertEquals(0, new ProcessBuilder("touch", "-h", "-d", "@1000000000", fifo.toString()).start().waitFor());
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(src.resolve("socket")));
        }
        boolean device = new ProcessBuilder("mknod", src.resolve("null").toString(), "c", "1", "3").start().waitFor() == 0;
        Files.writeString(src.resolve("file"), "data");

        Path dst = dir.resolve("dst");
        Cli.Result r = Cli.run("cp", src.toString(), dst.toString(), "--engine", engine);
        assertEquals(0, r.exitCode(), r.err());
        Path fifoCopy = dst.resolve("fifo");
        assertEquals("fifo", Files.getAttribute(fifoCopy, "unix:mode", LinkOption.NOFOLLOW_LINKS) instanceof Integer m
                && (m & 0170000) == 0010000 ? "fifo" : "not a fifo");
        assertEquals(PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(fifoCopy));
        assertEquals(FileTime.fromMillis(1_000_000_000_000L), Files.getLastModifiedTime(fifoCopy));
        assertEquals(0140000, (int) Files.getAttribute(dst.resolve("socket"), "unix:mode", LinkOption.NOFOLLOW_LINKS)
                & 0170000, "a socket");
        if (device) {
            assertEquals(Files.getAttribute(src.resolve("null"), "unix:rdev"), Files.getAttribute(dst.resolve("null"),
                    "unix:rdev"));
        }
        assertEquals("data", Files.readString(dst.resolve("file")));
    }

    /** A tree with an unreadable directory and an unreadable file among readable ones. */
    private static Path treeWithUnreadables(Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.createDirectories(src.resolve("a/b"));
        Files.writeString(src.resolve("a/b/ok"), "ok");
        Files.writeString(src.resolve("a/secret"), "secret");
        Files.createDirectories(src.resolve("locked"));
        Files.writeString(src.resolve("locked/hidden"), "hidden");
        Files.setPosixFilePermissions(src.resolve("a/secret"), PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(src.resolve("locked"), PosixFilePermissions.fromString("---------"));
        return src;
    }

    @ParameterizedTest
    @ValueSource(strings = {"syscall", "uring", "jdk"})
    void walkReportsAnUnreadableDirectoryWithItsPathAndGoesOn(String engine, @TempDir Path dir) throws Exception {
        Path src = treeWithUnreadables(dir);
        ChildCli.Result r = ChildCli.run(ChildCli.withoutDacOverride(), "walk", src.toString(), "--engine", engine,
                "--json");
        assertEquals(1, r.exitCode(), r.err() + r.out());
        assertTrue(r.err().contains(src.resolve("locked") + ": EACCES (Permission denied)"), r.err());
        var j = JSON.readTree(r.out());
        assertEquals(4, j.get("dirs").asLong(), "src, a, a/b and locked, as find counts them: " + r.out());
        assertEquals(2, j.get("files").asLong(), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"uring", "jdk"})
    void cpReportsAnUnreadableFileOnceAndCopiesTheRest(String engine, @TempDir Path dir) throws Exception {
        Path src = treeWithUnreadables(dir);
        Path dst = dir.resolve("dst");
        ChildCli.Result r = ChildCli.run(ChildCli.withoutDacOverride(), "cp", src.toString(), dst.toString(), "--engine",
                engine);
        assertEquals(1, r.exitCode(), r.err() + r.out());
        String secret = src.resolve("a/secret") + ": EACCES (Permission denied)";
        assertEquals(1, r.err().split(java.util.regex.Pattern.quote(secret), -1).length - 1, r.err());
        assertTrue(r.err().contains(src.resolve("locked") + ": EACCES"), r.err());
        assertEquals("ok", Files.readString(dst.resolve("a/b/ok")));
        assertFalse(Files.exists(dst.resolve("a/secret")), "no empty copy of an unreadable file");
    }

    @Test
    void spawnBenchReportsAFailingCommandPlainly() {
        Cli.Result r = Cli.run("spawn-bench", "--count", "2", "--rounds", "1", "false");
        assertEquals(1, r.exitCode(), r.out());
        assertTrue(r.err().contains("the command 'false' failed (exit 1"), r.err());
        assertFalse(r.err().contains("CompletionException"), r.err());
    }

    @Test
    void aBenchWithoutNamedEnginesFallsBackToPortableUnderSeccomp(@TempDir Path dir) throws Exception {
        List<String> deny = ChildCli.denyIoUring(dir, 1 /* EPERM, as Docker's default profile */);
        ChildCli.Result r = ChildCli.run(deny, "bench", "--rw", "randread", "--size", "1m", "--qd", "4", "--time", "0.1",
                "--warmup", "0", "--dir", dir.toString());
        assertEquals(0, r.exitCode(), r.err() + r.out());
        assertTrue(r.out().contains("io_uring is unavailable here") && r.out().contains("portable"), r.out());
        ChildCli.Result named = ChildCli.run(deny, "bench", "--engine", "uring", "--rw", "randread", "--size", "1m",
                "--time", "0.1", "--warmup", "0", "--dir", dir.toString());
        assertEquals(1, named.exitCode(), "an engine named is run or fails: " + named.out());
        assertTrue(named.err().contains("seccomp"), named.err());
    }

    @Test
    void aBenchFileThatCannotBeFilledIsNamedAndRemoved(@TempDir Path dir) throws Exception {
        assumeTrue(new java.io.File("/usr/bin/prlimit").canExecute(), "prlimit (util-linux) is not installed");
        Path f = dir.resolve("big");
        // RLIMIT_FSIZE stops the fill at 256 KiB with EFBIG, as a full disk would with ENOSPC
        ChildCli.Result r = ChildCli.run(List.of("/usr/bin/prlimit", "--fsize=262144"), "bench", "--engine", "filechannel",
                "--file", f.toString(), "--size", "1m", "--time", "0.1", "--warmup", "0");
        assertEquals(1, r.exitCode(), r.err() + r.out());
        assertTrue(r.err().contains("write " + f) && r.err().contains("EFBIG (File too large)")
                && r.err().contains("removed"), r.err());
        assertFalse(Files.exists(f), "the partial file is removed");
    }

    @Test
    void aLargeExistingFileIsUsedWithoutSize(@TempDir Path dir) throws Exception {
        byte[] data = new byte[256 * 1024];
        new java.util.Random(1).nextBytes(data);
        Path f = Files.write(dir.resolve("data"), data);
        Cli.Result r = Cli.run("bench", "--engine", "filechannel", "--rw", "read", "--bs", "64k", "--file", f.toString(),
                "--time", "0.1", "--warmup", "0", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertArrayEquals(data, Files.readAllBytes(f), "read as it is, not refilled");
    }
}
