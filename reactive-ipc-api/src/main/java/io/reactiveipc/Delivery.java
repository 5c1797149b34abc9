package io.reactiveipc;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.ToLongFunction;

/**
 * How a client's messages reach a Reactive IPC server: {@link #PLAIN} (node-ipc's way: a message counts as sent
 * once written to the socket) or {@link #ACKNOWLEDGED} (a message is kept until the server acknowledges it, and
 * replayed after a reconnect). Immutable; each {@code with}-style method returns a copy.
 *
 * <pre>{@code
 * IpcConfig config = IpcConfig.builder().delivery(Delivery.ACKNOWLEDGED).build();
 * IpcClient client = IpcClient.connect("jobs", address, config);
 * client.send(Flux.range(1, 100_000).map(i -> Message.of("job", i))).block(); // completes when all were acked
 * }</pre>
 *
 * <h2>The wire</h2>
 * An acknowledged client stamps each message it sends with {@code "seq":n} (1, 2, 3... per client instance) as
 * an extra member after {@code data}; its {@code ipc.hello} carries a {@code "session"} (a random token made when
 * the client is created). The server answers the hello and then every delivered stretch with
 * {@code {"type":"ipc.ack","data":null,"ack":n}}: every message up to {@code n} was delivered. node-ipc peers
 * ignore the extra members and see plain {@code {type,data}} frames (proven against node-ipc 10 and 14).
 *
 * <h2>What each side does</h2>
 * <ul>
 * <li><b>Sender (client).</b> Every message given to {@code send}, {@code emit}, {@code send(Publisher)} or
 * {@code outbound()} is held in a replay buffer until acknowledged; {@code send(Message)}/{@code emit} complete
 * when it was acknowledged, {@code send(Publisher)} keeps at most 2048 unacknowledged (back pressure by acks). After
 * a reconnect, what was written but not acknowledged is written again first, in order, with its own sequence
 * number. The buffer holds at most {@link #replayLimit()} messages (default 8192); one more fails at once with
 * {@link IpcOverflowException} (an {@code emit}/{@code send} fails, a {@code send(Publisher)} fails and cancels its
 * source) — nothing is dropped silently. Requests, answers and relayed messages ({@code emitTo}, {@code broadcast})
 * are not sequenced: they keep their own answers and timeouts.</li>
 * <li><b>Receiver (server).</b> A message is acknowledged once it was handed to the application: the connection's
 * {@code inbound()} subscriber's {@code onNext} returned for it (or a handler was called with it). Operators that
 * buffer between the connection and your code (a {@code publishOn}, a {@code flatMap} without demand) move that
 * point to where they buffer. Acks are batched: one per {@link #ackEvery()} messages (default 64) or after
 * {@link #ackDelay()} (default 10 ms), whichever comes first. A message whose sequence number the session has seen
 * is dropped (a replayed duplicate). Per session the server keeps two numbers; it keeps at most
 * {@link #sessionLimit()} sessions (default 4096, the least recently seen forgotten first) and forgets a session
 * {@link #sessionExpiry()} after it was last seen (default 10 minutes).</li>
 * <li><b>Server to client.</b> An acknowledged client also acknowledges what the server sends it (its hello says
 * {@code "acks":true}; the same cumulative acks and batching). To such a client the server sequences what a
 * connection's {@code send}, {@code emit}, {@code send(Publisher)} and {@code outbound()} carry and what
 * {@code server.emit(clientId, ..)} carries, holds it per session until acknowledged (at most the server's
 * {@link #replayLimit()}, and all sessions together at most {@link #replayBudget()}; one more is refused at once, as
 * on the client) and writes what is held first, in order, on
 * the session's next socket; the client drops what it already has. The session outlives its socket: a closed
 * connection's sends, and {@code server.emit} to the client's id, are held for it until it comes back or
 * {@link #sessionExpiry()} after its last socket closed, when what is held fails with {@link IpcClosedException}
 * and a Failure event says so. Broadcasts, relayed messages, requests and answers stay plain. What a connection
 * sends before its client's hello was read is plain: take the connection from {@code server.connection(id)} or a
 * handler. node-ipc clients never say they acknowledge and get plain frames.</li>
 * <li><b>Negotiation.</b> A server answers a session hello whatever its own setting. A peer that sends no ack
 * within {@link #ackTimeout()} of a socket coming up (default 5 s; node-ipc never does) is taken as not
 * ack-capable: the client falls back to plain delivery for the rest of its life (a message counts as delivered
 * once written; what was written and is held is released), and publishes a Failure event saying so.
 * Acknowledged delivery needs node-ipc's JSON frames, {@code identify(true)} and no {@code sync}.</li>
 * </ul>
 *
 * <h2>The guarantee</h2>
 * No message is lost while the client lives: a server that dies (even SIGKILL) before acknowledging gets it again
 * from the restarted server's point of view. Duplicates are dropped by a live server process. Across a server
 * crash the restarted process knows nothing of the session, so it gets again what was delivered but not yet
 * acknowledged (at most {@code ackEvery} messages, or {@code ackDelay}'s worth): <b>at-least-once</b>. A receiver
 * that records {@link Message#sequence()} with its own durable state and tells the library where it stands with
 * {@link #resume(ToLongFunction)} gets <b>exactly-once</b> across its own crashes. A client that dies loses what it
 * held (the replay buffer is in memory). Server to client the same holds the other way: nothing is lost while the
 * server process lives and the client comes back within {@link #sessionExpiry()}; the client drops duplicates
 * (one numbering per session: two numbers); a server that dies, or a session that expires, loses what it held.
 */
