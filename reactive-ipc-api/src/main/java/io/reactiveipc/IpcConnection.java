package io.reactiveipc;

import static java.util.Objects.requireNonNull;

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

    /** {@link #inbound()} filtered by type: node-ipc's {@code on(type, ...)}. */
    default Flux<Message> on(String type) {
        requireNonNull(type, "type");
        return inbound().filter(Message.type(type));
    }

    /**
     * The outbound sink. Thread-safe: any thread may emit (unlike Reactor's own sinks, concurrent
     * {@code tryEmitNext} calls do not fail with {@code FAIL_NON_SERIALIZED}). {@code asFlux()} cannot be
     * subscribed to: the connection is this sink's only consumer.
     */
    Sinks.Many<Message> outbound();

    /**
     * Queues {@code message} when subscribed and completes once its frame was written. Fails with
     * {@link IpcOverflowException} if the queue is full, {@link IpcDataException} if the data cannot be encoded,
     * {@link IpcProtocolException} if the frame exceeds {@link IpcConfig#maxFrameSize()},
     * {@link IpcClosedException} if the connection closed first.
     */
    Mono<Void> send(Message message);

    /** {@link #send(Message)} of {@code Message.of(type, data)}: node-ipc's {@code emit(type, data)}. */
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
