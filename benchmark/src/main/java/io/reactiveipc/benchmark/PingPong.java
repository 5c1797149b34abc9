package io.reactiveipc.benchmark;

import java.time.Duration;
import reactor.core.publisher.Sinks;

/**
 * The ping/pong round trips as a {@link RoundTrips.Phase}: one ping in flight, each next one sent from where the
 * previous pong arrived (the event loop), so that no thread hand-off is measured.
 */
final class PingPong implements RoundTrips.Phase {

    private static final Duration T = Duration.ofMinutes(5);

    private final Runnable ping;

    // Written by run() before the first ping leaves; that ping's hand-off to the event loop publishes them.
    private long[] nanos;
    private int n;
    private int i;
    private long sentAt;
    private Sinks.One<Void> done;

    /** {@code ping} sends one ping; {@link #pong()} must be called with each pong, on the event loop. */
    PingPong(Runnable ping) {
        this.ping = ping;
    }

    @Override
    public void run(long[] nanos, int n) {
        this.nanos = nanos;
        this.n = n;
        this.i = 0;
        Sinks.One<Void> finished = Sinks.one();
        this.done = finished;
        sentAt = System.nanoTime();
        ping.run();
        finished.asMono().block(T);
    }

    void pong() {
        long now = System.nanoTime();
        nanos[i] = now - sentAt;
        if (++i == n) {
            done.tryEmitEmpty();
            return;
        }
        sentAt = System.nanoTime();
        ping.run();
    }
}
