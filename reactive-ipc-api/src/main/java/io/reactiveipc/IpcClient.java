package io.reactiveipc;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.spi.IpcEngine;
import io.reactiveipc.spi.IpcTransport;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A client that connects, reconnects as configured, and keeps one {@link #inbound()}, one {@link #outbound()}
 * and one {@link #events()} across all its sockets.
 *
 * <pre>{@code
 * IpcClient world = IpcClient.connect("world", IpcAddress.unix(Path.of("/tmp/app.world")), IpcConfig.defaults());
 * world.on("message").subscribe(m -> System.out.println(m.data(String.class)));
 * world.emit("message", "hello").subscribe();   // queued until connected
 * }</pre>
 *
 * <h2>Reconnect</h2>
 * As node-ipc: {@link IpcConfig#retry()} between attempts, at most {@link IpcConfig#maxRetries()} consecutive
 * failures per outage (the count resets on each successful connect), {@link IpcConfig#stopRetrying()} over the
 * client's life; or any {@link reactor.util.retry.Retry} given as {@link IpcConfig#reconnect()}. Each failed
 * attempt publishes {@link IpcEvent.Failure} then {@link IpcEvent.Disconnected}; when no attempt is left the
 * events end with {@link IpcEvent.Destroyed}.
 *
 * <h2>Queue while disconnected</h2>
 * The outbound queue belongs to the client, not to a socket: what is emitted before the first connect or during
 * an outage is kept in order (up to {@link IpcConfig#maxQueuedMessages()}) and written when a socket is up.
 * Frames that a dying socket had not completely written go back to the head of the queue and are written on the
 * next socket; frames it had written are not sent again (node-ipc has no acknowledgement, so those may be lost).
 * On dispose, or once the client is destroyed, whatever is still queued is discarded and its {@code send} fails
 * with {@link IpcClosedException}.
 */
public interface IpcClient extends IpcConnection {

    /**
     * Creates a client and starts connecting at once, as node-ipc's {@code connectTo(id, path)}. Never blocks.
     *
     * @param id the name this client gives the server it connects to, as node-ipc's {@code connectTo} id (its
     *     {@code ipc.of[id]}): {@link #id()} returns it, and logs and events name the connection by it. It is not
     *     the id this client announces to the server; that is {@link IpcConfig#id()} (the host name unless set).
     * @param address where the server listens
     * @param config the client's options
     */
    static IpcClient connect(String id, IpcAddress address, IpcConfig config) {
        requireNonNull(id, "id");
        requireNonNull(address, "address");
        requireNonNull(config, "config");
        return IpcEngine.get().connectClient(null, id, address, config);
    }

    /**
     * As {@link #connect(String, IpcAddress, IpcConfig)}, on {@code transport} instead of the default one found by
     * {@link java.util.ServiceLoader}: a transport built with options, such as TLS.
     *
     * <pre>{@code
     * IpcTransport tls = NettyTransport.builder()
     *         .tls(t -> t.trustedConnections(Path.of("ca.pem")))
     *         .build();
     * IpcClient world = IpcClient.connect(tls, "world", IpcAddress.tcp("localhost", 8000), IpcConfig.defaults());
     * }</pre>
     *
     * @throws IpcException if {@code transport} does not serve {@code address}
     */
    static IpcClient connect(IpcTransport transport, String id, IpcAddress address, IpcConfig config) {
        requireNonNull(transport, "transport");
        requireNonNull(id, "id");
        requireNonNull(address, "address");
        requireNonNull(config, "config");
        return IpcEngine.get().connectClient(transport, id, address, config);
    }

    /** Where it connects. */
    IpcAddress address();

    /** True while a socket is up. */
    boolean isConnected();

    /**
     * Completes when a socket is up: at once if one is now, else at the next connect. Fails with
     * {@link IpcClosedException} if the client is destroyed first (disposed, or out of retries: the last error is
     * the cause). Nothing needs it before sending: messages emitted earlier are queued and written on connect.
     *
     * <pre>{@code
     * IpcClient world = IpcClient.connect("world", address, IpcConfig.defaults());
     * world.connected().block(Duration.ofSeconds(10));   // in a main method; else chain it: connected().then(...)
     * }</pre>
     */
    Mono<Void> connected();

    /**
     * Lifecycle across reconnects: {@link IpcEvent.Connected}, {@link IpcEvent.Disconnected},
     * {@link IpcEvent.Failure}, and {@link IpcEvent.Destroyed} last.
     * The first subscriber ever receives every event since creation (the last 256), so nothing is missed between
     * creating and subscribing; a later subscriber receives the current state first (the latest of {@link IpcEvent.Connected},
     * {@link IpcEvent.Disconnected}, {@link IpcEvent.Destroyed}; never a past Failure), then every new one. Each
     * subscriber holds at most 256 events it has not requested; beyond that its oldest are dropped (logged at WARN
     * with their count, rate-limited), so a subscriber that stops requesting never grows the heap.
     */
    Flux<IpcEvent> events();

    /**
     * Sends a message to another client of the same server, relayed by the server (ipcio's client
     * {@code emit(client, command, data)}); the receiver sees {@link Message#from()} set to this client's id.
     * Completes when written to the server, as {@link #emit}. The server may refuse to relay
     * ({@link IpcConfig#relayPolicy()}) or not know {@code clientId}: the message is then not delivered and this
     * client publishes an {@link IpcEvent.Failure} with an {@link IpcRemoteException} ({@code E_REFUSED},
     * {@code E_NO_CLIENT}). On the wire: the frame with {@code "to":"clientId"}.
     */
    Mono<Void> emitTo(String clientId, String type, @Nullable Object data);

    /**
     * A request to another client, relayed by the server both ways (ipcio's {@code deliver(client, ...)}): as
     * {@link #request(String, Object)}, and it fails with {@link IpcRemoteException} {@code E_NO_CLIENT} or
     * {@code E_REFUSED} when the server cannot or will not relay it.
     */
    Mono<Message> requestTo(String clientId, String type, @Nullable Object data);

    /**
     * Sends a message to every other client of the server, relayed by it (ipcio's client {@code broadcast}),
     * not to this client and not to the server's own handlers. Completes when written to the server.
     */
    Mono<Void> broadcast(String type, @Nullable Object data);

    /** The server's handler types and the ids of its connected clients (ipcio's {@code discover}). */
    Mono<Discovery> discover();

    /**
     * Stops without dropping what is queued, and completes once stopped: no more reconnects; everything queued is
     * written; then the socket is half-closed (the server reads to its end and closes, as a Reactive IPC or node-ipc
     * server does on end of stream); what the server sent until then is delivered to {@link #inbound()}; then the
     * client is disposed. After {@code timeout}, or at once if no socket is up, it is disposed as by
     * {@link #dispose()}: messages still queued fail with {@link IpcClosedException}. A message sent after this was
     * called fails the same way; a request still awaiting its answer when the server closes fails with it.
     * The default disposes at once.
     *
     * <pre>{@code
     * client.emit("bye", null).subscribe();
     * client.disposeGracefully(Duration.ofSeconds(5)).block(Duration.ofSeconds(6));  // "bye" was written
     * }</pre>
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
