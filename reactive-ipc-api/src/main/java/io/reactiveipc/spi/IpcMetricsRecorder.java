package io.reactiveipc.spi;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcProtocolException;

/**
 * Where a server or client reports what happens on its connections, for metrics; set with
 * {@code IpcConfig.builder().metrics(recorder)}. Every method has a default that does nothing, so an
 * implementation overrides what it records; {@link #NONE}, the default, records nothing and costs nothing (the
 * engine calls a no-op method, which the JIT removes).
 *
 * <p>Reactor Netty's {@code ChannelMetricsRecorder} in our terms. The library calls {@link #forServer} once when a
 * server binds and {@link #forClient} once when a client is created, and then only the recorder it returned, from
 * any thread, often an event loop: a method must not block and should not allocate per call. Nothing here is per
 * connection id: an implementation keeps one set of meters per server or client, never one per connection.
 * {@code io.reactiveipc:reactive-ipc-micrometer} implements it with Micrometer.
 *
 * <p>What each method counts, and where: messages are counted by the engine for every transport, bytes by the
 * transports that write bytes (Unix, TCP, TLS; not the in-JVM test transport, not UDP datagram sockets).
 */
public interface IpcMetricsRecorder {

    /** Records nothing: the default. */
    IpcMetricsRecorder NONE = new IpcMetricsRecorder() {
        @Override
        public String toString() {
            return "IpcMetricsRecorder.NONE";
        }
    };

    /** How a request ended, for {@link #requestCompleted}. */
    enum Outcome {
        /** Answered (a reply or an empty answer). */
        SUCCESS,
        /** Failed: an error answer, the connection closed, a queue full, or a frame that could not be sent. */
        ERROR,
        /** No answer within {@code requestTimeout}. */
        TIMEOUT,
        /** The requester cancelled before the answer. */
        CANCEL
    }

    /** The recorder of one server bound at {@code address} (as requested; port 0 stays 0). Default: this. */
    default IpcMetricsRecorder forServer(IpcAddress address) {
        return this;
    }

    /** The recorder of one client of {@code address}. Default: this. */
    default IpcMetricsRecorder forClient(IpcAddress address) {
        return this;
    }

    /** A connection opened: a server accepted a socket, or a client connected (again). */
    default void connectionOpened() {
    }

    /** A connection counted by {@link #connectionOpened()} closed. Called once per opened connection. */
    default void connectionClosed() {
    }

    /**
     * A server closed a socket at once instead of serving it. {@code reason} is one of a few constants:
     * {@code "max.connections"}, {@code "tls"} (handshake failed), {@code "peer"} (not in {@code allowPeers}),
     * {@code "closing"} (the server is being disposed or drained).
     */
    default void connectionRefused(String reason) {
    }

    /** A client connected again after it had been connected and lost the connection. */
    default void reconnected() {
    }

    /**
     * An outbound queue to include in the queue depth: a server connection's (from accept until it closes) or a
     * client's (from creation until disposed; it outlives sockets). Sample it with {@link OutboundQueue#size()}.
     */
    default void queueOpened(OutboundQueue queue) {
    }

    /** A queue given to {@link #queueOpened} is no longer used. */
    default void queueClosed(OutboundQueue queue) {
    }

    /** A message arrived (decoded from a frame), before any routing; {@code type} is the peer's, unbounded. */
    default void messageReceived(String type) {
    }

    /** A message was taken from the queue to be written; one the socket did not finish may be counted again. */
    default void messageSent(String type) {
    }

    /** Bytes read from a socket (after TLS, before framing). */
    default void bytesReceived(long bytes) {
    }

    /** Bytes of one frame handed to a socket, delimiter included. */
    default void bytesSent(long bytes) {
    }

    /** A frame that broke the protocol was skipped; see {@link IpcProtocolException#reason()}. */
    default void protocolError(IpcProtocolException.Reason reason) {
    }

    /**
     * A fire-and-forget message could not be written (it cannot be encoded, or it is too large), or a broadcast
     * found a connection's queue full. (A send refused at once, a full queue, fails its caller and is not counted.)
     */
    default void messageDropped() {
    }

    /**
     * One {@code request(...)} ended, {@code nanos} after it was sent (on {@code Schedulers.parallel()}'s clock).
     * Streams ({@code requestStream}) are not timed.
     */
    default void requestCompleted(String type, long nanos, Outcome outcome) {
    }
}
