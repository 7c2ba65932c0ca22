package org.uring4j.net;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** A listening socket as a backend implements it: {@link RingServer} or {@link PortableServer}. */
interface ServerIo {
    ProtocolFamily family();

    /** bind(2) then listen(2). */
    void bind(SocketAddress local, int backlog) throws IOException;

    /** The next connection. */
    CompletableFuture<SocketIo> accept();

    <T> void setOption(SocketOption<T> name, T value) throws IOException;

    <T> T getOption(SocketOption<T> name) throws IOException;

    Set<SocketOption<?>> supportedOptions();

    SocketAddress localAddress() throws IOException;

    /** Closes: waiting accepts fail with AsynchronousCloseException, connections not yet taken are closed. */
    CompletableFuture<Void> close();
}
