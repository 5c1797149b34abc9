package io.reactiveipc.internal;

import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Lifecycle events from any thread, in one order, replaying the latest to each new subscriber, and logged
 * through SLF4J unless the config is silent.
 */
final class EventSink {

    private static final Logger LOG = LoggerFactory.getLogger("io.reactiveipc");

    private final Sinks.Many<IpcEvent> sink = Sinks.unsafe().many().replay().latest();
    private final String owner;
    private final boolean silent;
    private boolean done;

    EventSink(String owner, IpcConfig config) {
        this.owner = owner;
        this.silent = config.silent();
    }

    /** Publishes {@code event}; the last one ({@link IpcEvent.Destroyed}) also completes the stream. */
    synchronized void emit(IpcEvent event) {
        if (done) {
            return;
        }
        log(event);
        sink.tryEmitNext(event);
        if (event instanceof IpcEvent.Destroyed) {
            done = true;
            sink.tryEmitComplete();
        }
    }

    Flux<IpcEvent> asFlux() {
        return sink.asFlux();
    }

    private void log(IpcEvent event) {
        if (silent) {
            return;
        }
        if (event instanceof IpcEvent.Failure f) {
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
