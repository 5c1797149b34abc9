package io.reactiveipc.spring;

import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcServer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** UP while the server is bound (not disposed) and the client has a socket up; DOWN otherwise. Never blocks. */
final class IpcHealthIndicator implements HealthIndicator {

    private final @Nullable IpcServer server;
    private final @Nullable IpcClient client;

    IpcHealthIndicator(@Nullable IpcServer server, @Nullable IpcClient client) {
        this.server = server;
        this.client = client;
    }

    @Override
    public Health health() {
        boolean up = true;
        Health.Builder health = Health.unknown();
        if (server != null) {
            boolean bound = !server.isDisposed();
            up = bound;
            health.withDetail("server.address", server.address().toString())
                    .withDetail("server.bound", bound)
                    .withDetail("server.connections", server.connectionCount());
        }
        if (client != null) {
            boolean connected = client.isConnected();
            up &= connected;
            health.withDetail("client.address", client.address().toString())
                    .withDetail("client.connected", connected);
        }
        return (up ? health.up() : health.down()).build();
    }
}
