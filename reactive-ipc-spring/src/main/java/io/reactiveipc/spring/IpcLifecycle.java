package io.reactiveipc.spring;

import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Mono;

/**
 * Disposes the client, then the server, when the application stops. Its phase is below the web server's
 * ({@code DEFAULT_PHASE - 2048} for start/stop, {@code - 1024} for graceful shutdown), so it stops after them:
 * HTTP requests still in flight keep their IPC until the web server is done.
 */
final class IpcLifecycle implements SmartLifecycle {

    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;
    private static final Logger log = LoggerFactory.getLogger(IpcLifecycle.class);

    private final Supplier<@Nullable IpcServer> server;
    private final Supplier<@Nullable IpcClient> client;
    private final Duration timeout;
    private volatile boolean running;

    IpcLifecycle(Supplier<@Nullable IpcServer> server, Supplier<@Nullable IpcClient> client, Duration timeout) {
        this.server = server;
        this.client = client;
        this.timeout = timeout;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        throw new UnsupportedOperationException("stop(Runnable) is the one Spring calls on a SmartLifecycle");
    }

    @Override
    public void stop(Runnable callback) {
        running = false;
        List<Mono<Void>> disposed = new ArrayList<>(2);
        IpcClient c = client.get();
        if (c != null) {
            c.dispose();
            disposed.add(c.onDispose());
        }
        // the server after the client: a client of our own server says goodbye before the server closes on it
        IpcServer s = server.get();
        Mono<Void> all = Mono.when(disposed).then(Mono.defer(() -> {
            if (s == null) {
                return Mono.<Void>empty();
            }
            s.dispose();
            return s.onDispose();
        }));
        all.timeout(timeout)
                .doOnError(e -> log.warn("Reactive IPC: not disposed within {}; the application stops anyway",
                        timeout, e))
                .onErrorComplete()
                .doFinally(signal -> callback.run())
                .subscribe();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
