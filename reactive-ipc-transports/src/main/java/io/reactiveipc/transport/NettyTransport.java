package io.reactiveipc.transport;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcException;
import io.reactiveipc.internal.Reasons;
import io.reactiveipc.spi.IpcTransport;
import io.reactiveipc.spi.Link;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
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
 * Unix domain sockets and TCP over Reactor Netty, optionally in TLS. {@link java.util.ServiceLoader} creates the
 * default one (no TLS, native epoll when it loads); build your own with {@link #builder()} and pass it to
 * {@code IpcServer.bind(transport, ...)} and {@code IpcClient.connect(transport, ...)}.
 *
 * <pre>{@code
 * NettyTransport tls = NettyTransport.builder()
 *         .tls(t -> t.privateKey(Path.of("/etc/app/key.pem"))      // node-ipc's tls.private
 *                    .publicCert(Path.of("/etc/app/cert.pem"))     // node-ipc's tls.public
 *                    .trustedConnections(Path.of("/etc/app/ca.pem")))
 *         .build();
 * IpcServer server = IpcServer.bind(tls, IpcAddress.tcp("localhost", 8000), IpcConfig.defaults())
 *         .block(Duration.ofSeconds(10));
 * IpcClient client = IpcClient.connect(tls, "server", IpcAddress.tcp("localhost", 8000), IpcConfig.defaults());
 * }</pre>
 *
 * <p>A write that fails because the peer is gone (a broken pipe, a reset) ends that socket, but not before what the
 * peer sent until it went has been read: those messages are delivered, a frame it broke off is reported as
 * truncated, then the socket closes; it waits at most 1 s for the end of the peer's input. The unwritten messages go
 * back to the queue as after any close.
 *
 * <h2>TLS</h2>
 * One transport serves both ends, as node-ipc's {@code ipc.config.tls} does: a server presents
 * {@code private}/{@code public} and, when {@code requestCert}, checks the client's certificate against
 * {@code trustedConnections}; a client checks the server's against {@code trustedConnections} (the JDK's trust
 * store if none is given) and the host name it connected to, and presents {@code private}/{@code public} when
 * asked. See {@link TlsSpec} for each option and its default.
 * <ul>
 * <li>A TLS connection is a connection only once the handshake completed: the client's
 * {@link io.reactiveipc.IpcEvent.Connected} and the server's accept come after it, and nothing is written
 * before.</li>
 * <li>A client whose handshake fails (a certificate it does not trust, a host name mismatch, a timeout) has a
 * failed connect attempt: {@link io.reactiveipc.IpcEvent.Failure} with an {@link IpcException} naming the
 * reason, and it retries as after any failed attempt ({@code retry}, {@code maxRetries}, {@code stopRetrying}),
 * as node-ipc does; its queued messages wait. Set {@code maxRetries} or {@code stopRetrying} if a certificate
 * problem should end it.</li>
 * <li>A server whose handshake with a client fails (no client certificate, an untrusted one, a timeout) closes
 * that socket and publishes {@link io.reactiveipc.IpcEvent.Rejected} with the reason; no connection was ever
 * opened and every other client is served as before. In TLS 1.3 a client learns that its certificate was refused
 * only after its own handshake finished: it sees a connect, then a {@link io.reactiveipc.IpcEvent.Failure} with an
 * {@link IpcException} saying so ("TLS: the peer refused our certificate", "TLS: the peer requires a certificate
 * and none was sent"), a disconnect, and it retries.</li>
 * <li>A handshake must finish within {@link TlsSpec#handshakeTimeout} (10 s, Netty's default), else the socket
 * is closed and the attempt fails as above.</li>
 * </ul>
 */
public final class NettyTransport implements IpcTransport {

    private static final String DECODER = "ipc.frames";
    private static final String LINK = "ipc.link";
    private static final String LIMITS = "ipc.limits";

    private final boolean nativeTransport;
    private final LoopResources loops;
    private final @Nullable NettyTls tls;
    private final @Nullable Consumer<? super Channel> channelInit;

    /** The transport {@link java.util.ServiceLoader} creates: native when it loads, unless told not to. */
    public NettyTransport() {
        this(builder());
    }

    NettyTransport(boolean preferNative) {
        this(builder().nativeTransport(preferNative));
    }

    private NettyTransport(Builder b) {
        this.nativeTransport = b.nativeTransport && LoopResources.hasNativeSupport();
        this.loops = b.loops != null ? b.loops : SharedLoops.get(nativeTransport);
        this.tls = b.tls != null ? NettyTls.of(b.tls) : null;
        this.channelInit = b.channelInit;
    }

    /** A transport with options; {@code NettyTransport.builder().build()} is the default one. */
    public static Builder builder() {
        return new Builder();
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
        return listen(address, config, onLink, (remote, reason) -> { });
    }

    @Override
    public Mono<Listener> listen(IpcAddress address, IpcConfig config, Consumer<Link> onLink,
            BiConsumer<String, String> onRefused) {
        NettyTls tls = this.tls;
        if (tls != null && !tls.canServe()) {
            return Mono.error(new IpcException("cannot listen on " + address + " with TLS: the transport has no"
                    + " private/public (key and certificate), keyStore or server SslContext"));
        }
        if (config.allowPeers() != null && !(address instanceof IpcAddress.Unix && nativeTransport)) {
            return Mono.error(new IpcException("cannot listen on " + address + " with allowPeers: peer credentials"
                    + " are read only on Unix sockets of the native epoll transport"
                    + (address instanceof IpcAddress.Unix ? " (this one runs on NIO)" : "")));
        }
        AtomicLong partialFrames = new AtomicLong(); // the server's partialFrameBudget, shared by its channels
        TcpServer server = TcpServer.create()
                .runOn(loops, nativeTransport)
                .doOnChannelInit((observer, channel, remote) -> {
                    install(channel, config, partialFrames);
                    if (tls != null) {
                        tls.installServer(channel);
                    }
                    ReadToEndOnWriteFailure.install(channel);
                    if (channelInit != null) {
                        channelInit.accept(channel);
                    }
                })
                .doOnConnection(connection -> accepted(connection.channel(), onLink, onRefused));
        if (address instanceof IpcAddress.Unix unix) {
            Path path = unix.path();
            SocketAddress bindTo = unixAddress(path);
            // The path's lock is held from the check for a live server until the bind is done: of servers started
            // at once on one stale path exactly one binds, and the others find it live.
            return Mono.usingWhen(
                    Mono.fromCallable(() -> UnixSocketFiles.claim(path, config.createDirectories(),
                            config.socketPermissions())).subscribeOn(Schedulers.boundedElastic()),
                    claim -> server.bindAddress(() -> bindTo).bind()
                            .onErrorMap(e -> !(e instanceof IpcException), e -> bindFailed(address, e))
                            .publishOn(Schedulers.boundedElastic())
                            .map(bound -> {
                                try {
                                    UnixSocketFiles.secure(path, config.socketPermissions());
                                } catch (IpcException e) {
                                    bound.disposeNow();
                                    throw e;
                                }
                                return (Listener) new NettyListener(bound, unix);
                            }),
                    UnixSocketFiles::released,
                    (claim, error) -> UnixSocketFiles.released(claim),
                    UnixSocketFiles::released);
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
                .doOnChannelInit((observer, channel, r) -> {
                    install(channel, config, null);
                    if (tls != null) {
                        tls.installClient(channel, address);
                    }
                    ReadToEndOnWriteFailure.install(channel);
                    if (channelInit != null) {
                        channelInit.accept(channel);
                    }
                });
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
                // On NIO the port is free only once the selector dropped the channel, after its close future.
                return connection.onDispose().then(NioRelease.released(channel)).then(Mono.error(new IpcException(
                        "cannot connect to " + address + ": the socket connected to itself (nothing listens there"
                        + " and the kernel chose that port for the client)")));
            }
            return handshaken(connection, address);
        });
    }

    /** The link once its TLS handshake succeeded; without TLS at once. */
    private static Mono<Link> handshaken(Connection connection, IpcAddress address) {
        SslHandler ssl = NettyTls.handler(connection.channel());
        if (ssl == null) {
            return Mono.just((Link) link(connection));
        }
        return Mono.<Link>create(sink -> ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                sink.success(link(connection));
            } else {
                connection.dispose();
                sink.error(new IpcException("TLS handshake with " + address + " failed: "
                        + NettyTls.reason(f.cause()), f.cause()));
            }
        }));
    }

    /** A server's socket becomes a link once its TLS handshake succeeded; one that fails is refused. */
    private static void accepted(Channel channel, Consumer<Link> onLink, BiConsumer<String, String> onRefused) {
        NettyLink link = channel.attr(NettyLink.KEY).get();
        SslHandler ssl = NettyTls.handler(channel);
        if (ssl == null) {
            onLink.accept(link);
            return;
        }
        ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                onLink.accept(link);
            } else {
                channel.close();
                String remote = link.remote(); // a Unix socket's peer has no address of its own
                onRefused.accept(remote.isEmpty() ? channel.toString() : remote,
                        "TLS handshake failed: " + NettyTls.reason(f.cause()));
            }
        });
    }

    private static NettyLink link(Connection connection) {
        return connection.channel().attr(NettyLink.KEY).get();
    }

    /** Before the channel is registered, so no byte is read before the decoder is in place. */
    private static void install(Channel channel, IpcConfig config, @Nullable AtomicLong partialFrames) {
        FrameDecoder frames = new FrameDecoder(config.codec(), config.maxFrameSize(), config.metrics());
        NettyLink link = new NettyLink(channel, config.codec(), frames.delimiterLength(), config.maxFrameSize(),
                config.metrics());
        SlowPeerHandler limits = new SlowPeerHandler(frames, link, config.peerLimits(), partialFrames);
        channel.attr(NettyLink.KEY).set(link);
        // Reactor Netty's bridge to receive() is already there; frames must be decoded before they reach it.
        if (channel.pipeline().get(NettyPipeline.ReactiveBridge) != null) {
            channel.pipeline()
                    .addBefore(NettyPipeline.ReactiveBridge, DECODER, frames)
                    .addBefore(NettyPipeline.ReactiveBridge, LIMITS, limits)
                    .addBefore(NettyPipeline.ReactiveBridge, LINK, link);
        } else {
            channel.pipeline().addLast(DECODER, frames).addLast(LIMITS, limits).addLast(LINK, link);
        }
    }

    /** Reactor Netty does not convert between the two: epoll wants Netty's address, NIO the JDK's. */
    private SocketAddress unixAddress(Path path) {
        return nativeTransport ? new DomainSocketAddress(path.toString()) : UnixDomainSocketAddress.of(path);
    }

    private static IpcException bindFailed(IpcAddress address, Throwable e) {
        return new IpcException("cannot listen on " + address + ": " + Reasons.of(e), e);
    }

    @Override
    public String toString() {
        return "NettyTransport{" + (nativeTransport ? "epoll" : "nio") + (tls != null ? ", tls" : "") + "}";
    }

    /**
     * Netty's server channel unlinks a Unix socket path when it closes, on epoll and NIO alike. Disposed means the
     * listening socket is closed, on NIO too, where the JDK closes it a moment after the channel (see
     * {@link NioRelease}).
     */
    private static final class NettyListener implements Listener {
        private final DisposableServer server;
        private final IpcAddress address;
        private final Mono<Void> onDispose;

        NettyListener(DisposableServer server, IpcAddress address) {
            this.server = server;
            this.address = address;
            this.onDispose = server.onDispose().then(NioRelease.released(server.channel())).cache();
        }

        @Override
        public IpcAddress address() {
            return address;
        }

        @Override
        public Mono<Void> onDispose() {
            return onDispose;
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

    /**
     * Options of a {@link NettyTransport}. Mutable, for one {@link #build()}; the transport it builds is immutable.
     */
    public static final class Builder {
        private boolean nativeTransport = !"false".equalsIgnoreCase(System.getProperty("io.reactiveipc.native"));
        private @Nullable LoopResources loops;
        private @Nullable TlsSpec tls;
        private @Nullable Consumer<? super Channel> channelInit;

        private Builder() {
        }

        /**
         * Runs on every new channel, server and client side, before it is registered and after this transport's
         * handlers are in place (TLS first, then the frame decoder and the link): the place to add Netty handlers
         * of your own, such as {@code IdleStateHandler}, {@code WriteTimeoutHandler} or a {@code LoggingHandler}.
         * An outbound handler that fails a write's promise fails that message's {@code send} with an
         * {@link IpcException} whose cause is the handler's error; one that closes the channel ends the connection
         * as any closed socket does.
         *
         * <pre>{@code
         * NettyTransport.builder()
         *         .doOnChannelInit(ch -> ch.pipeline().addLast(new WriteTimeoutHandler(30)))
         *         .build();
         * }</pre>
         */
        public Builder doOnChannelInit(Consumer<? super Channel> channelInit) {
            this.channelInit = requireNonNull(channelInit, "channelInit");
            return this;
        }

        /**
         * Native epoll when it loads (default: true, unless the system property {@code io.reactiveipc.native} is
         * {@code false}); false: NIO, with {@code java.net.UnixDomainSocketAddress} for Unix sockets.
         */
        public Builder nativeTransport(boolean nativeTransport) {
            this.nativeTransport = nativeTransport;
            return this;
        }

        /**
         * Reactor Netty's event loops to run on. Default: one set of daemon loops per JVM and kind (epoll or NIO),
         * as many threads as processors (at least 2), shared by every default transport. Yours are yours to
         * dispose, after every server and client on them.
         */
        public Builder loopResources(LoopResources loops) {
            this.loops = requireNonNull(loops, "loops");
            return this;
        }

        /** TLS on every socket of the transport, server and client; called again, it adds to the same spec. */
        public Builder tls(Consumer<TlsSpec> spec) {
            requireNonNull(spec, "spec");
            if (tls == null) {
                tls = new TlsSpec();
            }
            spec.accept(tls);
            return this;
        }

        /**
         * The transport. Reads the TLS files and key stores now, on the calling thread.
         *
         * @throws IpcException naming the option, if a file cannot be read or the TLS settings do not fit together
         */
        public NettyTransport build() {
            return new NettyTransport(this);
        }
    }

    /**
     * TLS settings, in node-ipc's words where it has them ({@code ipc.config.tls}). PEM files (keys in PKCS#8,
     * {@code -----BEGIN PRIVATE KEY-----}; PKCS#1 keys need BouncyCastle's {@code bcpkix} on the class path), or
     * {@link KeyStore}s, or your own Netty {@link SslContext}s. Only the JDK's TLS provider is used unless your own
     * contexts say otherwise.
     *
     * <table>
     * <caption>Options and defaults</caption>
     * <tr><th>option</th><th>node-ipc</th><th>default</th><th>meaning</th></tr>
     * <tr><td>{@link #privateKey}, {@link #publicCert}</td><td>{@code private}, {@code public}</td><td>none</td>
     * <td>this end's key and certificate chain: required to listen; a client presents them when the server asks</td></tr>
     * <tr><td>{@link #trustedConnections}</td><td>{@code trustedConnections}</td><td>none</td><td>CA certificates:
     * a client trusts servers they signed (else the JDK's trust store); a server checks clients against them</td></tr>
     * <tr><td>{@link #requestCert}</td><td>{@code requestCert}</td><td>true when a CA is given</td><td>server: ask
     * the client for a certificate</td></tr>
     * <tr><td>{@link #rejectUnauthorized}</td><td>{@code rejectUnauthorized}</td><td>server: true when a CA is given;
     * client: true</td><td>refuse a peer whose certificate is missing (server) or not trusted. False on a client
     * trusts any server: insecure, for tests</td></tr>
     * <tr><td>{@link #hostnameVerification}</td><td>(Node's {@code checkServerIdentity})</td><td>true</td><td>client:
     * the server's certificate must name the host connected to ({@link #serverName}; for a Unix socket,
     * {@code localhost}, as Node)</td></tr>
     * <tr><td>{@link #handshakeTimeout}</td><td></td><td>10 s</td><td>a handshake not finished by then closes the
     * socket: a failed attempt on a client, a {@code Rejected} event on a server</td></tr>
     * </table>
     */
    public static final class TlsSpec {
        @Nullable Path privateKey;
        @Nullable Path publicCert;
        final List<Path> trustedConnections = new ArrayList<>();
        @Nullable Boolean requestCert;
        @Nullable Boolean rejectUnauthorized;
        @Nullable KeyStore keyStore;
        char[] keyStorePassword = new char[0];
        @Nullable KeyStore trustStore;
        @Nullable SslContext serverContext;
        @Nullable SslContext clientContext;
        boolean hostnameVerification = true;
        @Nullable String serverName;
        Duration handshakeTimeout = Duration.ofSeconds(10);

        private TlsSpec() {
        }

        /** node-ipc's {@code tls.private}: this end's private key, a PEM file (PKCS#8). */
        public TlsSpec privateKey(Path pem) {
            this.privateKey = requireNonNull(pem, "pem");
            return this;
        }

        /** node-ipc's {@code tls.public}: this end's certificate (chain), a PEM file. */
        public TlsSpec publicCert(Path pem) {
            this.publicCert = requireNonNull(pem, "pem");
            return this;
        }

        /** node-ipc's {@code tls.trustedConnections}: PEM files of the CA certificates to trust; adds to earlier ones. */
        public TlsSpec trustedConnections(Path... pems) {
            for (Path p : pems) {
                trustedConnections.add(requireNonNull(p, "pem"));
            }
            return this;
        }

        /** node-ipc's {@code tls.requestCert}: a server asks its clients for a certificate. */
        public TlsSpec requestCert(boolean requestCert) {
            this.requestCert = requestCert;
            return this;
        }

        /**
         * node-ipc's {@code tls.rejectUnauthorized}: refuse a peer without a trusted certificate. False on a client
         * accepts any server certificate and turns hostname verification off: for tests only.
         */
        public TlsSpec rejectUnauthorized(boolean rejectUnauthorized) {
            this.rejectUnauthorized = rejectUnauthorized;
            return this;
        }

        /** This end's key and certificate from a key store, instead of {@link #privateKey}/{@link #publicCert}. */
        public TlsSpec keyStore(KeyStore keyStore, char[] password) {
            this.keyStore = requireNonNull(keyStore, "keyStore");
            this.keyStorePassword = requireNonNull(password, "password").clone();
            return this;
        }

        /** The certificates to trust from a key store, instead of {@link #trustedConnections}. */
        public TlsSpec trustStore(KeyStore trustStore) {
            this.trustStore = requireNonNull(trustStore, "trustStore");
            return this;
        }

        /** Your own server context, used as it is for listening (the other options do not change it). */
        public TlsSpec serverContext(SslContext context) {
            if (!requireNonNull(context, "context").isServer()) {
                throw new IllegalArgumentException("serverContext: a client SslContext was given");
            }
            this.serverContext = context;
            return this;
        }

        /**
         * Your own client context, used as it is for connecting (the other options do not change it; its own
         * endpoint identification decides hostname verification).
         */
        public TlsSpec clientContext(SslContext context) {
            if (!requireNonNull(context, "context").isClient()) {
                throw new IllegalArgumentException("clientContext: a server SslContext was given");
            }
            this.clientContext = context;
            return this;
        }

        /**
         * Client: check that the server's certificate names the host connected to (default true). False accepts
         * any certificate the trusted CAs signed, whatever host it was made for: only where every holder of such a
         * certificate may act as this server.
         */
        public TlsSpec hostnameVerification(boolean verify) {
            this.hostnameVerification = verify;
            return this;
        }

        /**
         * Client: the name to check the server's certificate against (and to send as SNI), instead of the TCP host
         * or, for a Unix socket, {@code localhost}.
         */
        public TlsSpec serverName(String serverName) {
            this.serverName = requireNonNull(serverName, "serverName");
            return this;
        }

        /** How long a handshake may take (default 10 s); then the socket is closed. */
        public TlsSpec handshakeTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be positive");
            }
            this.handshakeTimeout = timeout;
            return this;
        }
    }
}
