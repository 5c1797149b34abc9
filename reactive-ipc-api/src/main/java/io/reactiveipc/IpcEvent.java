package io.reactiveipc;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A lifecycle event: node-ipc's callbacks as values on {@link IpcClient#events()} and {@link IpcServer#events()}.
 * {@link #nodeIpcName()} gives the name node-ipc uses for the same event.
 *
 * <pre>{@code
 * client.events()
 *       .ofType(IpcEvent.Connected.class)
 *       .subscribe(e -> System.out.println("connected"));
 * }</pre>
 */
public sealed interface IpcEvent {

    /** The name of the node-ipc event this one stands for. */
    String nodeIpcName();

    /** Server: listening on {@code address} (node-ipc {@code start}). */
    record Started(IpcAddress address) implements IpcEvent {
        public Started {
            requireNonNull(address, "address");
        }

        @Override
        public String nodeIpcName() {
            return "start";
        }
    }

    /**
     * Client: a socket is up and queued messages are being written. Server: a connection was accepted; it is
     * already among {@link IpcServer#connections()} and the broadcast set, so a broadcast issued on seeing this
     * event (on any thread) reaches it. node-ipc {@code connect}.
     */
    record Connected(IpcConnection connection) implements IpcEvent {
        public Connected {
            requireNonNull(connection, "connection");
        }

        @Override
        public String nodeIpcName() {
            return "connect";
        }
    }

    /**
     * Client: a socket closed, or an attempt to open one failed; {@code cause} says why when known
     * (node-ipc {@code disconnect}). Server: a connection closed (node-ipc {@code socket.disconnected}).
     */
    record Disconnected(IpcConnection connection, @Nullable Throwable cause) implements IpcEvent {
        public Disconnected {
            requireNonNull(connection, "connection");
        }

        @Override
        public String nodeIpcName() {
            return connection instanceof IpcClient ? "disconnect" : "socket.disconnected";
        }
    }

    /**
     * Server: a connection was closed at once because {@link IpcConfig#maxConnections()} were already open, or
     * because its TLS handshake failed ({@code reason} names why: no client certificate, an untrusted one, a
     * handshake that timed out). node-ipc has no event for the first; Node closes the socket silently.
     */
    record Rejected(String remote, String reason) implements IpcEvent {
        public Rejected {
            requireNonNull(remote, "remote");
            requireNonNull(reason, "reason");
        }

        @Override
        public String nodeIpcName() {
            return "error";
        }
    }

    /**
     * Something went wrong that did not end the stream: a failed connect attempt, a bad inbound frame
     * ({@link IpcProtocolException}), a message that could not be encoded ({@link IpcDataException}), a handler
     * call that failed or whose answer could not be sent. {@code connection} is the connection it happened on (for
     * a client, the client); {@code type} the message type involved, when there is one. node-ipc {@code error}.
     */
    record Failure(IpcConnection connection, @Nullable String type, Throwable error) implements IpcEvent {
        public Failure {
            requireNonNull(connection, "connection");
            requireNonNull(error, "error");
        }

        /** A failure not tied to one message type. */
        public Failure(IpcConnection connection, Throwable error) {
            this(connection, null, error);
        }

        @Override
        public String nodeIpcName() {
            return "error";
        }
    }

    /**
     * The last event: the client will not reconnect (disposed, retries exhausted, or {@code stopRetrying}),
     * or the server was disposed. {@code cause} is the last error when retries ran out, null on dispose.
     * node-ipc {@code destroy}.
     */
    record Destroyed(@Nullable Throwable cause) implements IpcEvent {
        @Override
        public String nodeIpcName() {
            return "destroy";
        }
    }
}
