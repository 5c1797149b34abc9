package io.reactiveipc;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.spi.IpcEngine;
import io.reactiveipc.spi.IpcTransport;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A server on a Unix domain socket or TCP. Each accepted socket is an {@link IpcConnection}.
 *
 * <pre>{@code
 * IpcServer server = IpcServer.bind(IpcAddress.unix(Path.of("/tmp/app.world")), IpcConfig.defaults(),
 *                                   s -> s.handle("message", in -> Mono.just(in.data(String.class) + " world!")))
 *                             .block(Duration.ofSeconds(5));
 * }</pre>
 *
 * <h2>Unix socket files</h2>
 * The server creates the socket file with {@link IpcConfig#socketPermissions()} (owner only by default) and removes
 * it on dispose. A socket file left by a dead process is reclaimed; bind fails with an {@link IpcException} if a
 * live server answers on the path ("address in use"), or if the path is anything but a socket (it is never
 * deleted), or if its directory does not exist (created only with {@link IpcConfig#createDirectories()}).
 * The check, the reclaim and the bind happen under an advisory lock on {@code <path>.lock} beside the socket, so
 * that of servers started at once on one stale path, in one JVM or several processes, exactly one binds and the
 * others fail with "address in use". The lock file has the socket's permissions, stays empty and is left in place
 * after dispose (deleting it would open a race between a server waiting on the old file and one creating a new
 * one); it is harmless and reused by the next server on the path. node-ipc servers do not take it: one started
 * on the same path at the same moment may still race ours.
 *
 * <h2>Failure</h2>
 * A bad frame from one client is published as {@link IpcEvent.Failure} for that connection and skipped; other
 * connections never notice. Messages still queued on a connection when it closes are discarded: their
 * {@code send} fails with {@link IpcClosedException}. A connection beyond {@link IpcConfig#maxConnections()} is
 * closed at once and published as {@link IpcEvent.Rejected}; so is a TLS connection whose handshake failed (the
 * reason says why: the client sent no certificate, or one the server does not trust), and the server keeps
 * serving everyone else.
 */
public interface IpcServer extends Disposable {

    /**
     * Binds {@code address} when subscribed and emits the server once it listens. Fails with an
     * {@link IpcException} if the address is taken, not a socket, or has no transport.
     */
    static Mono<IpcServer> bind(IpcAddress address, IpcConfig config) {
        requireNonNull(address, "address");
        requireNonNull(config, "config");
        return IpcEngine.get().bindServer(null, address, config, s -> { });
    }

    /**
     * As {@link #bind(IpcAddress, IpcConfig)}, with {@code beforeAccepting} run on the server before it accepts
     * its first connection: the place to register handlers, so that a client already waiting (one that queued
     * its requests while the server was down) never meets a server without them. Handlers registered after
     * {@code bind} emits miss what arrives in between: a request finds no handler ({@code E_NO_HANDLER}), a
     * plain message goes to {@link #inbound()}.
     */
    static Mono<IpcServer> bind(IpcAddress address, IpcConfig config,
            java.util.function.Consumer<? super IpcServer> beforeAccepting) {
        requireNonNull(address, "address");
        requireNonNull(config, "config");
        requireNonNull(beforeAccepting, "beforeAccepting");
        return IpcEngine.get().bindServer(null, address, config, beforeAccepting);
    }

    /**
     * As {@link #bind(IpcAddress, IpcConfig)}, on {@code transport} instead of the default one found by
     * {@link java.util.ServiceLoader}: a transport built with options, such as TLS.
     *
     * <pre>{@code
     * IpcTransport tls = NettyTransport.builder()
     *         .tls(t -> t.privateKey(Path.of("server.key")).publicCert(Path.of("server.pem")))
     *         .build();
     * IpcServer server = IpcServer.bind(tls, IpcAddress.tcp("localhost", 8000), IpcConfig.defaults())
     *                             .block(Duration.ofSeconds(5));
     * }</pre>
     *
     * Fails with an {@link IpcException} if {@code transport} does not serve {@code address}.
     */
    static Mono<IpcServer> bind(IpcTransport transport, IpcAddress address, IpcConfig config) {
        requireNonNull(transport, "transport");
        requireNonNull(address, "address");
        requireNonNull(config, "config");
        return IpcEngine.get().bindServer(transport, address, config, s -> { });
    }

    /**
     * As {@link #bind(IpcAddress, IpcConfig, java.util.function.Consumer)}, on {@code transport} instead of the
     * default one.
     */
    static Mono<IpcServer> bind(IpcTransport transport, IpcAddress address, IpcConfig config,
            java.util.function.Consumer<? super IpcServer> beforeAccepting) {
        requireNonNull(transport, "transport");
        requireNonNull(address, "address");
        requireNonNull(config, "config");
        requireNonNull(beforeAccepting, "beforeAccepting");
        return IpcEngine.get().bindServer(transport, address, config, beforeAccepting);
    }

    /**
     * Blocking {@link #bind(IpcAddress, IpcConfig)} for {@code main} methods and tests: the server once it listens.
     * Throws the bind's {@link IpcException}, or an {@link IpcTimeoutException} if it does not listen within
     * {@code timeout} (the bind is then cancelled). Never call it on an event loop or a Reactor non-blocking thread.
     *
     * <pre>{@code
     * IpcServer server = IpcServer.bindNow(IpcAddress.unix(Path.of("/tmp/app.world")), IpcConfig.defaults(),
     *                                      Duration.ofSeconds(10));
     * }</pre>
     */
    static IpcServer bindNow(IpcAddress address, IpcConfig config, Duration timeout) {
        return bindNow(address, config, server -> { }, timeout);
    }

    /**
     * Blocking {@link #bind(IpcAddress, IpcConfig, java.util.function.Consumer)}: {@code beforeAccepting} registers
     * handlers before the first connection is accepted. Throws as {@link #bindNow(IpcAddress, IpcConfig, Duration)}.
     *
     * <pre>{@code
     * IpcServer server = IpcServer.bindNow(IpcAddress.unix(Path.of("/tmp/app.world")), IpcConfig.defaults(),
     *         s -> s.handle("message", in -> Mono.just(in.data(String.class) + " world!")),
     *         Duration.ofSeconds(10));
     * }</pre>
     */
    static IpcServer bindNow(IpcAddress address, IpcConfig config,
            java.util.function.Consumer<? super IpcServer> beforeAccepting, Duration timeout) {
        requireNonNull(timeout, "timeout");
        IpcServer server = bind(address, config, beforeAccepting)
                .timeout(timeout, Mono.error(() -> new IpcTimeoutException(
                        "the server did not listen on " + address + " within " + timeout)))
                .block();
        if (server == null) {
            throw new IpcException("binding " + address + " completed without a server");
        }
        return server;
    }

    /** The address it listens on; for TCP port 0, the port that was bound. */
    IpcAddress address();

    /**
     * The open connections, then each new one as it is accepted. A connection that closes before the subscriber
     * requests it is not delivered, so what waits for a subscriber is bounded by the open connections.
     */
    Flux<IpcConnection> connections();

    /** How many connections are open. */
    int connectionCount();

    /**
     * Every message from every connection, with the connection it came from (node-ipc's {@code (data, socket)}).
     * Subscribes to each connection's {@link IpcConnection#inbound()}, so the same rules apply.
     */
    Flux<Incoming> inbound();

    /**
     * {@link #inbound()} filtered by type: node-ipc's {@code server.on(type, (data, socket) -> ...)}, for streams.
     * It is one stream for all connections: an error thrown by an operator over it (a {@code flatMap} whose
     * {@code data(Foo.class)} meets data that does not bind, a reply to a client that left) ends it for good, and
     * every later message of every client is lost to it. To answer messages, use {@link #handle}.
     */
    default Flux<Incoming> on(String type) {
        requireNonNull(type, "type");
        return inbound().filter(in -> in.message().isType(type));
    }

    /**
     * Lifecycle: {@link IpcEvent.Started}, then {@link IpcEvent.Connected}, {@link IpcEvent.Disconnected},
     * {@link IpcEvent.Rejected} and {@link IpcEvent.Failure} as they happen, {@link IpcEvent.Destroyed} last.
     * The first subscriber ever receives every event since creation (the last 256), so nothing is missed between
     * creating and subscribing; a later subscriber receives the current state first (the latest of {@link IpcEvent.Started}
     * and {@link IpcEvent.Destroyed}; never a past connection event or Failure), then every new one. Each
     * subscriber holds at most 256 events it has not requested; beyond that its oldest are dropped (logged at WARN
     * with their count, rate-limited), so a subscriber that stops requesting never grows the heap.
     */
    Flux<IpcEvent> events();

    /**
     * Answers messages of {@code type} on every connection, open now or accepted later, with {@code handler}:
     * as {@link IpcConnection#handle}, which also says what happens when a call fails (it is one failed call; the
     * server keeps serving every client). A handler registered on a connection wins over this one.
     *
     * <pre>{@code
     * server.handle("message", in -> Mono.just(in.data(String.class) + " world!"));
     * }</pre>
     */
    Disposable handle(String type, IpcHandler handler);

    /**
     * The connection of the client known as {@code clientId}: at once if it is connected, else as soon as it
     * announces itself; completes empty if the server is disposed first. Waits as long as you let it: add a
     * {@code timeout(...)}. A Reactive IPC client announces its id as its first frame on every socket
     * ({@code {"type":"ipc.hello","data":{"id":"..."}}}, see {@link IpcConfig#identify()}); a node-ipc client does
     * not, and is known by the number the server gave it ({@code "1"}, {@code "2"}, ...). If a second client
     * announces an id in use, it takes the id over (a reconnecting client is usually why) and the first is known
     * by its number again.
     */
    Mono<IpcConnection> connection(String clientId);

    /**
     * ipcio's {@code server.emit(client, command, data)}: to the client known as {@code clientId} now. Fails with
     * {@link IpcException} if no such client is connected.
     */
    Mono<Void> emit(String clientId, String type, @Nullable Object data);

    /**
     * {@link IpcConnection#request(String, Object)} to the client known as {@code clientId} now. Fails with
     * {@link IpcException} if no such client is connected.
     */
    Mono<Message> request(String clientId, String type, @Nullable Object data);

    /** node-ipc's {@code server.emit(socket, type, data)}. */
    default Mono<Void> emit(IpcConnection connection, String type, @Nullable Object data) {
        requireNonNull(connection, "connection");
        return connection.emit(type, data);
    }

    /**
     * Sends {@code message} to every open connection and completes when it was written to each. "Open" includes
     * every connection whose {@link IpcEvent.Connected} was published before the broadcast is subscribed (a
     * welcome broadcast on {@code Connected} reaches the newcomer). The frame is
     * encoded once for all of them; if it cannot be encoded the broadcast fails with {@link IpcDataException} and
     * nothing is sent. A connection that closes meanwhile is skipped; one whose queue is full is disconnected (or,
     * with {@link PeerLimits.SlowConsumer#SKIP}, skipped with an {@link IpcEvent.Failure}) and the others still
     * receive it; one that reads nothing is disconnected after {@link PeerLimits#writeTimeout()}, so no client
     * stalls a broadcast for longer.
     */
    Mono<Void> broadcast(Message message);

    /**
     * Broadcasts every message of {@code messages} in order, each as {@link #broadcast(Message)} to the connections
     * open when it is taken, requesting more as earlier ones are written everywhere (at most 256 in flight), and
     * completes when the last was written. A message that cannot be encoded cancels {@code messages} and fails the
     * stream with {@link IpcDataException}; messages before it are still written. The way to broadcast a stream
     * fast: no {@code Mono} per message.
     */
    default Mono<Void> broadcast(Publisher<Message> messages) {
        requireNonNull(messages, "messages");
        return Flux.from(messages).flatMapSequential(this::broadcast, 256, 1).then();
    }

    /** node-ipc's {@code server.broadcast(type, data)}. */
    default Mono<Void> broadcast(String type, @Nullable Object data) {
        return broadcast(Message.of(type, data));
    }

    /**
     * Completes when the server was disposed, its socket file removed and its listening socket closed: a TCP port
     * can be bound again at once, by anyone (over NIO too, where the JDK closes the socket a moment after the
     * channel).
     */
    Mono<Void> onDispose();

    /** Stops accepting, closes every connection, removes the socket file; the events end with Destroyed. */
    @Override
    void dispose();

    /**
     * Stops the way a service should on SIGTERM, and completes once stopped:
     * <ol>
     * <li>stops accepting: the listener closes and the socket file is removed at once, so a new server may bind
     * the path while this one drains;</li>
     * <li>on every connection, writes what is queued (replies, broadcasts, emits), then half-closes it (in TLS a
     * {@code close_notify}): the client sees the end of the stream, stops writing and closes its side;</li>
     * <li>meanwhile keeps reading: every message the client wrote before it saw the end is read and delivered to
     * {@link #inbound()}, handlers and the connection's subscribers, as usual;</li>
     * <li>each connection closes when the client's end of stream arrives; when all have, the server is disposed
     * ({@link IpcEvent.Destroyed}).</li>
     * </ol>
     * After {@code timeout}, whatever is still open is closed as {@link #dispose()} does.
     *
     * <p>What is lost: a message queued on a connection after this was called (a handler's answer to a request that
     * arrived during the drain, an emit) fails with {@link IpcClosedException} and is published as a
     * {@link IpcEvent.Failure}; a request that arrived during the drain is therefore unanswered, and a Reactive IPC
     * client fails it or sends it again to the next server (see {@link IpcClient}). A connection whose messages
     * nobody takes stops reading after 256 held messages (see {@link IpcConnection}) and is closed at the timeout,
     * with what it still had unread. A Reactive IPC or node-ipc client that sees the end of the stream reconnects
     * as after any close; what it had not written yet stays in its own queue (Reactive IPC) for the next server.
     *
     * <pre>{@code
     * Runtime.getRuntime().addShutdownHook(new Thread(() ->
     *         server.disposeGracefully(Duration.ofSeconds(5)).block(Duration.ofSeconds(6))));
     * }</pre>
     *
     * Subscribing again, or after {@link #dispose()}, waits for the same end. The default disposes at once.
     */
    default Mono<Void> disposeGracefully(Duration timeout) {
        requireNonNull(timeout, "timeout");
        return Mono.defer(() -> {
            dispose();
            return onDispose();
        });
    }

    /** Blocking {@link #dispose()} for {@code main} methods and tests. */
    default void disposeNow(Duration timeout) {
        dispose();
        onDispose().block(timeout);
    }
}
