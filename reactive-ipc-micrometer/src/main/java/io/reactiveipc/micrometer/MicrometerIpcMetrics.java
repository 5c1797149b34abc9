package io.reactiveipc.micrometer;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.spi.IpcMetricsRecorder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

/**
 * Micrometer meters for every server and client made with a config that carries this recorder.
 *
 * <pre>{@code
 * MeterRegistry registry = new SimpleMeterRegistry(); // or Spring Boot's
 * IpcConfig config = IpcConfig.builder().metrics(MicrometerIpcMetrics.recorder(registry)).build();
 * IpcServer server = IpcServer.bind(IpcAddress.unix(path), config).block();
 * // reactive.ipc.server.messages{direction=in,...} counts what arrives
 * }</pre>
 *
 * <p>The meters, with Reactor Netty's naming ({@code reactor.netty.tcp.server.*}): {@code <prefix>.server.*} for a
 * server, {@code <prefix>.client.*} for a client; prefix {@value #DEFAULT_PREFIX} unless set. Every meter of a server
 * has the tags {@code uri} (the address kind: {@code unix}, {@code tcp}, {@code local}) and {@code local.address} (the
 * address it was asked to bind); a client's, {@code uri} and {@code remote.address} (the address it connects to).
 * One set of meters per server or client address, never per connection: clients of the same address share theirs,
 * and a server bound again at the same address finds its meters again.
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>extra tags</th><th>what</th></tr>
 * <tr><td>{@code connections.total}</td><td>gauge</td><td></td><td>connections open now (Reactor Netty's name);
 * 0 again once all closed</td></tr>
 * <tr><td>{@code connections.refused}</td><td>counter</td><td>{@code reason}: {@code max.connections}, {@code tls},
 * {@code peer}, {@code closing}</td><td>sockets a server closed at once</td></tr>
 * <tr><td>{@code reconnects}</td><td>counter</td><td></td><td>a client connected again after losing its
 * connection</td></tr>
 * <tr><td>{@code messages}</td><td>counter</td><td>{@code direction}: {@code in}, {@code out}; {@code type} if
 * enabled</td><td>messages decoded; messages taken to be written</td></tr>
 * <tr><td>{@code data}</td><td>counter, bytes</td><td>{@code direction}</td><td>bytes read from and written to
 * sockets (Unix, TCP, TLS; the in-JVM test transport counts its frames' bytes)</td></tr>
 * <tr><td>{@code queue.size}</td><td>gauge</td><td></td><td>outbound messages queued, all connections
 * together</td></tr>
 * <tr><td>{@code queue.max}</td><td>gauge</td><td></td><td>the longest single connection's queue (one slow
 * peer)</td></tr>
 * <tr><td>{@code protocol.errors}</td><td>counter</td><td>{@code code}: {@code MALFORMED_JSON},
 * {@code INVALID_MESSAGE}, {@code FRAME_TOO_LARGE}, {@code TRUNCATED_FRAME}</td><td>frames skipped</td></tr>
 * <tr><td>{@code messages.dropped}</td><td>counter</td><td></td><td>fire-and-forget messages that could not be
 * written, broadcasts that found a queue full</td></tr>
 * <tr><td>{@code requests}</td><td>timer</td><td>{@code type}, {@code outcome}: {@code success}, {@code error},
 * {@code timeout}, {@code cancel}</td><td>{@code request(...)} from sending to its end</td></tr>
 * </table>
 *
 * <p><b>Tag cardinality.</b> Message types come from peers and are unbounded, so a {@code type} tag is bounded:
 * the first {@link Options#maxTypes(int) maxTypes} (default {@value #DEFAULT_MAX_TYPES}) distinct types of a
 * server or client get their own tag value, every later one is counted as {@code "other"}. The request timer
 * always has the tag (the types are the requester's own); message counters have it only with
 * {@link Options#messageTypes(boolean) messageTypes(true)} (default off: one map lookup per message).
 *
 * <p><b>Cost.</b> A counter increment per message and per socket read or frame written, a clock read per request;
 * without this recorder ({@link IpcMetricsRecorder#NONE}, the default) nothing.
 */
