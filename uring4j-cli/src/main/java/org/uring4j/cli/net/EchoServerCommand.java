package org.uring4j.cli.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code uring4j echo-server --port P [--host H] [--loops N]}: a TCP echo server on the library's
 * public socket API. Prints {@code listening on H:P} once it accepts connections, serves until
 * SIGINT or SIGTERM, then closes everything and exits 0.
 */
@Command(name = "echo-server", sortOptions = false,
        description = {"A TCP echo server on uring4j's sockets: prints 'listening on HOST:PORT', serves until SIGINT/SIGTERM."})
public final class EchoServerCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--port", required = true, description = "Port to listen on; 0 picks a free one (printed).")
    private int port;

    @Option(names = "--host", description = "Address to listen on. Default: 127.0.0.1.")
    private String host = "127.0.0.1";

    @Option(names = "--loops", description = "Event loops (threads). Default: 1.")
    private int loops = 1;

    @Option(names = "--engine", description = "uring-multishot (default: a stream receive per connection, one "
            + "multishot RECV into the loop's provided-buffer ring, so a round trip costs the ring one request, the send), "
            + "uring (a receive then a send per message, into and from a 16 KiB native buffer per connection), "
            + "uring-provided (no buffer per connection: receives go through the loop's provided-buffer ring), "
            + "uring-vthread (a virtual thread per connection on blocking reads and writes, as jdk-vthread), "
            + "uring-nio2 (jdk-nio2's code on uring4j's AsynchronousServerSocketChannel drop-in, handlers on the loops), "
            + "or a server net-bench compares with: "
            + "jdk-vthread (a virtual thread per connection), jdk-nio2 (AsynchronousServerSocketChannel, --loops threads), "
            + "netty-io_uring, netty-epoll, netty-nio (Netty 4.2, --loops event loops).")
    private String engine = "uring-multishot";

    /** For net-bench --idle: each line "memory" on stdin is answered with a {@link MemoryReport} line. */
    @Option(names = "--memory-on-stdin", hidden = true)
    private boolean memoryOnStdin;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--port " + port + ": expected 0..65535");
        }
        if (loops < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--loops " + loops + ": expected at least 1");
        }
        EchoServers.Engine e;
        try {
            e = EchoServers.Engine.parse(engine);
        } catch (IllegalArgumentException x) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), x.getMessage());
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        InetSocketAddress bind = new InetSocketAddress(InetAddress.getByName(host), port);
        PrintWriter out = spec.commandLine().getOut();
        try (EchoServers.Running server = EchoServers.start(e, bind, loops)) {
            InetSocketAddress a = (InetSocketAddress) server.address();
            out.println("listening on " + host + ":" + a.getPort());
            out.flush();
            if (memoryOnStdin) {
                Thread.ofPlatform().daemon().name("memory-reports").start(() -> answerMemoryRequests(out));
            }
            stop.await();
        }
        return 0;
    }

    private static void answerMemoryRequests(PrintWriter out) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("memory")) {
                    out.println(MemoryReport.ofThisJvm().line());
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the parent went away; SIGTERM stops the server
        }
    }
}
