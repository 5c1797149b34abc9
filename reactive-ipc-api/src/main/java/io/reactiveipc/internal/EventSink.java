package io.reactiveipc.internal;

import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcProtocolException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * Lifecycle events from any thread, in one order, logged through SLF4J unless the config is silent.
 *
 * <p>A client or server is busy from the moment it is created, before anyone could subscribe. So the first
 * subscriber ever receives every event so far (the last {@value #HISTORY}), later subscribers the current state
 * (the latest {@link #isState state event}: never a stale "connected" when the state is "disconnected", never a
 * Failure that says nothing about the state), and then everyone receives each new event.
 *
 * <p>Each subscriber has a buffer of {@value #BUFFER} events it has not requested yet; when one more comes, its
 * oldest is dropped (the latest are the ones that tell the current state) and the drops are logged, rate-limited,
 * with their count. So a subscriber that requests one event and never more holds at most {@value #BUFFER} events,
 * and the connections they name, however many come and go.
 */
final class EventSink {

    private static final Logger LOG = LoggerFactory.getLogger("io.reactiveipc");
    static final int HISTORY = 256;
    /** Events held per subscriber that it has not requested yet; beyond it the oldest is dropped. */
    static final int BUFFER = 256;

    /** Whose events, for the log; its toString() is called only when a line is written. */
    private final Object owner;
    private final boolean silent;
    /** Sized for what an idle connection has seen (connected); grows for a client that retries unobserved. */
    private final ArrayDeque<IpcEvent> history = new ArrayDeque<>(2);
    private final List<FluxSink<IpcEvent>> subscribers = new ArrayList<>(0);
    /** The latest state event, for late subscribers: null before the first. */
    private @Nullable IpcEvent state;
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
        if (!subscribed) { // after the first subscriber, only the state is kept, for later ones
            if (history.size() == HISTORY) {
                history.removeFirst();
            }
            history.addLast(event);
        }
        if (isState(event)) {
            state = event;
        }
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

    /**
     * Whether {@code event} tells the current state: started, destroyed, and a client's connected or disconnected. A
     * server's connection events, rejections and failures are things that happened, not its state.
     */
    static boolean isState(IpcEvent event) {
        return event instanceof IpcEvent.Started || event instanceof IpcEvent.Destroyed
                || (event instanceof IpcEvent.Connected c && c.connection() instanceof IpcClient)
                || (event instanceof IpcEvent.Disconnected d && d.connection() instanceof IpcClient);
    }

    Flux<IpcEvent> asFlux() {
        return bounded(Flux.create(this::subscribe, FluxSink.OverflowStrategy.BUFFER));
    }

    /** The subscriber's own bound: the create's buffer stays empty, this one drops its oldest. */
    private Flux<IpcEvent> bounded(Flux<IpcEvent> events) {
        return Flux.defer(() -> {
            DropCounter dropped = new DropCounter();
            return events.onBackpressureBuffer(BUFFER, dropped, BufferOverflowStrategy.DROP_OLDEST);
        });
    }

    /** Counts one subscriber's dropped events; logs the 1st, 2nd, 4th, 8th... drop, so a stuck one logs little. */
    private final class DropCounter implements java.util.function.Consumer<IpcEvent> {
        private long count;

        @Override
        public void accept(IpcEvent dropped) {
            long n = ++count;
            if (!silent && (n & (n - 1)) == 0 && LOG.isWarnEnabled()) {
                LOG.warn("{}: an events() subscriber is not keeping up: {} of its oldest unrequested events dropped so"
                        + " far (it holds the latest {})", owner, n, BUFFER);
            }
        }
    }

    private synchronized void subscribe(FluxSink<IpcEvent> sink) {
        if (!subscribed) {
            for (IpcEvent e : history) {
                sink.next(e);
            }
            subscribed = true;
            history.clear();
        } else if (state != null) {
            sink.next(state);
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
        return bounded(Flux.create(this::subscribeLatest, FluxSink.OverflowStrategy.BUFFER));
    }

    private synchronized void subscribeLatest(FluxSink<IpcEvent> sink) {
        IpcEvent now = state;
        if (now != null) {
            sink.next(now);
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
