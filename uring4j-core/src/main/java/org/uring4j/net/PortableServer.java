package org.uring4j.net;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.ServerSocketChannel;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** A listening socket on the portable backend: a blocking {@link ServerSocketChannel}, accepting on virtual threads. */
final class PortableServer implements ServerIo {
    private final PortableNet net;
    private final ServerSocketChannel channel;
    private final ProtocolFamily family;

    PortableServer(PortableNet net, ServerSocketChannel channel, ProtocolFamily family) {
        this.net = net;
        this.channel = channel;
        this.family = family;
    }

    @Override
    public ProtocolFamily family() {
        return family;
    }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException {
        channel.bind(local, backlog);
    }

    @Override
    public CompletableFuture<SocketIo> accept() {
        return net.async(() -> new PortableSocket(net, channel.accept(), family));
    }

    @Override
    public <T> void setOption(SocketOption<T> name, T value) throws IOException {
        PortableNet.setOption(channel, supportedOptions(), name, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return PortableNet.getOption(channel, supportedOptions(), name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return FdOptions.supported(family, true);
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        return channel.getLocalAddress();
    }

    @Override
    public CompletableFuture<Void> close() {
        return PortableNet.close(channel);
    }
}
