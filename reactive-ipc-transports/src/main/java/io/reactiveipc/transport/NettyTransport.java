package io.reactiveipc.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.unix.DomainSocketAddress;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcException;
import io.reactiveipc.spi.IpcTransport;
import io.reactiveipc.spi.Link;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * Unix domain sockets and TCP over Reactor Netty. Registered with {@link java.util.ServiceLoader}; public only
 * for that.
 */
public final class NettyTransport implements IpcTransport {

    private static final String DECODER = "ipc.frames";
    private static final String LINK = "ipc.link";

    private final boolean nativeTransport;
    private final LoopResources loops;

    /** The transport {@link java.util.ServiceLoader} creates: native when it loads, unless told not to. */
    public NettyTransport() {
        this(!"false".equalsIgnoreCase(System.getProperty("io.reactiveipc.native")));
    }

    NettyTransport(boolean preferNative) {
        this.nativeTransport = preferNative && LoopResources.hasNativeSupport();
        this.loops = SharedLoops.get(nativeTransport);
    }

    /** True if this instance runs on epoll (and uses Netty's DomainSocketAddress), false on NIO. */
    boolean isNative() {
        return nativeTransport;
    }

    @Override
    public boolean supports(IpcAddress address) {
        return address instanceof IpcAddress.Unix || address instanceof IpcAddress.Tcp;
    }

    @Override
    public Mono<Listener> listen(IpcAddress address, IpcConfig config, Consumer<Link> onLink) {
        TcpServer server = TcpServer.create()
                .runOn(loops, nativeTransport)
                .doOnChannelInit((observer, channel, remote) -> install(channel, config))
                .doOnConnection(connection -> onLink.accept(connection.channel().attr(NettyLink.KEY).get()));
        if (address instanceof IpcAddress.Unix unix) {
            Path path = unix.path();
            SocketAddress bindTo = unixAddress(path);
            return Mono.fromRunnable(() -> UnixSocketFiles.prepare(path))
                    .subscribeOn(Schedulers.boundedElastic())
                    .then(server.bindAddress(() -> bindTo).bind())
                    .onErrorMap(e -> !(e instanceof IpcException), e -> bindFailed(address, e))
                    .publishOn(Schedulers.boundedElastic())
                    .map(bound -> {
                        try {
                            UnixSocketFiles.secure(path, config.socketPermissions());
                        } catch (IpcException e) {
                            bound.disposeNow();
                            throw e;
                        }
                        return new NettyListener(bound, unix);
                    });
        }
        IpcAddress.Tcp tcp = (IpcAddress.Tcp) address;
        return server.host(tcp.host()).port(tcp.port())
                .option(ChannelOption.SO_REUSEADDR, true)
                .bind()
                .subscribeOn(Schedulers.boundedElastic()) // may resolve a host name
                .onErrorMap(e -> !(e instanceof IpcException), e -> bindFailed(address, e))
                .map(bound -> new NettyListener(bound,
                        IpcAddress.tcp(tcp.host(), ((InetSocketAddress) bound.address()).getPort())));
    }

    @Override
    public Mono<Link> connect(IpcAddress address, IpcConfig config) {
        return connect(address, config, null);
    }

    /** {@code localAddress}: bind the client end first (tests use it to force a TCP self-connect). */
    Mono<Link> connect(IpcAddress address, IpcConfig config, @Nullable SocketAddress localAddress) {
        SocketAddress remote = address instanceof IpcAddress.Unix unix
                ? unixAddress(unix.path())
                : InetSocketAddress.createUnresolved(((IpcAddress.Tcp) address).host(), ((IpcAddress.Tcp) address).port());
        TcpClient client = TcpClient.newConnection()
                .runOn(loops, nativeTransport)
                .remoteAddress(() -> remote)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        config.connectTimeout().toMillis()))
                .doOnChannelInit((observer, channel, r) -> install(channel, config));
        if (localAddress != null) {
            client = client.bindAddress(() -> localAddress);
        }
        // Reactor Netty keeps the connect's sink for the channel's life: detached, it does not also keep the
        // caller's operators (a few hundred bytes for every idle client).
        return client.connect().onTerminateDetach().flatMap(connection -> {
            // With nothing listening on a local port in the ephemeral range, the kernel may give the client that
            // very port, and TCP's simultaneous open connects the socket to itself. That is no server.
            Channel channel = connection.channel();
            if (channel.localAddress() instanceof InetSocketAddress local && local.equals(channel.remoteAddress())) {
                // Abortive close: a graceful one would hold the port in TIME_WAIT for a minute, and the server
                // that should come up there could not bind.
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
                connection.dispose();
                return connection.onDispose().then(Mono.error(new IpcException("cannot connect to " + address + ": the socket connected to"
                        + " itself (nothing listens there and the kernel chose that port for the client)")));
            }
            return Mono.just((Link) link(connection));
        });
    }

    private static NettyLink link(Connection connection) {
        return connection.channel().attr(NettyLink.KEY).get();
    }

    /** Before the channel is registered, so no byte is read before the decoder is in place. */
    private static void install(Channel channel, IpcConfig config) {
        FrameDecoder frames = new FrameDecoder(config.codec(), config.maxFrameSize());
        NettyLink link = new NettyLink(channel, config.codec(), frames.delimiterLength(), config.maxFrameSize());
        channel.attr(NettyLink.KEY).set(link);
        // Reactor Netty's bridge to receive() is already there; frames must be decoded before they reach it.
        if (channel.pipeline().get(NettyPipeline.ReactiveBridge) != null) {
            channel.pipeline()
                    .addBefore(NettyPipeline.ReactiveBridge, DECODER, frames)
                    .addBefore(NettyPipeline.ReactiveBridge, LINK, link);
        } else {
            channel.pipeline().addLast(DECODER, frames).addLast(LINK, link);
        }
    }

    /** Reactor Netty does not convert between the two: epoll wants Netty's address, NIO the JDK's. */
    private SocketAddress unixAddress(Path path) {
        return nativeTransport ? new DomainSocketAddress(path.toString()) : UnixDomainSocketAddress.of(path);
    }

    private static IpcException bindFailed(IpcAddress address, Throwable e) {
        return new IpcException("cannot listen on " + address + ": " + e, e);
    }

    @Override
    public String toString() {
        return "NettyTransport{" + (nativeTransport ? "epoll" : "nio") + "}";
    }

    /** Netty's server channel unlinks a Unix socket path when it closes, on epoll and NIO alike. */
    private static final class NettyListener implements Listener {
        private final DisposableServer server;
        private final IpcAddress address;

        NettyListener(DisposableServer server, IpcAddress address) {
            this.server = server;
            this.address = address;
        }

        @Override
        public IpcAddress address() {
            return address;
        }

        @Override
        public Mono<Void> onDispose() {
            return server.onDispose();
        }

        @Override
        public void dispose() {
            server.dispose();
        }

        @Override
        public boolean isDisposed() {
            return server.isDisposed();
        }
    }
}
