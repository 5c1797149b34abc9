package io.reactiveipc;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Time limits and slow peers: what a server (and a client, where it applies) does about a peer that sends half a
 * frame and stops, that stops reading, or that holds a connection slot doing nothing. Immutable; set it with
 * {@link IpcConfig.Builder#peerLimits(java.util.function.UnaryOperator)}:
 *
 * <pre>{@code
 * IpcConfig config = IpcConfig.builder()
 *         .peerLimits(limits -> limits.writeTimeout(Duration.ofSeconds(5)).slowConsumer(PeerLimits.SlowConsumer.SKIP))
 *         .build();
 * }</pre>
 *
 * <table>
 * <caption>Limits and defaults</caption>
 * <tr><th>limit</th><th>default</th><th>what happens when it is hit</th></tr>
 * <tr><td>frameTimeout</td><td>10 s</td><td>a frame started but not finished (no delimiter yet) within this time,
 * counted while the connection is reading, is a protocol error ({@link IpcProtocolException.Reason#FRAME_TIMEOUT}):
 * it is published as an {@link IpcEvent.Failure}, the partial frame is discarded, the peer gets an error frame
 * (reason {@code FRAME_TIMEOUT}) and the connection is closed once it is flushed (at most 2 s later if the peer does
 * not read), whatever {@link IpcConfig.OnProtocolError} says. node-ipc writes each frame in one write, so its peers
 * never come near it</td></tr>
 * <tr><td>partialFrameBudget</td><td>32 MiB per server</td><td>bytes of partial frames all connections of one
 * server may hold together (each is also bounded by {@code maxFrameSize}); the connection whose read would go past it
 * gets an {@link IpcProtocolException.Reason#PARTIAL_FRAME_BUDGET} error, its partial frame leaves the budget at once,
 * and it is answered and closed like a frame timeout; the others keep theirs. So 100
 * connections each sending 1 MiB of a frame pin at most 32 MiB, not 100</td></tr>
 * <tr><td>writeTimeout</td><td>30 s</td><td>a peer that takes no byte for this long while bytes wait for it (the
 * socket's buffers full) is disconnected: its unwritten and later sends fail with an
 * {@link IpcClosedException} whose cause is an {@link IpcTimeoutException} naming the peer; its
 * {@link IpcEvent.Disconnected} carries the same cause. Other connections never wait for it</td></tr>
 * <tr><td>slowConsumer</td><td>{@link SlowConsumer#DISCONNECT}</td><td>a connection whose queue is full
 * ({@code maxQueuedMessages}) when a broadcast reaches it: disconnected, or with {@link SlowConsumer#SKIP} the
 * message is skipped for it (an {@link IpcEvent.Failure} with an {@link IpcOverflowException}). Either way the
 * broadcast goes on for the others; a peer that reads nothing at all is disconnected by writeTimeout</td></tr>
 * <tr><td>idleTimeout</td><td>off ({@link Duration#ZERO})</td><td>a connection that received no byte for this long,
 * while reading, is closed. Off by default: node-ipc has no heartbeat, and a node-ipc client that only listens for
 * broadcasts sends nothing for hours</td></tr>
 * <tr><td>evictQuietAfter</td><td>5 s</td><td>when {@code maxConnections} are open and another connects, the server
 * closes the connection that has sent no complete frame for the longest time, if that is at least this long, and
 * accepts the newcomer; else it rejects the newcomer as before. So sockets that connect and send nothing cannot
 * lock everyone out for longer than this (a node-ipc client retries after its {@code retry}, 500 ms)</td></tr>
 * </table>
 */
public final class PeerLimits {

    /** What a broadcast does with a connection whose queue is full. */
    public enum SlowConsumer {
        /** Close the connection; the broadcast goes on for the others. The default. */
        DISCONNECT,
        /** Skip this message for it (an {@link IpcEvent.Failure} says so) and keep the connection. */
        SKIP
    }

    static final PeerLimits DEFAULTS = new PeerLimits(Duration.ofSeconds(10), 32L << 20, Duration.ofSeconds(30),
            SlowConsumer.DISCONNECT, Duration.ZERO, Duration.ofSeconds(5));

    private final Duration frameTimeout;
    private final long partialFrameBudget;
    private final Duration writeTimeout;
    private final SlowConsumer slowConsumer;
    private final Duration idleTimeout;
    private final Duration evictQuietAfter;

    private PeerLimits(Duration frameTimeout, long partialFrameBudget, Duration writeTimeout,
            SlowConsumer slowConsumer, Duration idleTimeout, Duration evictQuietAfter) {
        this.frameTimeout = positive(frameTimeout, "frameTimeout");
        if (partialFrameBudget <= 0) {
            throw new IllegalArgumentException("partialFrameBudget must be positive, was " + partialFrameBudget);
        }
        this.partialFrameBudget = partialFrameBudget;
        this.writeTimeout = positive(writeTimeout, "writeTimeout");
        this.slowConsumer = requireNonNull(slowConsumer, "slowConsumer");
        this.idleTimeout = notNegative(idleTimeout, "idleTimeout");
        this.evictQuietAfter = notNegative(evictQuietAfter, "evictQuietAfter");
    }

    private static Duration positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }

    private static Duration notNegative(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d);
        }
        return d;
    }

    /** The defaults in the table above. */
    public static PeerLimits defaults() {
        return DEFAULTS;
    }

    public Duration frameTimeout() {
        return frameTimeout;
    }

    public long partialFrameBudget() {
        return partialFrameBudget;
    }

    public Duration writeTimeout() {
        return writeTimeout;
    }

    public SlowConsumer slowConsumer() {
        return slowConsumer;
    }

    /** {@link Duration#ZERO}: off. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration evictQuietAfter() {
        return evictQuietAfter;
    }

    public PeerLimits frameTimeout(Duration timeout) {
        return new PeerLimits(timeout, partialFrameBudget, writeTimeout, slowConsumer, idleTimeout, evictQuietAfter);
    }

    public PeerLimits partialFrameBudget(long bytes) {
        return new PeerLimits(frameTimeout, bytes, writeTimeout, slowConsumer, idleTimeout, evictQuietAfter);
    }

    public PeerLimits writeTimeout(Duration timeout) {
        return new PeerLimits(frameTimeout, partialFrameBudget, timeout, slowConsumer, idleTimeout, evictQuietAfter);
    }

    public PeerLimits slowConsumer(SlowConsumer policy) {
        return new PeerLimits(frameTimeout, partialFrameBudget, writeTimeout, policy, idleTimeout, evictQuietAfter);
    }

    /** {@link Duration#ZERO} turns it off. */
    public PeerLimits idleTimeout(Duration timeout) {
        return new PeerLimits(frameTimeout, partialFrameBudget, writeTimeout, slowConsumer, timeout, evictQuietAfter);
    }

    public PeerLimits evictQuietAfter(Duration quiet) {
        return new PeerLimits(frameTimeout, partialFrameBudget, writeTimeout, slowConsumer, idleTimeout, quiet);
    }

    @Override
    public String toString() {
        return "PeerLimits{frameTimeout=" + frameTimeout + ", partialFrameBudget=" + partialFrameBudget
                + ", writeTimeout=" + writeTimeout + ", slowConsumer=" + slowConsumer
                + ", idleTimeout=" + (idleTimeout.isZero() ? "off" : idleTimeout)
                + ", evictQuietAfter=" + evictQuietAfter + "}";
    }
}
