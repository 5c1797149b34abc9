package io.reactiveipc.spring;

import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcServer;
import java.time.Duration;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Mono;

/**
 * Stops the client, then the server, with {@code disposeGracefully} when the application stops: the client writes
 * what it queues, the server delivers what its clients wrote before they saw its end; the two share
 * {@code reactive-ipc.shutdown-timeout}, past which whatever is left is disposed at once. Its phase is below the web server's
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
        long deadline = System.nanoTime() + timeout.toNanos();
        IpcClient c = client.get();
        IpcServer s = server.get();
        // the server after the client: a client of our own server says goodbye before the server closes on it
        Mono<Void> clientStopped = c == null ? Mono.empty() : c.disposeGracefully(timeout);
        Mono<Void> all = clientStopped.then(Mono.defer(() -> s == null ? Mono.<Void>empty()
                : s.disposeGracefully(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))));
        // disposeGracefully disposes at its timeout by itself; this is the backstop should that ever hang
        all.timeout(timeout.plusSeconds(1))
                .doOnError(e -> {
                    log.warn("Reactive IPC: not stopped within {}; disposed at once", timeout, e);
                    if (c != null) {
                        c.dispose();
                    }
                    if (s != null) {
                        s.dispose();
                    }
                })
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
