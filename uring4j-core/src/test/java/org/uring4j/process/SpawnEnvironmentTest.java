package org.uring4j.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uring4j.process.ProcTestSupport.exit;
import static org.uring4j.process.ProcTestSupport.get;
import static org.uring4j.process.ProcTestSupport.text;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.sys.Syscalls;

/** The environment, the working directory, redirect files and the modes of what they create, and the errors naming them. */
class SpawnEnvironmentTest extends SharedRuntimeTest {

    @TempDir
    Path dir;


    /** The child's environment, as /usr/bin/env prints it (exec'd directly, so exactly what it got). */
    private static List<String> envOf(Spawn s) throws Exception {
        try (Child c = s.stdout(Redirect.PIPE).start(rt)) {
            byte[] out = get(c.stdout().readAllBytesAsync());
            assertTrue(exit(c).success());
            return text(out).lines().toList();
        }
    }

    @Test
    void anUntouchedEnvironmentIsThisProcesss() throws Exception {
        Set<String> ours = new TreeSet<>();
        System.getenv().forEach((k, v) -> ours.add(k + "=" + v));
        Set<String> child = new TreeSet<>(envOf(Spawn.command("env")));
        assertTrue(child.containsAll(ours) || ours.stream().anyMatch(e -> e.contains("\n")), "child " + child);
    }

    @Test
    void anEmptyEnvironmentIsEmptyAndThePathSearchStillWorks() throws Exception {
        Spawn s = Spawn.command("env");
        s.environment().clear();
        assertEquals(List.of(), envOf(s), "no variable at all; env was still found in this process's $PATH");
    }

    @Test
    void valuesWithEqualsSignsSpacesAndNothing() throws Exception {
        Spawn s = Spawn.command("env");
        s.environment().clear();
        s.environment().put("A", "x=y=z");
        s.environment().put("B", "");
        s.environment().put("C", " spaced  out ");
        assertEquals(new TreeSet<>(List.of("A=x=y=z", "B=", "C= spaced  out ")), new TreeSet<>(envOf(s)));
    }

    @Test
    void nonAsciiValuesArriveAsThisPlatformsBytes() throws Exception {
        Charset jnu = Charset.forName(System.getProperty("sun.jnu.encoding"));
        String value = "grüße ✓ 日本 \u00e9";
        org.junit.jupiter.api.Assumptions.assumeTrue(jnu.newEncoder().canEncode(value),
                "sun.jnu.encoding " + jnu + " cannot say it (run with a UTF-8 locale)");
        Spawn s = Spawn.command("printenv", "U4J_UNICODE");
        s.environment().put("U4J_UNICODE", value);
        s.environment().put("KEY_ÄÖÜ", "k");
        try (Child c = s.stdout(Redirect.PIPE).start(rt)) {
            byte[] out = get(c.stdout().readAllBytesAsync());
            assertTrue(exit(c).success());
            assertEquals(Arrays.toString((value + "\n").getBytes(jnu)), Arrays.toString(out));
        }
        List<String> env = envOf(copyEnv(s, "env"));
        assertTrue(env.contains("KEY_ÄÖÜ=k"), env.toString());
    }

    private static Spawn copyEnv(Spawn from, String... command) {
        Spawn s = Spawn.command(command);
        s.environment().clear();
        s.environment().putAll(from.environment());
        return s;
    }

    @Test
    void argumentsArePassedVerbatim() throws Exception {
        String[] args = {"", " ", "a b", "$HOME", "'\"", "*", "ünï", "-n", "x".repeat(100_000)};
        try (Child c = Spawn.command(concat("printf", "%s\\n", args)).stdout(Redirect.PIPE).start(rt)) {
            String out = text(get(c.stdout().readAllBytesAsync()));
            assertTrue(exit(c).success());
            assertEquals(String.join("\n", args) + "\n", out);
        }
    }

