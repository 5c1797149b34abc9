package io.reactiveipc;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * A message together with the connection it came from: what a handler ({@link IpcConnection#handle}) and
 * {@link IpcServer#inbound()} give you (node-ipc's {@code (data, socket)}).
 *
 * <pre>{@code
 * server.handle("add", in -> {
 *     Add add = in.data(Add.class);
 *     return Mono.just(add.a() + add.b());
 * });
 * }</pre>
 */
public record Incoming(IpcConnection connection, Message message) {

    public Incoming {
        requireNonNull(connection, "connection");
        requireNonNull(message, "message");
    }

    public String type() {
        return message.type();
    }

    /** {@link Message#data(Class)} of the message. */
    public <T> @Nullable T data(Class<T> type) {
        return message.data(type);
    }

    /** The id of the client that sent it through the server, or null if the peer sent it itself. */
    public @Nullable String from() {
        return message.from();
    }

    /**
     * Sends a message back on the connection this one came from; for a message relayed from another client, back
     * to that client through the server. A handler answers a request by returning its answer instead.
     */
    public Mono<Void> reply(String type, @Nullable Object data) {
        String from = message.from();
        return from != null && connection instanceof IpcClient client
                ? client.emitTo(from, type, data)
                : connection.emit(type, data);
    }
}
