package io.reactiveipc.cli;

import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * Lines for stderr from any thread, printed by the main thread. At most 256 wait; while that many wait, further
 * ones are counted, not kept, and the count is reported when the main thread catches up.
 */
final class Reports {

    private final Sinks.Many<Printed> sink = Sinks.many().unicast().onBackpressureBuffer(Queues.<Printed>get(256).get());
    private final AtomicLong dropped = new AtomicLong();

    /** From any thread; never blocks. */
    synchronized void report(String text) {
        long lost = dropped.get();
        if (lost > 0 && sink.tryEmitNext(Printed.err(lost + " more reports were dropped (256 waiting)")).isSuccess()) {
            dropped.addAndGet(-lost);
        }
        if (!sink.tryEmitNext(Printed.err(text)).isSuccess()) {
            dropped.incrementAndGet();
        }
    }

    synchronized void complete() {
        sink.tryEmitComplete();
    }

    Flux<Printed> flux() {
        return sink.asFlux();
    }
}
