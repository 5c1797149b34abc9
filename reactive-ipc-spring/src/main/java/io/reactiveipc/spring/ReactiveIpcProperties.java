package io.reactiveipc.spring;

import io.reactiveipc.IpcConfig;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The {@code reactive-ipc.*} properties. Immutable; an option left unset keeps {@link io.reactiveipc.IpcConfig}'s
 * default (node-ipc's).
 *
 * <pre>{@code
 * reactive-ipc.server.address=unix:/tmp/app.world          # an IpcServer bean bound there
 * reactive-ipc.client.address=unix:/tmp/app.world          # an IpcClient bean connecting there
 * reactive-ipc.client.name=world                           # the server's id, as node-ipc's connectTo(id, ...)
 * reactive-ipc.config.id=web                               # node-ipc's ipc.config.id: this process's id
 * reactive-ipc.config.retry=500ms
 * reactive-ipc.config.max-queued-messages=8192
 * reactive-ipc.config.on-protocol-error=skip               # close (default) or skip a frame that breaks the protocol
 * reactive-ipc.config.create-directories=true              # the server creates its socket's missing directories
 * reactive-ipc.config.allow-peers=1000,1001                # a Unix-socket server admits only these uids
 * reactive-ipc.config.delivery.mode=acknowledged           # the client holds each message until the server acks it
 * reactive-ipc.config.delivery.replay-limit=8192
 * reactive-ipc.config.delivery.replay-budget=65536         # server: held for all acknowledging clients together
 * reactive-ipc.config.peer-limits.frame-timeout=10s        # a frame begun and not finished: FRAME_TIMEOUT
 * reactive-ipc.config.peer-limits.partial-frame-budget=32MB # partial frames of all connections of the server
 * reactive-ipc.config.peer-limits.write-timeout=30s        # a peer that reads nothing while bytes wait for it
 * reactive-ipc.config.peer-limits.slow-consumer=skip       # disconnect (default) or skip a client a broadcast finds full
 * reactive-ipc.config.peer-limits.idle-timeout=5m          # close a connection silent this long (0, the default: off)
 * reactive-ipc.config.peer-limits.evict-quiet-after=5s     # at max-connections, evict one quiet this long
 * reactive-ipc.shutdown-timeout=10s                        # how long stopping drains (disposeGracefully)
 * }</pre>
 *
 * <p>Addresses: {@code unix:/path/to.sock}, {@code tcp:host:port}, or {@code local:name} (the in-JVM transport
 * of {@code reactive-ipc-test}).
 *
 * @param server the server to bind, if {@code server.address} is set
 * @param client the client to connect, if {@code client.address} is set
 * @param config {@link io.reactiveipc.IpcConfig} options shared by both
 * @param shutdownTimeout how long stopping the application lets the client and then the server drain
 *        ({@code disposeGracefully}, 10 s in all); past it they are disposed at once, what they still held is
 *        lost, and a warning is logged
 */
@ConfigurationProperties("reactive-ipc")
public record ReactiveIpcProperties(
        @DefaultValue Server server,
        @DefaultValue Client client,
        @DefaultValue Config config,
        @DefaultValue("10s") Duration shutdownTimeout) {

    /** @param address where to bind; no server bean when unset */
    public record Server(@Nullable String address) {
    }

    /**
     * @param address where to connect; no client bean when unset
     * @param name the server's id (node-ipc's {@code connectTo(id, ...)}), {@code server} by default
     */
    public record Client(@Nullable String address, @DefaultValue("server") String name) {
    }

    /**
     * {@link io.reactiveipc.IpcConfig} options by node-ipc's names; see its Javadoc for defaults and limits.
     *
     * @param codec {@code node-ipc} (default: {@code {"type","data"}} + delimiter) or {@code socket-ipc}; either
     *        binds data with Spring's {@code JsonMapper} when there is one
     * @param onProtocolError {@code close} (default: the peer is told with an error frame and its socket closed) or
     *        {@code skip} (the bad frame is dropped and reading goes on); either way a Failure event and a
     *        rate-limited log line
     * @param createDirectories {@code true}: the server creates the missing parent directories of its Unix socket
     *        path, owner only; default {@code false} (binding there fails with "no such directory")
     * @param allowPeers uids a Unix-socket server admits (read from the kernel); others are closed before any byte
     *        is read. Default: everyone. Needs the native epoll transport: with NIO or TCP the bind fails
     * @param delivery {@code delivery.mode=acknowledged} and its bounds; see {@link io.reactiveipc.Delivery}
     * @param peerLimits time limits and slow peers ({@code peer-limits.*}); see {@link io.reactiveipc.PeerLimits}
     */
    public record Config(
            @Nullable String id,
            @Nullable String appspace,
            @Nullable String socketRoot,
            @DefaultValue("node-ipc") String codec,
            @Nullable String delimiter,
            @Nullable String encoding,
            @Nullable Boolean rawBuffer,
            @Nullable Boolean sync,
            @Nullable Boolean silent,
            @Nullable Boolean identify,
            @Nullable Integer maxConnections,
            @Nullable Duration retry,
            @Nullable Long maxRetries,
            @Nullable Long stopRetrying,
            @Nullable Duration connectTimeout,
            @Nullable Duration requestTimeout,
            @Nullable Integer maxFrameSize,
            @Nullable Integer maxQueuedMessages,
            @Nullable Integer maxPendingRequests,
            @Nullable Integer handlerConcurrency,
            @Nullable String socketPermissions,
            IpcConfig.@Nullable OnProtocolError onProtocolError,
            @Nullable Boolean createDirectories,
            @Nullable List<Integer> allowPeers,
            @DefaultValue Delivery delivery,
            @DefaultValue PeerLimits peerLimits) {
    }

    /**
     * {@link io.reactiveipc.PeerLimits} by its names; an option left unset keeps its default. A value the library
     * refuses (a zero or negative timeout, a budget of 0) fails the start, naming the property.
     *
     * @param frameTimeout a frame begun and not finished this long (while reading) is refused: the peer gets an
     *        error frame with reason {@code FRAME_TIMEOUT} and is closed (10 s)
     * @param partialFrameBudget bytes of partial frames all connections of a server may hold together, e.g.
     *        {@code 32MB} (a bare number is bytes); the connection whose read passes it is refused with
     *        {@code PARTIAL_FRAME_BUDGET} (32 MiB)
     * @param writeTimeout a peer that takes no byte this long while bytes wait for it is disconnected; its sends
     *        fail (30 s)
     * @param slowConsumer {@code disconnect} (default) or {@code skip}: what a broadcast does with a connection whose
     *        queue is full
     * @param idleTimeout a connection that sent no byte this long is closed; {@code 0} (default) is off
     * @param evictQuietAfter at {@code max-connections}, a newcomer evicts the connection quiet longest if it has
     *        been quiet this long (5 s); {@code 0} evicts the quietest at once
     */
    public record PeerLimits(
            @Nullable Duration frameTimeout,
            @Nullable DataSize partialFrameBudget,
            @Nullable Duration writeTimeout,
            io.reactiveipc.PeerLimits.@Nullable SlowConsumer slowConsumer,
            @Nullable Duration idleTimeout,
            @Nullable Duration evictQuietAfter) {
    }

    /**
     * {@link io.reactiveipc.Delivery} by its names; an option left unset keeps its default.
     *
     * @param mode {@code plain} (default, node-ipc's: written means sent) or {@code acknowledged} (a client holds
     *        each message until the server acknowledges it and replays it after a reconnect)
     * @param replayLimit client: messages held unacknowledged (8192); one more fails with
     *        {@link io.reactiveipc.IpcOverflowException}, nothing is dropped
     * @param ackTimeout client: a server silent this long after a connect is taken as plain; server: a connected
     *        client silent this long while sent something may be dropped for a spent replay budget (5 s)
     * @param ackEvery server: an ack after this many delivered messages (64)
     * @param ackDelay server: at most this long before an ack for what was delivered (10 ms)
     * @param sessionLimit server: client sessions whose duplicate filter is kept (4096, least recently seen
     *        forgotten first)
     * @param sessionExpiry server: a session not seen this long is forgotten (10 min)
     * @param replayBudget server: messages all acknowledging clients' sessions hold together (65,536); past it the
     *        session away longest is dropped to make room, else a connected one silent for ackTimeout, else the
     *        message is refused with
     *        {@link io.reactiveipc.IpcOverflowException}
     */
    public record Delivery(
            @DefaultValue("plain") Mode mode,
            @Nullable Integer replayLimit,
            @Nullable Duration ackTimeout,
            @Nullable Integer ackEvery,
            @Nullable Duration ackDelay,
            @Nullable Integer sessionLimit,
            @Nullable Duration sessionExpiry,
            @Nullable Integer replayBudget) {

        /** {@code reactive-ipc.config.delivery.mode}. */
        public enum Mode { PLAIN, ACKNOWLEDGED }
    }
}
