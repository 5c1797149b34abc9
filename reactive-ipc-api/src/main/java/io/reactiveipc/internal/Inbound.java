package io.reactiveipc.internal;

import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.Message;
import io.reactiveipc.spi.Link;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
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

    /**
     * The messages of one link. A failure of the socket itself (not a bad frame, which the link reports and
     * skips) is published as a Failure of {@code connection} and closes that link: it must never end a stream
     * shared with other connections, such as a server's merged inbound.
     */
    static Flux<Message> receive(Link link, IpcConnection connection, EventSink events) {
        return link.receive(e -> events.emit(new IpcEvent.Failure(connection, e)))
                .onErrorResume(e -> {
                    events.emit(new IpcEvent.Failure(connection, e));
                    link.close();
                    return Mono.empty();
                });
    }

    static Flux<Message> share(Publisher<Message> source) {
        Sinks.ManyWithUpstream<Message> hub =
                Sinks.unsafe().manyWithUpstream().multicastOnBackpressureBuffer(BUFFER, false);
        hub.subscribeTo(source);
        return hub.asFlux();
    }
}
