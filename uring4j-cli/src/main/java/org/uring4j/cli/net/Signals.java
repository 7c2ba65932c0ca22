package org.uring4j.cli.net;

import sun.misc.Signal;

/**
 * SIGINT and SIGTERM as a request to stop: the JVM's default would run shutdown hooks and exit
 * 130/143, where a server asked to stop should close its sockets and exit 0.
 */
final class Signals {
    private Signals() {
    }

    static void onTermination(Runnable stop) {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), s -> stop.run());
        }
    }
}
