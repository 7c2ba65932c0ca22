package org.uring4j.cli.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * Netty 4.2's echo server, the way its examples write one (write each read, flush when the read
 * burst ends), on its io_uring, epoll or NIO transport with {@code loops} event-loop threads
 * serving both accepts and connections.
 */
final class NettyEcho {
    private NettyEcho() {
    }

    enum Transport {
        IO_URING, EPOLL, NIO
    }

    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        static final Echo INSTANCE = new Echo();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    static EchoServers.Running start(Transport transport, InetSocketAddress bind, int loops) throws IOException {
        IoHandlerFactory handlers;
        Class<? extends ServerChannel> channel;
        switch (transport) {
            case IO_URING -> {
                if (!IoUring.isAvailable()) {
                    throw new IOException("Netty's io_uring transport is unavailable here: " + IoUring.unavailabilityCause());
                }
                handlers = IoUringIoHandler.newFactory();
                channel = IoUringServerSocketChannel.class;
            }
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IOException("Netty's epoll transport is unavailable here: " + Epoll.unavailabilityCause());
                }
                handlers = EpollIoHandler.newFactory();
                channel = EpollServerSocketChannel.class;
            }
            default -> {
                handlers = NioIoHandler.newFactory();
                channel = NioServerSocketChannel.class;
            }
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, handlers);
        Channel server;
        try {
            server = new ServerBootstrap().group(group).channel(channel)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(Echo.INSTANCE)
                    .bind(bind).sync().channel();
        } catch (InterruptedException e) {
            group.shutdownGracefully();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding", e);
        } catch (RuntimeException e) {
            group.shutdownGracefully();
            throw e;
        }
        return new EchoServers.Running() {
            @Override
            public SocketAddress address() {
                return server.localAddress();
            }

            @Override
            public void close() {
                server.close().syncUninterruptibly();
                group.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            }
        };
    }
}
