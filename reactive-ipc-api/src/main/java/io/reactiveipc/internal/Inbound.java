package io.reactiveipc.internal;

import io.reactiveipc.Message;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The shared inbound stream of a connection. Unlike {@code publish()}, which discards items while it has no
 * subscriber, this holds up to {@link #BUFFER} messages and then stops requesting, so the socket stops being read.
 * Late subscribers after the end receive the completion.
 */
final class Inbound {

    static final int BUFFER = 256;

    private Inbound() {
    }

    static Flux<Message> share(Publisher<Message> source) {
        Sinks.ManyWithUpstream<Message> hub =
                Sinks.unsafe().manyWithUpstream().multicastOnBackpressureBuffer(BUFFER, false);
        hub.subscribeTo(source);
        return hub.asFlux();
    }
}
