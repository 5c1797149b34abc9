package io.reactiveipc.internal;

import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.Message;
import io.reactiveipc.spi.Link;
import io.reactiveipc.spi.OutboundQueue;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** A server's end of one accepted socket. */
final class DefaultIpcConnection implements IpcConnection, OutboundQueue.Owner {

    private final String id;
    private final Link link;
    private final EventSink events;
    private final OutboundQueue outbound;
    private final Flux<Message> inbound;
    private volatile boolean closed;

    DefaultIpcConnection(String id, Link link, IpcConfig config, EventSink events) {
        this.id = id;
        this.link = link;
        this.events = events;
        this.outbound = new OutboundQueue(config.maxQueuedMessages(), this);
        LinkSequence sequence = new LinkSequence(this, events);
        sequence.offer(link);
        sequence.end();
        this.inbound = new InboundHub(sequence);
        link.whenClosed(() -> {
            closed = true;
            outbound.terminate(new IpcClosedException("connection " + id + " (" + link.remote() + ") closed"));
        });
        link.startWriting(outbound);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Flux<Message> inbound() {
        return inbound;
    }

    @Override
    public Sinks.Many<Message> outbound() {
        return outbound;
    }

    OutboundQueue queue() {
        return outbound;
    }

    @Override
    public Mono<Void> send(Message message) {
        return outbound.send(message);
    }

    @Override
    public Mono<Void> send(Publisher<Message> messages) {
        return outbound.sendAll(messages);
    }

    @Override
    public Mono<Void> onDispose() {
        return link.onClose();
    }

    @Override
    public void dispose() {
        link.close();
    }

    @Override
    public boolean isDisposed() {
        return closed;
    }

    @Override
    public void outboundCompleted() {
        link.close();
    }

    @Override
    public void outboundErrored(Throwable error) {
        events.emit(new IpcEvent.Failure(this, error));
        link.close();
    }

    @Override
    public void dropped(Message message, Throwable why) {
        events.emit(new IpcEvent.Failure(this, why));
    }

    @Override
    public String toString() {
        return "IpcConnection{" + id + ", " + link.remote() + "}";
    }
}
