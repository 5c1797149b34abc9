package io.reactiveipc.spring;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcServer;
import io.reactiveipc.PeerLimits;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.spi.IpcMetricsRecorder;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code reactive-ipc.*} properties ({@link ReactiveIpcProperties}) to beans:
 * <ul>
 *   <li>an {@link IpcConfig} from {@code reactive-ipc.config.*}, whose codec binds data with Spring's
 *       {@link JsonMapper} when one is a bean (Boot's Jackson auto-configuration makes one); yours wins if you
 *       declare one;</li>
 *   <li>an {@link IpcServer} bound at {@code reactive-ipc.server.address} while the context starts (a bind that
 *       fails fails the start, with the address in the message), set up by every {@link IpcServerCustomizer};</li>
 *   <li>an {@link IpcClient} named {@code reactive-ipc.client.name} connecting to {@code reactive-ipc.client.address}
 *       in the background (it reconnects as configured; what is emitted meanwhile is queued);</li>
 *   <li>metrics in the application's {@code MeterRegistry} when {@code reactive-ipc-micrometer} is present
 *       ({@code IpcMetricsAutoConfiguration}): the config takes any unique {@link IpcMetricsRecorder} bean;</li>
 *   <li>a health indicator {@code ipc} when Boot's health support is present ({@code IpcHealthAutoConfiguration}):
 *       UP while the server is bound and the client connected, DOWN otherwise, with the addresses and the
 *       server's connection count; {@code management.health.ipc.enabled=false} turns it off.</li>
 * </ul>
 *
 * <h2>Shutdown</h2>
 * When the application stops, the client and then the server are stopped with {@code disposeGracefully} in a
 * lifecycle phase after the web server's graceful shutdown and stop ({@code SmartLifecycle.DEFAULT_PHASE - 4096}),
 * so requests still being served can use them to the end. The client writes everything it still queues, then
 * half-closes its socket; the server then stops accepting (its socket file is removed at once), writes what it
 * queues on each connection, half-closes it, and keeps reading: every message a client wrote before it saw that
 * end is delivered to the server's handlers and subscribers. Both together get at most
 * {@code reactive-ipc.shutdown-timeout} (10 s); what is still open then is disposed at once: the client's unsent
 * messages and requests awaiting an answer fail with {@link io.reactiveipc.IpcClosedException}, the server's
 * connections are closed with what they had unread, and a warning is logged. A message queued after stopping began
 * fails the same way.
 * Only a single {@link IpcServer} bean and a single {@link IpcClient} bean are disposed (and reported by the health
 * indicator); with several of a type, dispose your own (a {@code destroyMethod}).
 */
@AutoConfiguration(afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@ConditionalOnClass(IpcServer.class)
@EnableConfigurationProperties(ReactiveIpcProperties.class)
public class ReactiveIpcAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    IpcConfig reactiveIpcConfig(ReactiveIpcProperties properties, ObjectProvider<JsonMapper> jsonMapper,
                                ObjectProvider<IpcMetricsRecorder> metrics) {
        IpcConfig config = toConfig(properties.config(), jsonMapper.getIfAvailable());
        IpcMetricsRecorder recorder = metrics.getIfUnique();
        return recorder == null ? config : config.toBuilder().metrics(recorder).build();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty("reactive-ipc.server.address")
    IpcServer reactiveIpcServer(ReactiveIpcProperties properties, IpcConfig config,
                                ObjectProvider<IpcServerCustomizer> customizers) {
        IpcAddress address = parseAddress(requireAddress(properties.server().address(), "reactive-ipc.server.address"));
        Consumer<IpcServer> setUp = server -> customizers.orderedStream().forEach(c -> c.customize(server));
        IpcServer server = IpcServer.bind(address, config, setUp).block(config.connectTimeout().plusSeconds(5));
        if (server == null) {
            throw new IllegalStateException("reactive-ipc.server.address: binding " + address + " gave no server");
        }
        return server;
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty("reactive-ipc.client.address")
    IpcClient reactiveIpcClient(ReactiveIpcProperties properties, IpcConfig config) {
        IpcAddress address = parseAddress(requireAddress(properties.client().address(), "reactive-ipc.client.address"));
        return IpcClient.connect(properties.client().name(), address, config);
    }

    @Bean
    IpcLifecycle reactiveIpcLifecycle(ReactiveIpcProperties properties, ObjectProvider<IpcServer> server,
                                      ObjectProvider<IpcClient> client) {
        return new IpcLifecycle(server::getIfUnique, client::getIfUnique, properties.shutdownTimeout());
    }

    static IpcConfig toConfig(ReactiveIpcProperties.Config c, @Nullable JsonMapper mapper) {
        IpcConfig.Builder b = IpcConfig.builder();
        set(c.id(), b::id);
        set(c.appspace(), b::appspace);
        set(c.socketRoot(), b::socketRoot);
        set(c.encoding(), b::encoding);
        set(c.rawBuffer(), b::rawBuffer);
        set(c.sync(), b::sync);
        set(c.silent(), b::silent);
        set(c.identify(), b::identify);
        set(c.maxConnections(), b::maxConnections);
        set(c.retry(), b::retry);
        set(c.maxRetries(), b::maxRetries);
        set(c.stopRetrying(), b::stopRetrying);
        set(c.connectTimeout(), b::connectTimeout);
        set(c.requestTimeout(), b::requestTimeout);
        set(c.maxFrameSize(), b::maxFrameSize);
        set(c.maxQueuedMessages(), b::maxQueuedMessages);
        set(c.maxPendingRequests(), b::maxPendingRequests);
        set(c.handlerConcurrency(), b::handlerConcurrency);
        set(c.socketPermissions(), b::socketPermissions);
        set(c.onProtocolError(), b::onProtocolError);
        set(c.createDirectories(), b::createDirectories);
        List<Integer> uids = c.allowPeers();
        if (uids != null && !uids.isEmpty()) {
            b.allowPeers(uids.stream().mapToInt(Integer::intValue).toArray());
        }
        b.delivery(toDelivery(c.delivery()));
        PeerLimits limits = toPeerLimits(c.peerLimits());
        b.peerLimits(l -> limits);
        boolean raw = Boolean.TRUE.equals(c.rawBuffer());
        switch (c.codec()) {
            case "node-ipc" -> {
                if (mapper != null && !raw) {
                    b.codec(IpcCodec.nodeIpc(mapper, c.delimiter() != null ? c.delimiter() : "\f"));
                } else {
                    set(c.delimiter(), b::delimiter);
                }
            }
            case "socket-ipc" -> b.codec(mapper != null ? IpcCodec.socketIpc(mapper) : IpcCodec.socketIpc());
            default -> throw new IllegalArgumentException("reactive-ipc.config.codec: '" + c.codec()
                    + "' is not one of node-ipc, socket-ipc");
        }
        return b.build();
    }

    static Delivery toDelivery(ReactiveIpcProperties.Delivery d) {
        Delivery delivery = d.mode() == ReactiveIpcProperties.Delivery.Mode.ACKNOWLEDGED
                ? Delivery.ACKNOWLEDGED : Delivery.PLAIN;
        if (d.replayLimit() != null) {
            delivery = delivery.replayLimit(d.replayLimit());
        }
        if (d.ackTimeout() != null) {
            delivery = delivery.ackTimeout(d.ackTimeout());
        }
        if (d.ackEvery() != null) {
            delivery = delivery.ackEvery(d.ackEvery());
        }
        if (d.ackDelay() != null) {
            delivery = delivery.ackDelay(d.ackDelay());
        }
        if (d.sessionLimit() != null) {
            delivery = delivery.sessionLimit(d.sessionLimit());
        }
        if (d.sessionExpiry() != null) {
            delivery = delivery.sessionExpiry(d.sessionExpiry());
        }
        if (d.replayBudget() != null) {
            delivery = delivery.replayBudget(d.replayBudget());
        }
        return delivery;
    }

    static PeerLimits toPeerLimits(ReactiveIpcProperties.PeerLimits p) {
        PeerLimits l = PeerLimits.defaults();
        l = limit(l, p.frameTimeout(), PeerLimits::frameTimeout, "frame-timeout");
        l = limit(l, p.partialFrameBudget(), (x, v) -> x.partialFrameBudget(v.toBytes()), "partial-frame-budget");
        l = limit(l, p.writeTimeout(), PeerLimits::writeTimeout, "write-timeout");
        l = limit(l, p.slowConsumer(), PeerLimits::slowConsumer, "slow-consumer");
        l = limit(l, p.idleTimeout(), PeerLimits::idleTimeout, "idle-timeout");
        return limit(l, p.evictQuietAfter(), PeerLimits::evictQuietAfter, "evict-quiet-after");
    }

    /** The library's refusal, with the property's name in front. */
    private static <T> PeerLimits limit(PeerLimits limits, @Nullable T value, BiFunction<PeerLimits, T, PeerLimits> set,
            String name) {
        if (value == null) {
            return limits;
        }
        try {
            return set.apply(limits, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("reactive-ipc.config.peer-limits." + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code unix:/path}, {@code tcp:host:port} ({@code tcp:[::1]:port} for IPv6) or {@code local:name}.
     *
     * @throws IllegalArgumentException naming the forms understood
     */
    static IpcAddress parseAddress(String text) {
        int colon = text.indexOf(':');
        String scheme = colon < 0 ? "" : text.substring(0, colon);
        String rest = colon < 0 ? "" : text.substring(colon + 1);
        if (rest.startsWith("//")) {
            rest = rest.substring(2);
        }
        switch (scheme) {
            case "unix":
                if (!rest.isEmpty()) {
                    return IpcAddress.unix(Path.of(rest));
                }
                break;
            case "tcp":
                int port = rest.lastIndexOf(':');
                if (port > 0) {
                    String host = rest.substring(0, port);
                    if (host.startsWith("[") && host.endsWith("]")) {
                        host = host.substring(1, host.length() - 1);
                    }
                    try {
                        return IpcAddress.tcp(host, Integer.parseInt(rest.substring(port + 1)));
                    } catch (NumberFormatException e) {
                        break;
                    }
                }
                break;
            case "local":
                if (!rest.isEmpty()) {
                    return IpcAddress.local(rest);
                }
                break;
            default:
                break;
        }
        throw new IllegalArgumentException("'" + text + "' is not an address: use unix:/path/to.sock, tcp:host:port"
                + " or local:name");
    }

    private static String requireAddress(@Nullable String address, String property) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException(property + " is empty");
        }
        return address;
    }

    private static <T> void set(@Nullable T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }
}