    private static String[] concat(String a, String b, String[] rest) {
        String[] all = new String[rest.length + 2];
        all[0] = a;
        all[1] = b;
        System.arraycopy(rest, 0, all, 2, rest.length);
        return all;
    }

    @Test
    void aNullNameOrValueIsRefusedNotSentAsTheWordNull() throws Exception {
        // ProcessBuilder's map throws NullPointerException at put; a HashMap takes null and the
        // child would get "U4J_NULL=null". Either refusal (at put or at start) is acceptable.
        Spawn s = Spawn.command("env");
        try {
            s.environment().put("U4J_NULL", null);
        } catch (NullPointerException | IllegalArgumentException refusedAtPut) {
            return;
        }
        assertThrows(RuntimeException.class, () -> s.start(rt).close(), "a null value must not reach the child as \"null\"");
    }

    @Test
    void aNameWithAnEqualsSignIsRefused() throws Exception {
        // "A=B" + "=" + "c" would reach the child as variable A with value "B=c": refuse it, as ProcessBuilder does.
        Spawn s = Spawn.command("env");
        try {
            s.environment().put("A=B", "c");
        } catch (IllegalArgumentException refusedAtPut) {
            return;
        }
        assertThrows(IllegalArgumentException.class, () -> s.start(rt).close());
    }

    @Test
    void aNulInTheEnvironmentIsRefusedBeforeAnythingStarts() {
        Spawn s = Spawn.command("env");
        s.environment().put("U4J", "a\0b");
        assertThrows(IllegalArgumentException.class, () -> s.start(rt));
    }

    @Test
    void aMissingWorkingDirectoryFailsNamingTheDirectory() {
        Path missing = dir.resolve("no-such-dir");
        UringException e = assertThrows(UringException.class, () -> Spawn.command("true").directory(missing).start(rt));
        assertEquals(Errno.ENOENT.number(), e.errno());
        // ENOENT alone reads as "no such program": the message must say it was the directory.
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void aWorkingDirectoryThatIsAFileFailsWithEnotdir() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        UringException e = assertThrows(UringException.class, () -> Spawn.command("true").directory(file).start(rt));
        assertEquals(Errno.ENOTDIR.number(), e.errno());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aRelativeProgramPathIsResolvedAgainstThisProcesssDirectoryNotTheChilds() throws Exception {
        // posix_spawn execs after the chdir step: "./x" is looked up in the child's directory.
        // Documented order: "the change of directory (so relative paths in the earlier steps are
        // this process's" — the program is not a step, so it is the child's. Pin what happens.
        Path script = dir.resolve("hello.sh");
        Files.writeString(script, "#!/bin/sh\necho from-script\n");
        Files.setPosixFilePermissions(script, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_EXECUTE));
        try (Child c = Spawn.command("./hello.sh").directory(dir).stdout(Redirect.PIPE).start(rt)) {
            assertEquals("from-script\n", text(get(c.stdout().readAllBytesAsync())));
            assertTrue(exit(c).success());
        }
    }

    @Test
    void aRedirectIntoAMissingDirectoryFailsNamingTheFile() {
        Path out = dir.resolve("missing-dir").resolve("out.txt");
        UringException e = assertThrows(UringException.class, () -> Spawn.command("true").stdout(Redirect.to(out)).start(rt));
        assertEquals(Errno.ENOENT.number(), e.errno());
        assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
        Path in = dir.resolve("missing-input");
        UringException r = assertThrows(UringException.class, () -> Spawn.command("cat").stdin(Redirect.from(in)).start(rt));
        assertTrue(r.getMessage().contains(in.toString()), r.getMessage());
        Path side = dir.resolve("nope").resolve("side");
        UringException o = assertThrows(UringException.class,
                () -> Spawn.command("true").open(5, side, StandardOpenOption.WRITE).start(rt));
        assertTrue(o.getMessage().contains(side.toString()), o.getMessage());
    }

