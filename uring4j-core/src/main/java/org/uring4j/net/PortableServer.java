package org.uring4j.net;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CompletableFuture;

/** A listening socket on the portable backend: a blocking {@link ServerSocketChannel}, accepting on virtual threads. */
final class PortableServer extends PortableDescriptor<ServerSocketChannel> implements ServerIo {

    PortableServer(PortableNet net, ServerSocketChannel channel, ProtocolFamily family) {
        super(net, channel, family, true);
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        channel.bind(local, backlog);
    }

    @Override
    public CompletableFuture<SocketIo> accept() {
        return net.async(() -> new PortableSocket(net, channel.accept(), family));
    }
}
