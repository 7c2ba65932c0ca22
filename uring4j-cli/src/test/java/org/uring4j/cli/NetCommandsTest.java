package org.uring4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** echo-server serves and stops cleanly on a signal; net-bench runs every engine and checks what it reports. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NetCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The command in a JVM of its own (signals must not reach this one). */
    private static Process start(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "org.uring4j.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** True if {@code signal} is ignored in {@code pid} (a background job's SIGINT is): the JVM then leaves it ignored. */
    private static boolean ignores(long pid, int signal) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (signal - 1))) != 0;
            }
        }
        return false;
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void echoServerServesThenExitsZeroOnSignal(String signal) throws Exception {
        Process p = start("echo-server", "--port", "0", "--loops", "2");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertNotNull(line, "echo-server printed nothing");
            assertTrue(line.matches("listening on 127\\.0\\.0\\.1:\\d+"), line);
            int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
            for (int c = 0; c < 3; c++) {
                try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                    byte[] msg = ("hello " + c).repeat(1000).getBytes(StandardCharsets.UTF_8);
                    ch.write(ByteBuffer.wrap(msg));
                    ByteBuffer back = ByteBuffer.allocate(msg.length);
                    while (back.hasRemaining()) {
                        assertTrue(ch.read(back) > 0);
                    }
                    assertEquals(ByteBuffer.wrap(msg), back.flip());
                }
            }
            assumeFalse(signal.equals("INT") && ignores(p.pid(), 2), "SIGINT is ignored here (started as a background job)");
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "echo-server stopped");
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"uring", "uring-multishot", "uring-provided"})
    void echoServerEchoesAFloodingClientByteForByte(String engine) throws Exception {
        Process p = start("echo-server", "--port", "0", "--engine", engine);
        try {
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertNotNull(line, "echo-server printed nothing");
            int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                int total = 32 << 20; // data keeps arriving, so many of the server's receives complete inline
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
                        for (int sent = 0; sent < total; sent += chunk.capacity()) {
                            for (int i = 0; i < chunk.capacity(); i++) {
                                chunk.put(i, (byte) ((sent + i) * 31));
                            }
                            chunk.clear();
                            while (chunk.hasRemaining()) {
                                ch.write(chunk);
                            }
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                ByteBuffer in = ByteBuffer.allocate(65536);
                long got = 0;
                while (got < total) {
                    in.clear();
                    int n = ch.read(in);
                    assertTrue(n > 0, "end of stream after " + got);
                    for (int i = 0; i < n; i++) {
                        assertEquals((byte) ((got + i) * 31), in.get(i), "byte " + (got + i));
                    }
                    got += n;
                }
                writer.join();
            }
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "echo-server stopped");
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"netty-io_uring", "netty-epoll", "netty-nio"}) // the JDK's run in the net-bench tests
    void everyComparedServerEchoesAndStops(String engine) throws Exception {
        Process p = start("echo-server", "--port", "0", "--engine", engine, "--loops", "2");
        try {
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertNotNull(line, engine + " printed nothing");
            int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                byte[] msg = engine.repeat(5000).getBytes(StandardCharsets.UTF_8);
                ch.write(ByteBuffer.wrap(msg));
                ByteBuffer back = ByteBuffer.allocate(msg.length);
                while (back.hasRemaining()) {
                    assertTrue(ch.read(back) > 0);
                }
                assertEquals(ByteBuffer.wrap(msg), back.flip());
            }
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), engine + " stopped");
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void echoServerRejectsBadArguments() {
        assertEquals(2, Cli.run("echo-server").exitCode(), "--port is required");
        Cli.Result r = Cli.run("echo-server", "--port", "70000");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--port 70000"), r.err());
        assertEquals(2, Cli.run("echo-server", "--port", "0", "--engine", "netty").exitCode());
    }

    @Test
    void netBenchReportsEveryEngineAsJson() throws Exception {
        Cli.Result r = Cli.run("net-bench", "--conns", "4", "--msg", "100", "--pipeline", "2", "--time", "0.3",
                "--rounds", "1", "--warmup", "0", "--json");
        assertEquals(0, r.exitCode(), r.err() + r.out());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(4, j.get("conns").asInt());
        assertEquals(3, j.get("engines").size());
        for (JsonNode e : j.get("engines")) {
            assertTrue(e.get("round_trips_per_s").asDouble() > 0, e.toString());
            for (String k : List.of("engine", "mib_per_s", "p50_us", "p99_us", "cpu_us_per_round_trip")) {
                assertTrue(e.has(k), k + " in " + e);
            }
        }
        assertEquals("uring-multishot", j.get("engines").get(0).get("engine").asText()); // the default server
        assertTrue(j.get("ratios").has("uring_multishot_vs_jdk-vthread"));
        assertTrue(j.get("ratios").has("uring_multishot_vs_jdk-nio2"));
    }

    @Test
    void netBenchRunsTheNettyEngines() throws Exception {
        Cli.Result r = Cli.run("net-bench", "--conns", "2", "--time", "0.2", "--rounds", "1", "--warmup", "0",
                "--engines", "uring,netty-io_uring,netty-epoll,netty-nio", "--json");
        assertEquals(0, r.exitCode(), r.err() + r.out());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(4, j.get("engines").size());
        for (JsonNode e : j.get("engines")) {
            assertTrue(e.get("round_trips_per_s").asDouble() > 0, e.toString());
        }
        assertTrue(j.get("ratios").has("uring_vs_netty-io_uring"));
    }

    @Test
    void netBenchPrintsATable() {
        Cli.Result r = Cli.run("net-bench", "--conns", "2", "--msg", "16384", "--time", "0.2", "--rounds", "2",
                "--warmup", "0", "--engines", "uring,jdk-vthread");
        assertEquals(0, r.exitCode(), r.err() + r.out());
        assertTrue(r.out().contains("uring / jdk-vthread:"), r.out());
        assertEquals(2, Cli.run("net-bench", "--conns", "0").exitCode());
        assertEquals(2, Cli.run("net-bench", "--engines", "netty").exitCode());
    }

    @Test
    void netBenchIdleReportsMemoryPerConnectionForEachServer() throws Exception {
        Cli.Result r = Cli.run("net-bench", "--idle", "100", "--json");
        assertEquals(0, r.exitCode(), r.err() + r.out());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(100, j.get("idle").asInt());
        List<String> engines = new java.util.ArrayList<>();
        for (JsonNode e : j.get("engines")) {
            engines.add(e.get("engine").asText());
            for (String k : List.of("heap_bytes_per_conn", "native_bytes_per_conn", "heap_plus_native_bytes_per_conn",
                    "rss_bytes_per_conn")) {
                assertTrue(e.get(k).isNumber(), k + " in " + e); // native is null only without NMT in the server
            }
            assertTrue(e.get("after").get("heap_used_bytes").asLong() > 0, e.toString());
        }
        assertEquals(List.of("uring", "uring-multishot", "uring-provided", "jdk-vthread"), engines);
        // What the measurement must see: the uring server's 16 KiB native buffer per connection,
        // and none for the one that receives through the provided-buffer ring.
        assertTrue(j.get("engines").get(0).get("native_bytes_per_conn").asLong() > 8192, r.out());
        assertTrue(j.get("engines").get(1).get("native_bytes_per_conn").asLong() < 8192, r.out());
        assertTrue(j.get("engines").get(2).get("native_bytes_per_conn").asLong() < 8192, r.out());

        Cli.Result table = Cli.run("net-bench", "--idle", "20", "--engines", "uring-provided");
        assertEquals(0, table.exitCode(), table.err() + table.out());
        assertTrue(table.out().contains("heap+native B"), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("uring-provided ")), table.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "uring", "vthread"})
    void theMultishotServerEchoesEveryByteOfManyPipelinedConnectionsForEveryClient(String client) throws Exception {
        // Several messages a batch arrive as chunks while the echo of the one before is out: it gathers them, in order.
        Cli.Result r = Cli.run("net-bench", "--conns", "16", "--msg", "5000", "--pipeline", "4", "--time", "0.5",
                "--rounds", "1", "--warmup", "0", "--loops", "2", "--engines", "uring-multishot,jdk-vthread",
                "--client", client, "--client-threads", "2", "--json");
        assertEquals(0, r.exitCode(), r.err() + r.out());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(client, j.get("client").asText());
        assertTrue(j.get("engines").get(0).get("round_trips_per_s").asDouble() > 0, r.out());
        assertTrue(j.get("engines").get(0).get("client_cpu_us_per_round_trip").asDouble() > 0, r.out());
        assertTrue(j.get("ratios").has("uring_multishot_vs_jdk-vthread"), r.out());
        assertEquals(2, Cli.run("net-bench", "--client", "epoll").exitCode());
        assertEquals(2, Cli.run("net-bench", "--client-threads", "0").exitCode());
    }

    @Test
    void theServerWithoutBuffersOfItsOwnEchoesEveryByteOfManyConnections() throws Exception {
        // Its connections share their loop's scratch array: net-bench checks every echoed byte.
        Cli.Result r = Cli.run("net-bench", "--conns", "16", "--msg", "5000", "--pipeline", "4", "--time", "0.5",
                "--rounds", "1", "--warmup", "0", "--loops", "2", "--engines", "uring-provided", "--json");
        assertEquals(0, r.exitCode(), r.err() + r.out());
        assertTrue(JSON.readTree(r.out()).get("engines").get(0).get("round_trips_per_s").asDouble() > 0, r.out());
    }

    @Test
    void netBenchIdleRejectsBadArguments() {
        assertEquals(2, Cli.run("net-bench", "--idle", "0").exitCode());
        Cli.Result r = Cli.run("net-bench", "--idle", "5", "--conns", "3");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--conns is for the timed echo runs"), r.err());
        assertEquals(2, Cli.run("net-bench", "--idle", "5", "--engines", "netty").exitCode());
    }

    @Test
    void netBenchIdleSaysWhichLimitIsTooLow() throws Exception {
        assumeTrue(new java.io.File("/usr/bin/prlimit").canExecute(), "prlimit (util-linux) is not installed");
        ChildCli.Result r = ChildCli.run(List.of("/usr/bin/prlimit", "--nofile=500:500"), "net-bench", "--idle", "1000");
        assertEquals(1, r.exitCode(), r.err() + r.out());
        assertTrue(r.err().contains("--idle 1000 needs about 1256 descriptors per process, but RLIMIT_NOFILE allows 500"), r.err());
    }
}
