package io.reactiveipc.internal;

import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcProtocolException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Lifecycle events from any thread, in one order, logged through SLF4J unless the config is silent.
 *
 * <p>A client or server is busy from the moment it is created, before anyone could subscribe. So the first
 * subscriber ever receives every event so far (the last {@value #HISTORY}), later subscribers the latest one
 * (enough to learn the current state, and never a stale "connected" when the state is "disconnected"), and
 * then everyone receives each new event.
 */
final class EventSink {

    private static final Logger LOG = LoggerFactory.getLogger("io.reactiveipc");
    static final int HISTORY = 256;

    /** Whose events, for the log; its toString() is called only when a line is written. */
    private final Object owner;
    private final boolean silent;
    /** Sized for what an idle connection has seen (connected); grows for a client that retries unobserved. */
    private final ArrayDeque<IpcEvent> history = new ArrayDeque<>(2);
    private final List<FluxSink<IpcEvent>> subscribers = new ArrayList<>(0);
    private boolean subscribed;
    /** Bad input is logged at most {@value LogLimiter#BURST} lines per 10 s, then counted. Guarded by this. */
    private final LogLimiter badInput;
    private boolean done;

    EventSink(Object owner, IpcConfig config) {
        this(owner, config, new LogLimiter());
    }

    EventSink(Object owner, IpcConfig config, LogLimiter badInput) {
        this.owner = owner;
        this.silent = config.silent();
        this.badInput = badInput;
    }

    /** Publishes {@code event}; {@link IpcEvent.Destroyed} is the last and completes every subscriber. */
    synchronized void emit(IpcEvent event) {
        emit(event, true);
    }

    /** As {@link #emit(IpcEvent)}; {@code log} false: no log line, the caller writes its own (rate-limited) one. */
    synchronized void emit(IpcEvent event, boolean log) {
        if (done) {
            return;
        }
        if (log) {
            log(event);
        }
        if (subscribed) {
            history.clear();
        } else if (history.size() == HISTORY) {
            history.removeFirst();
        }
        history.addLast(event);
        done = event instanceof IpcEvent.Destroyed;
        for (FluxSink<IpcEvent> s : List.copyOf(subscribers)) { // completing one may remove it
            s.next(event);
            if (done) {
                s.complete();
            }
        }
        if (done) {
            subscribers.clear();
        }
    }

    Flux<IpcEvent> asFlux() {
        return Flux.create(this::subscribe, FluxSink.OverflowStrategy.BUFFER);
    }

    private synchronized void subscribe(FluxSink<IpcEvent> sink) {
        for (IpcEvent e : history) {
            sink.next(e);
        }
        if (!subscribed) {
            subscribed = true;
            while (history.size() > 1) {
                history.removeFirst();
            }
        }
        if (done) {
            sink.complete();
            return;
        }
        subscribers.add(sink);
        sink.onDispose(() -> remove(sink));
    }

    /**
     * The latest event, then each new one, for the library's own waits ({@code connected()}): unlike
     * {@link #asFlux()} it never counts as the first subscriber, so the user's first subscriber still gets the history.
     */
    Flux<IpcEvent> latest() {
        return Flux.create(this::subscribeLatest, FluxSink.OverflowStrategy.BUFFER);
    }

    private synchronized void subscribeLatest(FluxSink<IpcEvent> sink) {
        IpcEvent last = history.peekLast();
        if (last != null) {
            sink.next(last);
        }
        if (done) {
            sink.complete();
            return;
        }
        subscribers.add(sink);
        sink.onDispose(() -> remove(sink));
    }

    private synchronized void remove(FluxSink<IpcEvent> sink) {
        subscribers.remove(sink);
    }

    private void log(IpcEvent event) {
        if (silent) {
            return;
        }
        if (event instanceof IpcEvent.Failure f && f.error() instanceof IpcProtocolException) {
            if (LOG.isWarnEnabled()) {
                String suffix = badInput.acquire();
                if (suffix != null) {
                    LOG.warn("{}: {}: {}{}", owner, f.connection().id(), f.error().toString(), suffix);
                }
            }
        } else if (event instanceof IpcEvent.Failure f) {
            if (LOG.isWarnEnabled()) {
                LOG.warn("{}: {}", owner, f.error().toString());
            }
        } else if (event instanceof IpcEvent.Rejected r) {
            LOG.warn("{}: rejected {}: {}", owner, r.remote(), r.reason());
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("{}: {}", owner, event);
        }
    }
}
