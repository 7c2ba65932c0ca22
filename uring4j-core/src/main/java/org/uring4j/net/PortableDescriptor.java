package org.uring4j.net;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.NetworkChannel;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What a portable socket and server share: the JDK channel, its options (with the io_uring
 * backend's checks and option sets, so both refuse alike), address and close.
 */
abstract class PortableDescriptor<C extends NetworkChannel> {
    final PortableNet net;
    final C channel;
    final ProtocolFamily family;
    private final boolean server;

    PortableDescriptor(PortableNet net, C channel, ProtocolFamily family, boolean server) {
        this.net = net;
        this.channel = channel;
        this.family = family;
        this.server = server;
    }

    public ProtocolFamily family() {
        return family;
    }

    public <T> void setOption(SocketOption<T> name, T value) throws IOException {
        FdOptions.checkSet(supportedOptions(), name, value);
        channel.setOption(name, value);
    }

    public <T> T getOption(SocketOption<T> name) throws IOException {
        FdOptions.checkGet(supportedOptions(), name);
        return channel.getOption(name);
    }

    public Set<SocketOption<?>> supportedOptions() {
        return FdOptions.supported(family, server);
    }

    public SocketAddress localAddress() throws IOException {
        return channel.getLocalAddress();
    }

    public CompletableFuture<Void> close() {
        try {
            channel.close();
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
