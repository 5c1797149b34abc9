package io.reactiveipc.spring;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

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
 * reactive-ipc.shutdown-timeout=10s
 * }</pre>
 *
 * <p>Addresses: {@code unix:/path/to.sock}, {@code tcp:host:port}, or {@code local:name} (the in-JVM transport
 * of {@code reactive-ipc-test}).
 *
 * @param server the server to bind, if {@code server.address} is set
 * @param client the client to connect, if {@code client.address} is set
 * @param config {@link io.reactiveipc.IpcConfig} options shared by both
 * @param shutdownTimeout how long stopping the application waits for the client and the server to be disposed
 *        (10 s); past it the application stops anyway and a warning is logged
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
            @Nullable String socketPermissions) {
    }
}
