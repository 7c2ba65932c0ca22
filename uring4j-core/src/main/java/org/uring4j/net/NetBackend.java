package org.uring4j.net;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.util.concurrent.CompletableFuture;

import org.uring4j.fs.Backend;

/** Where sockets come from: {@link RingNet} (io_uring) or {@link PortableNet} (java.nio on virtual threads). */
interface NetBackend {
    Backend backend();

    CompletableFuture<SocketIo> openSocket(ProtocolFamily family);

    CompletableFuture<ServerIo> openServer(ProtocolFamily family);

    /** Frees what the backend holds (its buffer rings, its runtime if it owns one); sockets are closed first by UringNet. */
    void close() throws IOException;
}
