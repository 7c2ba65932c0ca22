package org.uring4j.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.uring4j.Errno;
import org.uring4j.UringException;
import org.uring4j.fs.Backend;

/**
 * What a Spawn does on either backend: io_uring ({@code start(runtime)}) and portable
 * ({@code start()} with org.uring4j.backend=portable, a ProcessBuilder underneath).
 */
class BothBackendsSpawnTest extends SharedRuntimeTest {


    private static ExitStatus exit(Child c) throws Exception {
        return c.onExit().get(30, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void outputExitCodeAndBackend(Backend backend) throws Exception {
        try (Child c = start(Spawn.command("sh", "-c", "echo out; exit 4").stdout(Redirect.PIPE), backend)) {
            assertEquals(backend, c.backend());
            assertEquals("out\n", new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(4, exit(c).exitValue());
            assertTrue(c.pid() > 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void catRoundTripsStdinThroughBothPipes(Backend backend) throws Exception {
        byte[] data = new byte[200_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 13);
        }
        try (Child cat = start(Spawn.command("cat").stdin(Redirect.PIPE).stdout(Redirect.PIPE), backend)) {
            CompletableFuture<byte[]> out = cat.stdout().readAllBytesAsync();
            cat.stdin().writeFully(data);
            cat.stdin().close();
            assertArrayEquals(data, out.get(30, TimeUnit.SECONDS));
            assertTrue(exit(cat).success());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void terminateAndKillGiveTheShellsExitValues(Backend backend) throws Exception {
        Child term = start(Spawn.command("sleep", "100"), backend);
        term.terminate();
        assertEquals(128 + 15, exit(term).exitValue());
        Child kill = start(Spawn.command("sleep", "100"), backend);
        kill.kill();
        assertEquals(128 + 9, exit(kill).exitValue());
        kill.kill(); // after the exit: nothing
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void directoryEnvironmentRedirectsAndMergedStderr(Backend backend, @TempDir Path dir) throws Exception {
        Path in = Files.writeString(dir.resolve("in"), "from a file\n");
        Path out = dir.resolve("out");
        Spawn s = Spawn.command("sh", "-c", "pwd; echo $U4J; cat; echo err >&2").directory(dir)
                .stdin(Redirect.from(in)).stdout(Redirect.to(out)).redirectErrorStream(true);
        s.environment().put("U4J", "both");
        Child c = start(s, backend);
        assertTrue(exit(c).success());
        assertEquals(dir.toRealPath() + "\nboth\nfrom a file\nerr\n", Files.readString(out));
        assertThrows(IllegalStateException.class, c::stdout);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aMissingProgramIsENOENTNamingIt(Backend backend) {
        UringException e = assertThrows(UringException.class, () -> start(Spawn.command("no-such-u4j-program"), backend));
        assertEquals(Errno.ENOENT.number(), e.errno());
        assertTrue(e.getMessage().contains("no-such-u4j-program"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aScriptWithoutAShebangRunsWithBinShAsProcessBuilderRunsIt(Backend backend, @TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("script"), "echo \"$0 ran with $# args: $1\"\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Process jdk = new ProcessBuilder(script.toString(), "one").redirectErrorStream(true).start();
        String expected = new String(jdk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, jdk.waitFor());
        assertEquals(script + " ran with 1 args: one\n", expected);
        try (Child c = start(Spawn.command(script.toString(), "one").stdout(Redirect.PIPE), backend)) {
            assertEquals(expected, new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(0, exit(c).exitValue());
        }
    }

    @Test
    void theShellCommandOfAScriptNamesItsFileAsFoundInPath() {
        assertEquals(java.util.List.of("/bin/sh", "/x/script", "a"), Spawn.shellCommand(java.util.List.of("/x/script", "a")));
        java.util.List<String> sh = Spawn.shellCommand(java.util.List.of("true", "a", "b"));
        assertEquals("/bin/sh", sh.get(0));
        assertTrue(sh.get(1).endsWith("/true") && Files.isExecutable(Path.of(sh.get(1))), sh.toString());
        assertEquals(java.util.List.of("a", "b"), sh.subList(2, 4));
        assertEquals(null, Spawn.shellCommand(java.util.List.of("no-such-program-uring4j")));
    }

    @Test
    void thePortableBackendRefusesWhatProcessBuilderCannotDo(@TempDir Path dir) {
        UnsupportedOperationException steps = assertThrows(UnsupportedOperationException.class, () -> start(
                Spawn.command("true").open(5, dir.resolve("f"), StandardOpenOption.WRITE, StandardOpenOption.CREATE),
                Backend.PORTABLE));
        assertTrue(steps.getMessage().contains("io_uring"), steps.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> start(Spawn.command("true").newSession(), Backend.PORTABLE));
        assertTrue(Files.notExists(dir.resolve("f")), "nothing ran");
    }

    @Test
    void thePortableBackendSendsOnlyTermAndKill() throws Exception {
        Child c = start(Spawn.command("sleep", "100"), Backend.PORTABLE);
        try {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> c.signal(10));
            assertTrue(e.getMessage().contains("signal 10"), e.getMessage());
        } finally {
            c.kill();
            exit(c);
        }
    }

    @Test
    void startWithoutARuntimeRunsOnIoUringWhereItIsAvailable() throws Exception {
        Child c = Spawn.command("true").start();
        assertEquals(Backend.forced().orElse(Backend.IO_URING), c.backend());
        assertTrue(exit(c).success());
    }
}
