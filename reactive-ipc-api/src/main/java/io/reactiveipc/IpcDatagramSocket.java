package io.reactiveipc;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.spi.IpcEngine;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A bound UDP socket speaking node-ipc's frames: node-ipc's {@code ipc.serveNet(host, port, 'udp4', ...)}, which both
 * peers of a UDP conversation call. There is no connection: each datagram comes from a sender's address, and each
 * message goes to an address.
 *
 * <pre>{@code
 * IpcDatagramSocket udp = IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", 8000), IpcConfig.defaults())
 *         .block(Duration.ofSeconds(5));
 * // node-ipc's server.on('ping', (data, socket) => server.emit(socket, 'pong', data))
 * udp.on("ping").flatMap(d -> udp.emit(d.sender(), "pong", d.message().data())).subscribe();
 * udp.emit(new InetSocketAddress("127.0.0.1", 8001), "hello", "world").block(Duration.ofSeconds(5));
 * udp.broadcast("news", "to every peer heard from").subscribe();
 * }</pre>
 *
 * <h2>On the wire</h2>
 * Each message is one datagram holding one frame, {@code {"type":...,"data":...}} and {@code \f}, as node-ipc sends.
 * Inbound, a datagram may hold several frames (each is delivered) and a frame may be split across datagrams from the
 * same sender (it is reassembled per sender address and port, as node-ipc 14 does; node-ipc 10 drops those).
 * Frames are the {@link IpcConfig#codec()}'s: another {@link IpcConfig#delimiter()} works the same way (one of several
 * bytes may be split across datagrams too); in raw buffer mode ({@link IpcConfig#rawBuffer()}) each datagram is one
 * message of type {@code data} holding its bytes, and each message sent is one datagram of its bytes, as in node-ipc.
 *
 * <h2>Outbound</h2>
 * A frame with its delimiter must fit in one datagram: at most {@link #MAX_UDP4_PAYLOAD} bytes on {@code udp4},
 * {@link #MAX_UDP6_PAYLOAD} on {@code udp6} (and at most {@link IpcConfig#maxFrameSize()}). A larger message is not
 * sent: its {@code emit} fails with {@link IpcProtocolException} ({@code FRAME_TOO_LARGE}) and the socket goes on
 * working. Data that cannot be encoded fails with {@link IpcDataException}. {@code emit} completes when the datagram
 * was handed to the operating system: UDP tells nothing of delivery, so a message may still be lost, duplicated or
 * reordered on the way, and one sent to an address where nothing listens vanishes without an error.
 *
 * <h2>Inbound, and when the subscriber is slow</h2>
 * UDP cannot slow a sender down. Received messages wait in one buffer of {@link IpcConfig#maxQueuedMessages()}
 * (8192) for the slowest subscriber of {@link #inbound()} (and, before the first subscribes, for it); while it is
 * full, newly received messages are dropped, counted by {@link #dropped()}, and the first drop after a delivery is
 * published on {@link #failures()} as an {@link IpcOverflowException}. Messages are delivered on the socket's I/O
 * thread: move blocking work off it ({@code publishOn}).
 *
 * <h2>Bad input</h2>
 * A frame that is not a JSON object with a string {@code type}, one longer than {@link IpcConfig#maxFrameSize()}
 * (its bytes are skipped up to that sender's next delimiter), or a partial frame that is discarded (below), is
 * published on {@link #failures()} as an {@link IpcProtocolException} with its sender, and the sender is told with
 * one frame {@code {"type":"ipc.error","data":{"code":"E_PROTOCOL","reason":...,"message":...}}} (node-ipc peers
 * ignore it unless they listen to {@code ipc.error}). The inbound stream goes on, and other senders never notice.
 *
 * <h2>Peers and partial frames: bounds</h2>
 * Every sender is a peer, remembered for {@link #broadcast}: at most {@link IpcConfig#maxConnections()} (100) of
 * them; when one more is heard from, the least recently heard is forgotten. A peer not heard from for
 * {@link #PEER_EXPIRY} (5 minutes) is forgotten too. At most {@link #MAX_PARTIAL_SENDERS} (16) senders may have a
 * partial frame waiting for the rest; when one more starts one, the partial frame of the least recently heard of
 * them is discarded. A partial frame whose sender sent nothing more for {@link IpcConfig#requestTimeout()} (30 s,
 * node-ipc 14's {@code messageTimeout}) is discarded when the socket next receives or broadcasts. Each discarded
 * partial frame is an {@link IpcProtocolException} ({@code TRUNCATED_FRAME}) on {@link #failures()}.
 *
 * <h2>Dispose</h2>
 * {@link #dispose()} closes the socket: {@link #inbound()} and {@link #failures()} complete (messages still
 * buffered for a subscriber are delivered first), and a later {@code emit} fails with {@link IpcClosedException}.
 */
public interface IpcDatagramSocket extends Disposable {

    /** The largest UDP payload over IPv4: 65,535 minus the IPv4 header (20) and the UDP header (8). */
    int MAX_UDP4_PAYLOAD = 65_507;
    /** The largest UDP payload over IPv6 without jumbograms: 65,535 minus the UDP header (8). */
    int MAX_UDP6_PAYLOAD = 65_527;
    /** How long a peer is remembered for {@link #broadcast} after the last datagram it sent. */
    Duration PEER_EXPIRY = Duration.ofMinutes(5);
    /** How many senders may have a partial frame waiting at once. */
    int MAX_PARTIAL_SENDERS = 16;

    /**
     * Binds {@code address} when subscribed and emits the socket once it is bound. The host is resolved on a
     * thread that may block; it must have an address of the family asked for. Fails with an {@link IpcException}
     * if the address is taken or cannot be resolved, or if no UDP transport is on the class path
     * ({@code reactive-ipc-transports}).
     */
    static Mono<IpcDatagramSocket> bind(IpcAddress.Udp address, IpcConfig config) {
        requireNonNull(address, "address");
        requireNonNull(config, "config");
        return IpcEngine.get().bindDatagram(address, config);
    }

    /** The bound address (for port 0, the port that was bound): what peers {@code emit} to. */
    InetSocketAddress address();

    /** The largest frame this socket sends, delimiter included: the payload limit of its family. */
    int maxDatagramSize();

    /**
     * Every message received, with its sender. One stream for all subscribers, held to the pace of the slowest; see
     * the class comment for what is dropped when it falls behind. Completes when the socket is disposed.
     */
    Flux<Datagram> inbound();

    /** {@link #inbound()} filtered by type: node-ipc's {@code server.on(type, (data, socket) => ...)}. */
    default Flux<Datagram> on(String type) {
        requireNonNull(type, "type");
        return inbound().filter(d -> d.message().isType(type));
    }

    /**
     * Bad input, discarded partial frames, and inbound drops, as they happen; none ends {@link #inbound()}. Up to
     * 256 wait for a slow subscriber (or for the first one); beyond that, newer ones are not kept. Completes when the
     * socket is disposed.
     */
    Flux<Failure> failures();

    /** node-ipc's {@code server.emit({address, port}, type, data)}: one datagram to {@code to}. */
    default Mono<Void> emit(InetSocketAddress to, String type, @Nullable Object data) {
        return emit(to, Message.of(type, data));
    }

    /**
     * Sends {@code message} as one datagram to {@code to} when subscribed; completes when it was handed to the
     * operating system. Fails with {@link IpcProtocolException} ({@code FRAME_TOO_LARGE}) if it does not fit in one
     * datagram, {@link IpcDataException} if it cannot be encoded, {@link IpcClosedException} once disposed.
     *
     * @throws IllegalArgumentException at once if {@code to} is unresolved (resolve it first: a look-up may block),
     *         or is an IPv6 address and this socket {@code udp4}
     */
    Mono<Void> emit(InetSocketAddress to, Message message);

    /**
     * Sends every message of {@code messages} to {@code to}, in order, one datagram each, requesting more as earlier
     * ones are handed to the operating system (at most 256 in flight), and completes after the last. A message that
     * cannot be sent (too large, not encodable) cancels {@code messages} and fails the stream; the ones before it
     * were sent. The way to send a stream fast: no {@code Mono} per message.
     */
    Mono<Void> send(InetSocketAddress to, Publisher<Message> messages);

    /** {@link #broadcast(Message)} of {@code Message.of(type, data)}. */
    default Mono<Void> broadcast(String type, @Nullable Object data) {
        return broadcast(Message.of(type, data));
    }

    /**
     * node-ipc 14's {@code server.broadcast(type, data)} over UDP: one datagram to every peer heard from and still
     * remembered (see the class comment), encoded once. Completes when it was handed to the operating system for
     * each (at once if there is no peer). A datagram that cannot be sent to one peer is a {@link Failure} for that
     * peer; the others still get theirs. Fails without sending anything if the message is too large or cannot be
     * encoded.
     */
    Mono<Void> broadcast(Message message);

    /** The peers {@link #broadcast} would send to now, least recently heard first. */
    List<InetSocketAddress> peers();

    /** Messages received and dropped so far because {@link #inbound()}'s buffer was full. */
    long dropped();

    /** Completes when the socket is closed. */
    Mono<Void> onDispose();

    /** Disposes and waits, for {@code main} methods and tests. */
    default void disposeNow(Duration timeout) {
        dispose();
        onDispose().block(timeout);
    }

    /** A message and the address it came from (node-ipc's {@code (data, socket)}); reply with {@code emit(sender)}. */
    record Datagram(InetSocketAddress sender, Message message) {
        public Datagram {
            requireNonNull(sender, "sender");
            requireNonNull(message, "message");
        }

        public String type() {
            return message.type();
        }

        /** {@link Message#data(Class)} of the message. */
        public <T> @Nullable T data(Class<T> type) {
            return message.data(type);
        }
    }

    /**
     * Something that went wrong without ending the socket: bad input from {@code sender} ({@link IpcProtocolException}),
     * messages dropped because the inbound buffer was full ({@link IpcOverflowException}; {@code sender} is the
     * sender of the first dropped one), a datagram that could not be sent to {@code sender} during a broadcast.
     */
    record Failure(InetSocketAddress sender, IpcException error) {
        public Failure {
            requireNonNull(sender, "sender");
            requireNonNull(error, "error");
        }
    }
}
