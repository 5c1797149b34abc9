package io.reactiveipc.internal;

import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.Message;
import io.reactiveipc.spi.Link;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A link's messages as the inbound of a connection (which {@link InboundHub} shares among subscribers). */
final class Inbound {

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
}
