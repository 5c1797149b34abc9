package io.reactiveipc.internal;

import io.reactiveipc.IpcConnection;
import java.util.ArrayDeque;
import reactor.core.publisher.FluxSink;

/**
 * One subscriber of {@code IpcServer.connections()}: the connections it has not requested yet wait here, and one
 * that closes before it is requested is never delivered. So what waits is bounded by the open connections
 * ({@code maxConnections}), not by how many came and went: when more than {@code bound} wait, the closed ones are
 * pruned. A subscriber that requests one connection and never more holds at most that many.
 */
final class ConnectionWatcher {

    private final FluxSink<IpcConnection> sink;
    private final int bound;
    private final ArrayDeque<IpcConnection> pending = new ArrayDeque<>(2);
    private boolean completing;
    private int wip;

    ConnectionWatcher(FluxSink<IpcConnection> sink, int bound) {
        this.sink = sink;
        this.bound = bound;
    }

    synchronized void offer(IpcConnection c) {
        pending.add(c);
        if (pending.size() > bound) {
            pending.removeIf(IpcConnection::isDisposed);
        }
        drain();
    }

    synchronized void complete() {
        completing = true;
        drain();
    }

    /** Hands out what is requested; re-entered from the subscriber's onNext, it leaves the work to the outer loop. */
    synchronized void drain() {
        if (wip++ != 0) {
            return;
        }
        do {
            wip = 1;
            while (sink.requestedFromDownstream() > 0 && !pending.isEmpty() && !sink.isCancelled()) {
                IpcConnection c = pending.poll();
                if (!c.isDisposed()) {
                    sink.next(c);
                }
            }
            if (completing && pending.isEmpty()) {
                sink.complete();
            }
        } while (--wip != 0);
    }

    /** Connections waiting for demand, for tests. */
    synchronized int pending() {
        return pending.size();
    }
}