public final class MicrometerIpcMetrics implements IpcMetricsRecorder {

    /** The default meter name prefix. */
    public static final String DEFAULT_PREFIX = "reactive.ipc";
    /** The default bound on distinct {@code type} tag values per server or client. */
    public static final int DEFAULT_MAX_TYPES = 100;

    private final MeterRegistry registry;
    private final String prefix;
    private final int maxTypes;
    private final boolean messageTypes;
    private final ConcurrentMap<String, EndpointMeters> endpoints = new ConcurrentHashMap<>();

    private MicrometerIpcMetrics(MeterRegistry registry, Options options) {
        this.registry = registry;
        this.prefix = options.prefix;
        this.maxTypes = options.maxTypes;
        this.messageTypes = options.messageTypes;
    }

    /** Meters in {@code registry} with the defaults: prefix {@value #DEFAULT_PREFIX}, no type tag on messages. */
    public static MicrometerIpcMetrics recorder(MeterRegistry registry) {
        return recorder(registry, options -> { });
    }

    /**
     * Meters in {@code registry}, as {@code options} sets them:
     * {@code recorder(registry, o -> o.prefix("my.ipc").messageTypes(true).maxTypes(20))}.
     */
    public static MicrometerIpcMetrics recorder(MeterRegistry registry, Consumer<Options> options) {
        requireNonNull(registry, "registry");
        requireNonNull(options, "options");
        Options o = new Options();
        options.accept(o);
        return new MicrometerIpcMetrics(registry, o);
    }

    @Override
    public IpcMetricsRecorder forServer(IpcAddress address) {
        return endpoint("server", "local.address", requireNonNull(address, "address"));
    }

    @Override
    public IpcMetricsRecorder forClient(IpcAddress address) {
        return endpoint("client", "remote.address", requireNonNull(address, "address"));
    }

    private EndpointMeters endpoint(String side, String addressTag, IpcAddress address) {
        String a = address.toString();
        return endpoints.computeIfAbsent(side + " " + a, k -> new EndpointMeters(registry,
                prefix + "." + side, kind(address), addressTag, a, maxTypes, messageTypes));
    }

    private static String kind(IpcAddress address) {
        if (address instanceof IpcAddress.Unix) {
            return "unix";
        } else if (address instanceof IpcAddress.Tcp) {
            return "tcp";
        } else if (address instanceof IpcAddress.Local) {
            return "local";
        }
        return "udp";
    }

    @Override
    public String toString() {
        return "MicrometerIpcMetrics{" + prefix + ", maxTypes=" + maxTypes + ", messageTypes=" + messageTypes + "}";
    }

    /** Settings of {@link #recorder(MeterRegistry, Consumer)}; used once, while the recorder is made. */
    public static final class Options {
        private String prefix = DEFAULT_PREFIX;
        private int maxTypes = DEFAULT_MAX_TYPES;
        private boolean messageTypes;

        private Options() {
        }

        /** Meter names start with this, then {@code .server} or {@code .client}. Default {@value #DEFAULT_PREFIX}. */
        public Options prefix(String prefix) {
            requireNonNull(prefix, "prefix");
            if (prefix.isEmpty() || prefix.endsWith(".")) {
                throw new IllegalArgumentException("prefix must be non-empty and not end with '.', was '" + prefix
                        + "'");
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * Distinct {@code type} tag values per server or client; later types are tagged {@code "other"}.
         * Default {@value #DEFAULT_MAX_TYPES}; 0 tags every type {@code "other"}.
         */
        public Options maxTypes(int maxTypes) {
            if (maxTypes < 0) {
                throw new IllegalArgumentException("maxTypes must not be negative, was " + maxTypes);
            }
            this.maxTypes = maxTypes;
            return this;
        }

        /** True: message counters get a {@code type} tag too (bounded by maxTypes). Default false. */
        public Options messageTypes(boolean messageTypes) {
            this.messageTypes = messageTypes;
            return this;
        }
    }
}