    @Test
    void aDup2FromAClosedDescriptorFailsNamingIt() throws Exception {
        int notOpen = 999;
        while (Files.exists(Path.of("/proc/self/fd/" + notOpen))) {
            notOpen++;
        }
        final int fd = notOpen;
        UringException e = assertThrows(UringException.class, () -> Spawn.command("true").dup2(fd, 3).start(rt));
        assertEquals(Errno.EBADF.number(), e.errno());
        assertTrue(e.getMessage().contains(Integer.toString(fd)), e.getMessage());
    }

    @Test
    void createdFilesGet0666LessTheUmask() throws Exception {
        int[] masks = {ProcTestSupport.umask(), 027, 0};
        for (int mask : masks) {
            int old = Syscalls.umask(mask);
            try {
                Path out = dir.resolve("out-" + Integer.toOctalString(mask));
                Path side = dir.resolve("side-" + Integer.toOctalString(mask));
                Path appended = dir.resolve("app-" + Integer.toOctalString(mask));
                Child c = Spawn.command("sh", "-c", "echo o; echo e >&2; echo s >&5").stdout(Redirect.to(out))
                        .stderr(Redirect.appendTo(appended))
                        .open(5, side, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW).start(rt);
                assertTrue(exit(c).success());
                for (Path p : List.of(out, side, appended)) {
                    int mode = (Integer) Files.getAttribute(p, "unix:mode") & 0777;
                    assertEquals(Integer.toOctalString(0666 & ~mask), Integer.toOctalString(mode), p.toString());
                }
                assertEquals("o\n", Files.readString(out));
                assertEquals("s\n", Files.readString(side));
                assertEquals("e\n", Files.readString(appended));
            } finally {
                Syscalls.umask(old);
            }
        }
    }

    @Test
    void redirectToTruncatesAndAppendToAppends() throws Exception {
        Path out = Files.writeString(dir.resolve("out"), "a long old content\n");
        Path log = Files.writeString(dir.resolve("log"), "old\n");
        assertTrue(exit(Spawn.command("echo", "new").stdout(Redirect.to(out)).start(rt)).success());
        assertTrue(exit(Spawn.command("echo", "more").stdout(Redirect.appendTo(log)).start(rt)).success());
        assertEquals("new\n", Files.readString(out));
        assertEquals("old\nmore\n", Files.readString(log));
        UringException exists = assertThrows(UringException.class, () -> Spawn.command("true")
                .open(6, out, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW).start(rt));
        assertEquals(Errno.EEXIST.number(), exists.errno());
    }

    @Test
    void discardReadsNothingAndSwallowsOutput() throws Exception {
        try (Child c = Spawn.command("sh", "-c", "cat; echo to-null; echo err >&2").stdin(Redirect.DISCARD)
                .stdout(Redirect.DISCARD).stderr(Redirect.PIPE).start(rt)) {
            assertEquals("err\n", text(get(c.stderr().readAllBytesAsync())));
            assertTrue(exit(c).success(), "cat read end of file from /dev/null");
        }
    }

    @Test
    void redirectErrorStreamSendsStderrIntoAFileToo() throws Exception {
        Path out = dir.resolve("both");
        assertTrue(exit(Spawn.command("sh", "-c", "echo 1; echo 2 >&2; echo 3").stdout(Redirect.to(out))
                .stderr(Redirect.PIPE).redirectErrorStream(true).start(rt)).success());
        assertEquals("1\n2\n3\n", Files.readString(out));
    }

    @Test
    void aSpawnStartsAgainAndAgainIndependently() throws Exception {
        Spawn s = Spawn.command("sh", "-c", "echo $U4J_N").stdout(Redirect.PIPE);
        for (int i = 0; i < 5; i++) {
            s.environment().put("U4J_N", Integer.toString(i));
            try (Child c = s.start(rt)) {
                assertEquals(i + "\n", text(get(c.stdout().readAllBytesAsync())));
                exit(c);
            }
        }
    }
}