public final class Delivery {

    /** node-ipc's delivery: written means sent. */
    public static final Delivery PLAIN = new Delivery(false, 8192, Duration.ofMillis(10), 64, 4096,
            Duration.ofMinutes(10), Duration.ofSeconds(5), session -> 0L, 65_536);

    /** Acknowledged delivery with the defaults stated above. */
    public static final Delivery ACKNOWLEDGED = PLAIN.acknowledged(true);

    private final boolean acknowledged;
    private final int replayLimit;
    private final Duration ackDelay;
    private final int ackEvery;
    private final int sessionLimit;
    private final Duration sessionExpiry;
    private final Duration ackTimeout;
    private final ToLongFunction<String> resume;
    private final int replayBudget;

    private Delivery(boolean acknowledged, int replayLimit, Duration ackDelay, int ackEvery, int sessionLimit,
            Duration sessionExpiry, Duration ackTimeout, ToLongFunction<String> resume, int replayBudget) {
        check(replayLimit > 0, "replayLimit must be positive, was " + replayLimit);
        check(replayBudget > 0, "replayBudget must be positive, was " + replayBudget);
        check(ackEvery > 0, "ackEvery must be positive, was " + ackEvery);
        check(sessionLimit > 0, "sessionLimit must be positive, was " + sessionLimit);
        check(!ackDelay.isNegative() && !ackDelay.isZero(), "ackDelay must be positive");
        check(!sessionExpiry.isNegative() && !sessionExpiry.isZero(), "sessionExpiry must be positive");
        check(!ackTimeout.isNegative() && !ackTimeout.isZero(), "ackTimeout must be positive");
        this.acknowledged = acknowledged;
        this.replayLimit = replayLimit;
        this.ackDelay = ackDelay;
        this.ackEvery = ackEvery;
        this.sessionLimit = sessionLimit;
        this.sessionExpiry = sessionExpiry;
        this.ackTimeout = ackTimeout;
        this.resume = resume;
        this.replayBudget = replayBudget;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private Delivery acknowledged(boolean on) {
        return new Delivery(on, replayLimit, ackDelay, ackEvery, sessionLimit, sessionExpiry, ackTimeout, resume,
                replayBudget);
    }

    /** Whether a client sends acknowledged. */
    public boolean isAcknowledged() {
        return acknowledged;
    }

    /**
     * Messages a client holds until acknowledged, and a server per acknowledging client session (the server's own
     * setting); default 8192.
     */
    public int replayLimit() {
        return replayLimit;
    }

    /** Sender: at most this many messages held unacknowledged; one more fails with {@link IpcOverflowException}. */
    public Delivery replayLimit(int messages) {
        return new Delivery(acknowledged, messages, ackDelay, ackEvery, sessionLimit, sessionExpiry, ackTimeout, resume,
                replayBudget);
    }

    /** Receiver: longest wait before an ack is sent for what was delivered; default 10 ms. */
    public Duration ackDelay() {
        return ackDelay;
    }

    public Delivery ackDelay(Duration delay) {
        return new Delivery(acknowledged, replayLimit, requireNonNull(delay, "delay"), ackEvery, sessionLimit,
                sessionExpiry, ackTimeout, resume, replayBudget);
    }

    /** Receiver: an ack is sent at once after this many delivered messages; default 64. */
    public int ackEvery() {
        return ackEvery;
    }

    public Delivery ackEvery(int messages) {
        return new Delivery(acknowledged, replayLimit, ackDelay, messages, sessionLimit, sessionExpiry, ackTimeout,
                resume, replayBudget);
    }

    /** Receiver: sessions whose dedupe state is kept; default 4096, least recently seen forgotten first. */
    public int sessionLimit() {
        return sessionLimit;
    }

    public Delivery sessionLimit(int sessions) {
        return new Delivery(acknowledged, replayLimit, ackDelay, ackEvery, sessions, sessionExpiry, ackTimeout, resume,
                replayBudget);
    }

    /**
     * Receiver: a session not seen for this long is forgotten; default 10 minutes. A server also drops what it holds
     * for an acknowledging client this long after the client's last socket closed.
     */
    public Duration sessionExpiry() {
        return sessionExpiry;
    }

    public Delivery sessionExpiry(Duration expiry) {
        return new Delivery(acknowledged, replayLimit, ackDelay, ackEvery, sessionLimit,
                requireNonNull(expiry, "expiry"), ackTimeout, resume, replayBudget);
    }

    /**
     * Server: messages all acknowledging client sessions' outboxes hold together, connected or not; default 65,536:
     * 8 full {@link #replayLimit()}s or 32 full {@code send(Publisher)} windows of 2,048, and 12 to 20 MiB of heap
     * for small messages (measured: 180 to 320 bytes a held message), about 80 MiB with 1 KiB payloads, which fits the
     * default heap (a quarter of the memory) of a 1 GiB machine. Without it {@link #sessionLimit()} x
     * {@link #replayLimit()} is 33 M messages (6 GiB and more). A message that would go past it, to any session, is
     * first given room by dropping the session whose client has been away (no socket) the longest and holds
     * something (its held sends fail with {@link IpcClosedException}, a Failure event says so, as at its
     * {@link #sessionExpiry()}); with none away, the connected session that holds something and has acknowledged
     * nothing for the longest, if that is at least {@link #ackTimeout()} (5 s, where acks come every 10 ms): the
     * same, and its connection is closed with that reason (its client may come back, to a new numbering). A client
     * that said it acknowledges and stopped, or whose application stopped taking what it gets, cannot keep the
     * others' room for as long as it stays connected. With neither it is refused at once, as by a full
     * {@link #replayLimit()}: {@code emit}/{@code send} fail with {@link IpcOverflowException},
     * {@code outbound().tryEmitNext} returns {@code FAIL_OVERFLOW}, a {@code send(Publisher)} fails and cancels its
     * source. Nothing is dropped silently; acks free room. The session the message is for is never dropped for it; a
     * dropped session keeps its dedupe state (what its client sends is still filtered) and gets a new numbering when
     * it comes back. Plain clients and node-ipc peers never count: nothing sent to them is held.
     */
    public int replayBudget() {
        return replayBudget;
    }

    /** Server: see {@link #replayBudget()}. */
    public Delivery replayBudget(int messages) {
        return new Delivery(acknowledged, replayLimit, ackDelay, ackEvery, sessionLimit, sessionExpiry, ackTimeout,
                resume, messages);
    }

    /**
     * Sender: how long a socket may be up without an ack before the peer is taken as plain; default 5 s. Server: how
     * long a connected acknowledging client may acknowledge nothing while it is sent something before, with the
     * {@link #replayBudget()} spent, its session may be dropped to make room.
     */
    public Duration ackTimeout() {
        return ackTimeout;
    }

    public Delivery ackTimeout(Duration timeout) {
        return new Delivery(acknowledged, replayLimit, ackDelay, ackEvery, sessionLimit, sessionExpiry,
                requireNonNull(timeout, "timeout"), resume, replayBudget);
    }

    /**
     * Receiver: where the application stands when a session is first seen by this process (or again after it
     * was forgotten): the highest sequence number of that session it already has, 0 for none. Messages up to it
     * are dropped as duplicates and acknowledged. Called on an I/O thread: answer from memory. Default: 0.
     */
    public Delivery resume(ToLongFunction<String> lastDelivered) {
        return new Delivery(acknowledged, replayLimit, ackDelay, ackEvery, sessionLimit, sessionExpiry, ackTimeout,
                requireNonNull(lastDelivered, "lastDelivered"), replayBudget);
    }

    /** The {@link #resume(ToLongFunction)} function. */
    public ToLongFunction<String> resume() {
        return resume;
    }

    @Override
    public String toString() {
        return "Delivery{" + (acknowledged ? "acknowledged" : "plain") + ", replayLimit=" + replayLimit
                + ", ackDelay=" + ackDelay + ", ackEvery=" + ackEvery + ", sessionLimit=" + sessionLimit
                + ", sessionExpiry=" + sessionExpiry + ", ackTimeout=" + ackTimeout + ", replayBudget=" + replayBudget
                + "}";
    }
}
