package org.uring4j.cli.net;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import org.HdrHistogram.Histogram;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code uring4j net-bench}: the uring4j echo server against the JDK's (a virtual thread per
 * connection on blocking SocketChannels, and AsynchronousServerSocketChannel), each in a JVM of
 * its own with the same thread count, driven by one load client in alternating rounds on
 * loopback. Every echoed byte is checked.
 */
@Command(name = "net-bench", sortOptions = false,
        description = {"Echo round trips against uring4j's server and the JDK's, side by side in alternating rounds on loopback.",
            "Reports round trips/s, MiB/s (each way), p50/p99 latency, server CPU per round trip, and the ratios.",
            "With --idle N: what N idle connections, each with a receive pending, cost each server in Java heap and native memory."})
public final class NetBenchCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--conns", description = "Client connections. Default: 64.")
    private int conns = 64;

    @Option(names = "--msg", description = "Message size in bytes. Default: 64.")
    private int msg = 64;

    @Option(names = "--pipeline", description = "Messages each connection sends before it reads the echoes. Default: 1.")
    private int pipeline = 1;

    @Option(names = "--time", description = "Seconds per round and engine. Default: 3.")
    private double time = 3;

    @Option(names = "--rounds", description = "Alternating rounds; medians are reported. Default: 3.")
    private int rounds = 3;

    @Option(names = "--warmup", description = "Unmeasured seconds per engine before the first round. Default: 1.")
    private double warmup = 1;

    @Option(names = "--loops", description = "Server threads: uring4j's loops, the JDK's carriers or group threads. Default: 1.")
    private int loops = 1;

    @Option(names = "--client", description = "The load client, the same for every server: nio (default: --client-threads "
            + "platform threads, each a java.nio Selector over its share of non-blocking SocketChannels), uring (--client-threads "
            + "uring4j event loops, a stream receive per connection: the cheapest per round trip, needs io_uring) or vthread "
            + "(a virtual thread per connection on a blocking SocketChannel, costlier per round trip). All check every echoed byte.")
    private String client = "nio";

    @Option(names = "--client-threads", description = "Threads of the nio client, loops of the uring client. Default: 1.")
    private int clientThreads = 1;

    @Option(names = "--engines", split = ",", description = "Servers to run: uring, uring-multishot, uring-provided, uring-vthread, uring-nio2, jdk-vthread, jdk-nio2, "
            + "netty-io_uring, netty-epoll, netty-nio. Default: uring-multishot,jdk-vthread,jdk-nio2 (with --idle: uring,uring-multishot,uring-provided,jdk-vthread).")
    private List<String> engines = List.of("uring-multishot", "jdk-vthread", "jdk-nio2");

    @Option(names = "--idle", paramLabel = "N", description = "Instead of timed echoes: open N connections to each server "
            + "(one byte echoed on each, then idle), and report the server's Java heap and native memory per connection "
            + "after a full GC (the server runs with -XX:NativeMemoryTracking=summary).")
    private int idle;

    @Option(names = "--json", description = "Print JSON.")
    private boolean json;

    /** One engine's rounds. */
    private static final class Result {
        final EchoServers.Engine engine;
        final List<Double> perSecond = new ArrayList<>();
        final List<Double> cpuNanosPerRoundTrip = new ArrayList<>();
        /** The load client's CPU (this JVM's), which shows whether the client rather than the server was the limit. */
        final List<Double> clientCpuNanosPerRoundTrip = new ArrayList<>();
        final Histogram latency = new Histogram(1, 60_000_000_000L, 3);

        Result(EchoServers.Engine engine) {
            this.engine = engine;
        }

        double medianPerSecond() {
            return median(perSecond);
        }

        double medianCpu() {
            return median(cpuNanosPerRoundTrip);
        }

        double medianClientCpu() {
            return median(clientCpuNanosPerRoundTrip);
        }
    }

    /** Options of the timed echo runs, which --idle does not use. */
    private static final List<String> TIMED_ONLY = List.of("--conns", "--msg", "--pipeline", "--time", "--rounds", "--warmup",
            "--client", "--client-threads");

    @Override
    public Integer call() throws Exception {
        if (spec.commandLine().getParseResult().hasMatchedOption("--idle")) {
            return idle();
        }
        check(conns >= 1, "--conns " + conns + ": expected at least 1");
        check(msg >= 1, "--msg " + msg + ": expected at least 1");
        check(pipeline >= 1, "--pipeline " + pipeline + ": expected at least 1");
        check(time > 0, "--time " + time + ": expected a positive number of seconds");
        check(rounds >= 1, "--rounds " + rounds + ": expected at least 1");
        check(warmup >= 0, "--warmup " + warmup + ": expected 0 or more seconds");
        check(loops >= 1, "--loops " + loops + ": expected at least 1");
        check(clientThreads >= 1, "--client-threads " + clientThreads + ": expected at least 1");
        LoadClient.Kind clientKind;
        try {
            clientKind = LoadClient.Kind.parse(client);
        } catch (IllegalArgumentException x) {
            throw new ParameterException(spec.commandLine(), x.getMessage());
        }
        List<EchoServers.Engine> order = engines();
        Map<EchoServers.Engine, Result> results = new LinkedHashMap<>();
        List<ServerProcess> servers = new ArrayList<>();
        List<LoadClient> loads = new ArrayList<>();
        var clientCpu = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        try {
            for (EchoServers.Engine e : order) {
                ServerProcess server = ServerProcess.start(e, loops);
                servers.add(server);
                LoadClient load = LoadClient.open(clientKind, clientThreads, server.address(), conns, msg, pipeline);
                loads.add(load);
                if (warmup > 0) {
                    load.run(warmup);
                }
                results.put(e, new Result(e));
            }
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < order.size(); k++) {
                    int i = r % 2 == 0 ? k : order.size() - 1 - k; // alternate the order: no engine always goes first
                    ServerProcess server = servers.get(i);
                    long cpu0 = server.cpuNanos();
                    long client0 = clientCpu.getProcessCpuTime();
                    LoadClient.Sample s = loads.get(i).run(time);
                    long client1 = clientCpu.getProcessCpuTime();
                    long cpu1 = server.cpuNanos();
                    Result res = results.get(order.get(i));
                    res.perSecond.add(s.roundTrips() / s.seconds());
                    res.cpuNanosPerRoundTrip.add(s.roundTrips() == 0 ? 0 : (double) (cpu1 - cpu0) / s.roundTrips());
                    res.clientCpuNanosPerRoundTrip.add(s.roundTrips() == 0 ? 0 : (double) (client1 - client0) / s.roundTrips());
                    res.latency.add(s.latency());
                }
            }
        } finally {
            for (LoadClient l : loads) {
                l.close();
            }
            for (ServerProcess s : servers) {
                s.close();
            }
        }
        report(spec.commandLine().getOut(), new ArrayList<>(results.values()), clientKind);
        return 0;
    }

    private List<EchoServers.Engine> engines() {
        List<EchoServers.Engine> order = new ArrayList<>();
        for (String e : engines) {
            try {
                order.add(EchoServers.Engine.parse(e.trim()));
            } catch (IllegalArgumentException x) {
                throw new ParameterException(spec.commandLine(), x.getMessage().replace("--engine", "--engines"));
            }
        }
        return order;
    }

    // ------------------------------------------------------------------ --idle

    private int idle() throws Exception {
        check(idle >= 1, "--idle " + idle + ": expected at least 1 connection");
        check(loops >= 1, "--loops " + loops + ": expected at least 1");
        for (String o : TIMED_ONLY) {
            check(!spec.commandLine().getParseResult().hasMatchedOption(o), o + " is for the timed echo runs, not --idle");
        }
        if (!spec.commandLine().getParseResult().hasMatchedOption("--engines")) {
            engines = List.of("uring", "uring-multishot", "uring-provided", "jdk-vthread");
        }
        List<EchoServers.Engine> order = engines();
        // This JVM holds the client ends, each server child the other ends (and inherits the limit).
        FdLimit.ensure(idle + 256L, "--idle " + idle);
        List<IdleConnections.Result> results = new ArrayList<>();
        for (EchoServers.Engine e : order) {
            results.add(IdleConnections.measure(e, idle, loops));
        }
        reportIdle(spec.commandLine().getOut(), results);
        return 0;
    }

    private void reportIdle(PrintWriter out, List<IdleConnections.Result> all) throws Exception {
        if (json) {
            StringWriter buf = new StringWriter();
            try (JsonGenerator g = new JsonFactory().createGenerator(buf)) {
                g.useDefaultPrettyPrinter();
                g.writeStartObject();
                g.writeNumberField("idle", idle);
                g.writeNumberField("loops", loops);
                g.writeArrayFieldStart("engines");
                for (IdleConnections.Result r : all) {
                    g.writeStartObject();
                    g.writeStringField("engine", r.engine().label);
                    g.writeNumberField("heap_bytes_per_conn", Math.round(r.heapPerConnection()));
                    if (Double.isNaN(r.nativePerConnection())) {
                        g.writeNullField("native_bytes_per_conn");
                        g.writeNullField("heap_plus_native_bytes_per_conn");
                    } else {
                        g.writeNumberField("native_bytes_per_conn", Math.round(r.nativePerConnection()));
                        g.writeNumberField("heap_plus_native_bytes_per_conn", Math.round(r.heapPerConnection() + r.nativePerConnection()));
                    }
                    g.writeNumberField("rss_bytes_per_conn", Math.round(r.rssPerConnection()));
                    memoryFields(g, "before", r.before());
                    memoryFields(g, "after", r.after());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            out.println(buf);
        } else {
            out.printf(Locale.ROOT, "idle connections: %,d per server, each with a receive pending, %d server thread(s); "
                    + "per connection, after a full GC, less the server's own before%n", idle, loops);
            out.printf(Locale.ROOT, "%-15s %12s %14s %14s %12s%n", "engine", "heap B", "native B (NMT)", "heap+native B", "RSS B");
            for (IdleConnections.Result r : all) {
                double nat = r.nativePerConnection();
                out.printf(Locale.ROOT, "%-15s %,12.0f %14s %14s %,12.0f%n", r.engine().label, r.heapPerConnection(),
                        Double.isNaN(nat) ? "-" : String.format(Locale.ROOT, "%,.0f", nat),
                        Double.isNaN(nat) ? "-" : String.format(Locale.ROOT, "%,.0f", r.heapPerConnection() + nat),
                        r.rssPerConnection());
            }
        }
        out.flush();
    }

    private static void memoryFields(JsonGenerator g, String name, MemoryReport m) throws IOException {
        g.writeObjectFieldStart(name);
        g.writeNumberField("heap_used_bytes", m.heapUsed());
        g.writeNumberField("native_committed_bytes", m.nativeCommitted());
        g.writeNumberField("rss_bytes", m.rss());
        g.writeEndObject();
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        return s.get(s.size() / 2);
    }

    private double mibPerSecond(Result r) {
        return r.medianPerSecond() * msg / (1024.0 * 1024.0);
    }

    /** The client as the output describes it. */
    private String clientDescription(LoadClient.Kind kind) {
        return switch (kind) {
            case NIO -> "client nio: " + clientThreads + " platform thread(s), each a Selector over non-blocking SocketChannels";
            case URING -> "client uring: " + clientThreads + " uring4j event loop(s), a stream receive per connection, "
                    + "each batch sent from the receive handler";
            case VTHREAD -> "client vthread: a virtual thread per connection on a blocking SocketChannel";
        };
    }

    private static boolean isUring4j(EchoServers.Engine e) {
        return e.label.startsWith("uring");
    }

    private void report(PrintWriter out, List<Result> all, LoadClient.Kind clientKind) throws Exception {
        List<Result> ours = all.stream().filter(r -> isUring4j(r.engine)).toList();
        if (json) {
            StringWriter buf = new StringWriter();
            try (JsonGenerator g = new JsonFactory().createGenerator(buf)) {
                g.useDefaultPrettyPrinter();
                g.writeStartObject();
                g.writeNumberField("conns", conns);
                g.writeNumberField("msg", msg);
                g.writeNumberField("pipeline", pipeline);
                g.writeNumberField("time", time);
                g.writeNumberField("rounds", rounds);
                g.writeNumberField("loops", loops);
                g.writeStringField("client", clientKind.label());
                g.writeNumberField("client_threads", clientKind == LoadClient.Kind.VTHREAD ? conns : clientThreads);
                g.writeStringField("client_description", clientDescription(clientKind));
                g.writeArrayFieldStart("engines");
                for (Result r : all) {
                    g.writeStartObject();
                    g.writeStringField("engine", r.engine.label);
                    g.writeNumberField("round_trips_per_s", r.medianPerSecond());
                    g.writeNumberField("mib_per_s", mibPerSecond(r));
                    g.writeNumberField("p50_us", r.latency.getValueAtPercentile(50) / 1000.0);
                    g.writeNumberField("p99_us", r.latency.getValueAtPercentile(99) / 1000.0);
                    g.writeNumberField("cpu_us_per_round_trip", r.medianCpu() / 1000.0);
                    g.writeNumberField("client_cpu_us_per_round_trip", r.medianClientCpu() / 1000.0);
                    g.writeArrayFieldStart("round_trips_per_s_by_round");
                    for (double v : r.perSecond) {
                        g.writeNumber(v);
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeObjectFieldStart("ratios");
                for (Result u : ours) {
                    for (Result r : all) {
                        if (!isUring4j(r.engine)) {
                            g.writeObjectFieldStart(u.engine.label.replace('-', '_') + "_vs_" + r.engine.label);
                            g.writeNumberField("round_trips", u.medianPerSecond() / r.medianPerSecond());
                            g.writeNumberField("cpu_per_round_trip", r.medianCpu() == 0 ? 0 : u.medianCpu() / r.medianCpu());
                            g.writeNumberField("p99", u.latency.getValueAtPercentile(99) / r.latency.getValueAtPercentile(99));
                            g.writeEndObject();
                        }
                    }
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            out.println(buf);
        } else {
            out.printf(Locale.ROOT, "echo on loopback: %d connections, %d B messages, pipeline %d, %d server thread(s); "
                    + "medians of %d alternating rounds of %.1f s%n", conns, msg, pipeline, loops, rounds, time);
            out.printf(Locale.ROOT, "%s; every server in a JVM of its own%n", clientDescription(clientKind));
            out.printf(Locale.ROOT, "%-16s %14s %10s %10s %10s %14s %14s%n", "engine", "round trips/s", "MiB/s", "p50 us",
                    "p99 us", "CPU us/rt", "client us/rt");
            for (Result r : all) {
                out.printf(Locale.ROOT, "%-16s %,14.0f %10.1f %10.1f %10.1f %14.2f %14.2f%n", r.engine.label, r.medianPerSecond(),
                        mibPerSecond(r), r.latency.getValueAtPercentile(50) / 1000.0,
                        r.latency.getValueAtPercentile(99) / 1000.0, r.medianCpu() / 1000.0, r.medianClientCpu() / 1000.0);
            }
            out.printf(Locale.ROOT, "CPU us/rt: the server's process CPU per round trip; client us/rt: the load client's (this JVM's)%n");
            for (Result u : ours) {
                for (Result r : all) {
                    if (!isUring4j(r.engine)) {
                        out.printf(Locale.ROOT, "%s / %s: %.2fx round trips/s, %.2fx CPU per round trip, %.2fx p99%n",
                                u.engine.label, r.engine.label, u.medianPerSecond() / r.medianPerSecond(),
                                r.medianCpu() == 0 ? 0 : u.medianCpu() / r.medianCpu(),
                                u.latency.getValueAtPercentile(99) / (double) r.latency.getValueAtPercentile(99));
                    }
                }
            }
        }
        out.flush();
    }
}
