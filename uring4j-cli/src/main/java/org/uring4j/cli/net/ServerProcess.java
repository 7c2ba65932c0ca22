package org.uring4j.cli.net;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An {@code echo-server} in a JVM of its own, so that its CPU time (from /proc/PID/stat) is the
 * server's alone and each engine gets the same JVM. Started with this JVM's java and class path.
 */
final class ServerProcess implements AutoCloseable {
    private static final double TICK_NS = 1e9 / 100; // USER_HZ is 100 on Linux
    private final Process process;
    private final BufferedReader stdout;
    private final InetSocketAddress address;

    private ServerProcess(Process process, BufferedReader stdout, InetSocketAddress address) {
        this.process = process;
        this.stdout = stdout;
        this.address = address;
    }

    static ServerProcess start(EchoServers.Engine engine, int loops) throws IOException {
        return start(engine, loops, false);
    }

    /**
     * With {@code memoryReports}, the server runs with native memory tracking and answers
     * {@link #memory()}.
     */
    static ServerProcess start(EchoServers.Engine engine, int loops, boolean memoryReports) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                // equal thread counts: the virtual-thread server gets as many carriers as the others get loops
                "-Djdk.virtualThreadScheduler.parallelism=" + loops));
        if (memoryReports) {
            cmd.add("-XX:NativeMemoryTracking=summary");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.uring4j.cli.Main",
                "echo-server", "--port", "0", "--engine", engine.label, "--loops", Integer.toString(loops)));
        if (memoryReports) {
            cmd.add("--memory-on-stdin");
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (line == null || !line.startsWith("listening on ")) {
            p.destroyForcibly();
            throw new IOException("echo-server --engine " + engine.label + " did not start: " + line);
        }
        String hostPort = line.substring("listening on ".length());
        int colon = hostPort.lastIndexOf(':');
        return new ServerProcess(p, r, new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))));
    }

    InetSocketAddress address() {
        return address;
    }

    /** The server's CPU time so far (user + system), in nanoseconds. */
    long cpuNanos() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (long) ((Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NS); // fields 14 and 15
    }

    /** The server's heap, resident set and native memory after a full GC (started with memory reports). */
    MemoryReport memory() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("memory\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();
        return MemoryReport.parse(stdout.readLine());
    }

    /** The server's open descriptors. */
    int descriptors() throws IOException {
        String[] fds = new File("/proc/" + process.pid() + "/fd").list();
        if (fds == null) {
            throw new IOException("cannot list /proc/" + process.pid() + "/fd: the server exited?");
        }
        return fds.length;
    }

    /** SIGTERM, then a bounded wait for the clean exit. */
    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
