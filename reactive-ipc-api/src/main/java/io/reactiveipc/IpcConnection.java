package io.reactiveipc;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One conversation: a {@code Flux<Message>} in, a {@code Sinks.Many<Message>} out. A server hands out one per
 * accepted socket; an {@link IpcClient} is one that survives reconnects.
 *
 * <pre>{@code
 * connection.on("hello")
 *           .flatMap(m -> connection.emit("hello", m.data(String.class) + " world!"))
 *           .subscribe();
 * connection.outbound().tryEmitNext(Message.of("tick", 1));   // fire and forget
 * connection.emit("job", job).block(Duration.ofSeconds(1));    // know when it left
 * }</pre>
 *
 * <h2>Inbound</h2>
 * {@link #inbound()} is hot and shared by all its subscribers, which each get every message that arrives while
 * they are subscribed. Demand reaches the socket: while no subscriber requests more, up to 256 messages are held
 * and then the connection stops reading, so the peer is slowed down instead of anything being dropped.
 * Bad frames never appear here; they are published on the events as {@link IpcEvent.Failure}.
 *
 * <h2>Outbound</h2>
 * {@link #outbound()} and {@link #send(Message)} feed one queue, written in order, at most
 * {@link IpcConfig#maxQueuedMessages()} deep. When it is full, {@code tryEmitNext} returns
 * {@link Sinks.EmitResult#FAIL_OVERFLOW} and {@code send} fails with {@link IpcOverflowException}; nothing queued
 * is dropped. {@code tryEmitComplete()} closes the connection after everything queued was written;
 * {@code tryEmitError(e)} closes it at once.
 *
 * <h2>Failure</h2>
 * "Written" means handed complete to the operating system. node-ipc's protocol has no acknowledgement, so a frame
 * written to a socket that then dies may be lost with it; a frame not yet completely written is never half
 * delivered (peers discard a partial frame). What happens to unwritten messages depends on the side: see
 * {@link IpcClient} and {@link IpcServer}.
 */
public interface IpcConnection extends Disposable {

    /** For a server connection, a number unique within the server; for a client, the id it was created with. */
    String id();

    /** Messages as they arrive, in order. Completes when the connection is closed for good. */
    Flux<Message> inbound();

    /**
     * {@link #inbound()} filtered by type: node-ipc's {@code on(type, ...)}, for streams. An error thrown by an
     * operator over it (say a {@code flatMap} whose {@code data(Foo.class)} meets data that does not bind) ends
     * that subscriber's stream for good: every later message is lost to it. To answer messages, use
     * {@link #handle}, where a failure is one failed call.
     */
    default Flux<Message> on(String type) {
        requireNonNull(type, "type");
        return inbound().filter(Message.type(type));
    }

    /**
     * Answers every message of {@code type} that arrives on this connection with {@code handler} (see
     * {@link IpcHandler} for what its result means and how failures are contained). Messages a handler takes do
     * not appear on {@link #inbound()}. A handler registered here wins over one of the same type registered on
     * the server. At most {@link IpcConfig#handlerConcurrency()} calls run at once per connection; while that
     * many run, the connection stops reading (the peer is slowed down, nothing is dropped). Answers go out in the
     * order the calls finish. Disposing the returned {@code Disposable} unregisters it; registering a type again
     * replaces its handler.
     */
    Disposable handle(String type, IpcHandler handler);

    /**
     * Sends a request and emits the answer. The request is the frame of {@code Message.of(type, data)} with a
     * request id beside type and data ({@code "rid"}); the peer's answer echoes it ({@code "re"}) and is routed
     * to this {@code Mono} before {@link #inbound()}, so no inbound subscriber, slow or absent, delays it.
     * <ul>
     * <li>completes empty if the handler answered with no value;</li>
     * <li>fails with {@link IpcRemoteException} if the peer answered with an error (its code and message);</li>
     * <li>fails with {@link IpcTimeoutException} after {@link IpcConfig#requestTimeout()} (30 s by default);
     * your own {@code timeout(...)} works too, and cancelling frees the slot at once; a request that timed out or
     * was cancelled after it was written is cancelled at the peer too (an {@code "ipc.cancel"} frame: a Reactive
     * IPC peer cancels the handler's publisher and gives its place back, node-ipc ignores the frame);</li>
     * <li>fails with {@link IpcOverflowException} if {@link IpcConfig#maxPendingRequests()} are already waiting
     * or the outbound queue is full, {@link IpcClosedException} if the connection closed before the answer (for
     * a client: the socket it was written on died; a request still queued waits for the next socket).</li>
     * </ul>
     * In sync mode ({@link IpcConfig#sync()}) the request waits in the queue for the answer to the message before
     * it, and, once written, it is the one in flight: an answer with its {@code "re"} is routed as above, and so is
     * every answer with {@code "re"}; but the next message that arrives without any of our members (no
     * {@code "re"}, as from a plain node-ipc peer, which does not echo the request id) is taken as its answer,
     * node-ipc's way (the next message is the answer), and emitted here instead of reaching a handler or
     * {@link #inbound()}. A stream request is never answered that way.
     * Lazy: nothing is sent until subscribed, and each subscription sends one request.
     */
    default Mono<Message> request(String type, @Nullable Object data) {
        return request(Message.of(type, data));
    }

    /** {@link #request(String, Object)} of a message. */
    Mono<Message> request(Message message);

    /**
     * Sends a stream request and emits every answer the peer's handler produces, then completes (or fails with
     * {@link IpcRemoteException}). Demand crosses the wire: the first {@code request(n)} travels with the request
     * ({@code "credit":n}), later ones as {@code "more"} frames, so the peer never sends more than asked for.
     * Cancelling tells the peer to stop ({@code "cancel"}). There is no default timeout on a stream (use
     * {@code timeout(...)}); the connection closing fails it with {@link IpcClosedException}.
     */
    default Flux<Message> requestStream(String type, @Nullable Object data) {
        return requestStream(Message.of(type, data));
    }

    /** {@link #requestStream(String, Object)} of a message. */
    Flux<Message> requestStream(Message message);

    /** How many of this connection's requests and stream requests await answers now. */
    int pendingRequests();

    /** The peer's address as the transport names it ({@code unix:/path}, {@code tcp:127.0.0.1:52144}). */
    String remoteAddress();

    /**
     * The peer process's uid, gid and pid, on a Unix socket of the native epoll transport; empty over NIO (the JDK
     * gives names, not ids, and Netty's NIO channel does not ask), over TCP, and for a client between sockets.
     */
    default java.util.Optional<PeerCredentials> peerCredentials() {
        return java.util.Optional.empty();
    }

    /**
     * Per-connection attributes for your own use (a session, a user name), thread-safe, empty at first,
     * discarded with the connection.
     */
    ConcurrentMap<String, Object> attributes();

    /**
     * The outbound sink. Thread-safe: any thread may emit (unlike Reactor's own sinks, concurrent
     * {@code tryEmitNext} calls do not fail with {@code FAIL_NON_SERIALIZED}). The connection writes what it
     * accepts; {@code asFlux()} shows each message as it is queued (yours and the library's own frames: requests,
     * answers), hot and without replay: a subscriber without demand misses messages, the queue never waits for it.
     * It completes when the connection closes, and costs nothing while nobody subscribes.
     *
     * <p>Eager, where {@link #send(Message)} and {@link #emit} are lazy: {@code tryEmitNext(message)} queues at
     * once and returns {@code FAIL_OVERFLOW} when {@link IpcConfig#maxQueuedMessages()} are queued; there is no
     * completion signal, and a message that then cannot be written is published as an {@link IpcEvent.Failure}.
     * For a callback that must not wait; otherwise {@code emit} or {@link #send(Publisher)}.
     */
    Sinks.Many<Message> outbound();

    /**
     * Queues {@code message} when subscribed and completes once its frame was written. Fails with
     * {@link IpcOverflowException} if the queue is full, {@link IpcDataException} if the data cannot be encoded,
     * {@link IpcProtocolException} if the frame exceeds {@link IpcConfig#maxFrameSize()},
     * {@link IpcClosedException} if the connection closed first.
     */
    Mono<Void> send(Message message);

    /**
     * {@link #send(Message)} of {@code Message.of(type, data)}: node-ipc's {@code emit(type, data)}. Lazy, as
     * {@code send}: nothing is queued until the {@code Mono} is subscribed ({@code .subscribe()} to fire and
     * forget, {@code flatMap} in a chain).
     */
    default Mono<Void> emit(String type, @Nullable Object data) {
        return send(Message.of(type, data));
    }

    /**
     * Sends every message of {@code messages} in order, requesting more as earlier ones are written (at most 256
     * queued and unwritten at a time), and completes when the last was written. The first failure (the queue full
     * of other traffic, a message that cannot be encoded or is too large, the connection closing) cancels
     * {@code messages} and is signalled; messages queued before it are still written. The way to send a stream
     * fast: no {@code Mono} per message.
     */
    default Mono<Void> send(Publisher<Message> messages) {
        requireNonNull(messages, "messages");
        return Flux.from(messages).flatMapSequential(this::send, 256, 1).then();
    }

    /** Completes when the connection is closed for good. */
    Mono<Void> onDispose();
}
