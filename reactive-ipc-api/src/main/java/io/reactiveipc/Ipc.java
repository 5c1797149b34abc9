package io.reactiveipc;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * node-ipc's {@code ipc} object: one config, clients kept by id ({@code ipc.of}), servers it started.
 *
 * <pre>{@code
 * Ipc ipc = Ipc.create(IpcConfig.builder().id("hello").build());
 * IpcClient world = ipc.connectTo("world");                 // /tmp/app.world, connecting in the background
 * world.on("message").subscribe(m -> System.out.println(m.data(String.class)));
 * ipc.of("world").orElseThrow().emit("message", "hello").subscribe();
 * ipc.disconnect("world").block(Duration.ofSeconds(1));
 * }</pre>
 *
 * Nothing here blocks: clients connect in the background, servers bind when their {@code Mono} is subscribed.
 */
public final class Ipc implements Disposable {

    private final IpcConfig config;
    private final Map<String, IpcClient> clients = new ConcurrentHashMap<>();
    private final List<IpcServer> servers = new ArrayList<>();
    /** Guarded by {@link #servers}. */
    private final List<IpcDatagramSocket> udpSockets = new ArrayList<>();
    private volatile boolean disposed;

    private Ipc(IpcConfig config) {
        this.config = config;
    }

    /** With node-ipc's defaults. */
    public static Ipc create() {
        return new Ipc(IpcConfig.defaults());
    }

    public static Ipc create(IpcConfig config) {
        return new Ipc(requireNonNull(config, "config"));
    }

    public IpcConfig config() {
        return config;
    }

    /** {@code connectTo(id)}: the Unix socket at {@code socketRoot + appspace + id}. */
    public IpcClient connectTo(String id) {
        return connectTo(id, IpcAddress.unix(config, requireNonNull(id, "id")).path());
    }

    /**
     * {@code connectTo(id, path)}: keeps the client as {@code of(id)}. If a client with this id exists and is not
     * disposed, returns it (as node-ipc does).
     */
    public IpcClient connectTo(String id, Path path) {
        requireNonNull(path, "path");
        return register(id, IpcAddress.unix(path));
    }

    /** {@code connectToNet(id)}: TCP to {@code networkHost:networkPort}. */
    public IpcClient connectToNet(String id) {
        return connectToNet(id, config.networkHost(), config.networkPort());
    }

    /** {@code connectToNet(id, port)}: TCP to {@code networkHost:port}. */
    public IpcClient connectToNet(String id, int port) {
        return connectToNet(id, config.networkHost(), port);
    }

    /** {@code connectToNet(id, host, port)}. */
    public IpcClient connectToNet(String id, String host, int port) {
        return register(id, IpcAddress.tcp(host, port));
    }

    private IpcClient register(String id, IpcAddress address) {
        requireNonNull(id, "id");
        if (disposed) {
            throw new IllegalStateException("this Ipc was disposed");
        }
        return clients.compute(id, (key, existing) -> existing != null && !existing.isDisposed()
                ? existing : IpcClient.connect(key, address, config));
    }

    /** {@code ipc.of[id]}. */
    public Optional<IpcClient> of(String id) {
        return Optional.ofNullable(clients.get(requireNonNull(id, "id")));
    }

    /** {@code disconnect(id)}: disposes the client and forgets it; completes when it is closed. */
    public Mono<Void> disconnect(String id) {
        IpcClient client = clients.remove(requireNonNull(id, "id"));
        if (client == null) {
            return Mono.empty();
        }
        client.dispose();
        return client.onDispose();
    }

    /** {@code serve()}: a Unix socket server at {@code socketRoot + appspace + id}. */
    public Mono<IpcServer> serve() {
        return serve(IpcAddress.unix(config, config.id()).path());
    }

    /** {@code serve(path)}. */
    public Mono<IpcServer> serve(Path path) {
        return track(IpcServer.bind(IpcAddress.unix(requireNonNull(path, "path")), config));
    }

    /** {@code serveNet()}: TCP on {@code networkHost:networkPort}. */
    public Mono<IpcServer> serveNet() {
        return serveNet(config.networkHost(), config.networkPort());
    }

    /** {@code serveNet(port)}. Unlike node-ipc, port 0 means a free port, not 8000. */
    public Mono<IpcServer> serveNet(int port) {
        return serveNet(config.networkHost(), port);
    }

    /** {@code serveNet(host, port)}. */
    public Mono<IpcServer> serveNet(String host, int port) {
        return track(IpcServer.bind(IpcAddress.tcp(host, port), config));
    }

    /**
     * {@code serveNet(host, port, 'udp4' | 'udp6')}: a UDP socket, which both ends of a node-ipc UDP conversation
     * bind (see {@link IpcDatagramSocket}). Unlike node-ipc, port 0 means a free port, not 8000.
     *
     * @throws IllegalArgumentException if {@code udpType} is neither {@code "udp4"} nor {@code "udp6"}
     */
    public Mono<IpcDatagramSocket> serveNet(String host, int port, String udpType) {
        requireNonNull(host, "host");
        requireNonNull(udpType, "udpType");
        IpcAddress.Udp address = switch (udpType) {
            case "udp4" -> IpcAddress.udp4(host, port);
            case "udp6" -> IpcAddress.udp6(host, port);
            default -> throw new IllegalArgumentException("udpType must be 'udp4' or 'udp6', was '" + udpType + "'");
        };
        return IpcDatagramSocket.bind(address, config).doOnNext(socket -> {
            synchronized (servers) {
                udpSockets.add(socket);
            }
            if (disposed) {
                socket.dispose();
            }
        });
    }

    private Mono<IpcServer> track(Mono<IpcServer> bind) {
        return bind.doOnNext(server -> {
            synchronized (servers) {
                servers.add(server);
            }
            if (disposed) {
                server.dispose();
            }
        });
    }

    /** Disconnects every client and disposes every server and UDP socket started here. */
    @Override
    public void dispose() {
        disposed = true;
        clients.keySet().forEach(id -> disconnect(id).subscribe(null, e -> { }));
        synchronized (servers) {
            servers.forEach(IpcServer::dispose);
            servers.clear();
            udpSockets.forEach(IpcDatagramSocket::dispose);
            udpSockets.clear();
        }
    }

    @Override
    public boolean isDisposed() {
        return disposed;
    }
}
