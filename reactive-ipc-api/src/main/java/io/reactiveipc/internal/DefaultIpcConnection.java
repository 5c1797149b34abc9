package io.reactiveipc.internal;

import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcHandler;
import io.reactiveipc.IpcTimeoutException;
import io.reactiveipc.Message;
import io.reactiveipc.spi.IpcMetricsRecorder;
import io.reactiveipc.spi.Link;
import io.reactiveipc.spi.OutboundQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** A server's end of one accepted socket. */
final class DefaultIpcConnection implements IpcConnection, OutboundQueue.Owner {

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<DefaultIpcConnection, ConcurrentMap> ATTRIBUTES =
            AtomicReferenceFieldUpdater.newUpdater(DefaultIpcConnection.class, ConcurrentMap.class, "attributes");

    /** The number the server gave it. */
    private final String number;
    /** The id the client announced, if it did and still holds it. */
    private volatile @Nullable String name;
    private final Link link;
    private final EventSink events;
    private final IpcMetricsRecorder metrics;
    private final OutboundQueue outbound;
    private final Exchange exchange;
    private final Flux<Message> inbound;
    private volatile boolean closed;
    /** Set by closeGracefully(): the queue's completion half-closes instead of closing. */
    private volatile boolean halfClose;
    private volatile @Nullable ConcurrentMap<String, Object> attributes;

    DefaultIpcConnection(String number, Link link, IpcConfig config, EventSink events,
            Exchange.@Nullable Server server) {
        this.number = number;
        this.link = link;
        this.events = events;
        this.metrics = config.metrics();
        this.outbound = new OutboundQueue(config.maxQueuedMessages(), this,
                config.sync() ? config.requestTimeout() : null);
        this.exchange = new Exchange(this, outbound, config, events, server);
        LinkSequence sequence = new LinkSequence(this, events, config.onProtocolError(), metrics);
        sequence.offer(link);
        sequence.end();
        this.inbound = new InboundHub(sequence, exchange, config.maxQueuedMessages());
        link.whenClosed(() -> {
            closed = true;
            AckOutbox o = exchange.outbox;
            if (o != null) {
                o.detach(outbound); // before the queue fails what it holds: the session keeps it
            }
            Throwable why = closeCause();
            IpcClosedException closedNow = new IpcClosedException("connection " + id() + " (" + link.remote()
                    + ") closed" + (why != null ? ": " + why.getMessage() : ""));
            if (why != null) {
                closedNow.initCause(why);
            }
            outbound.terminate(closedNow);
            exchange.closed();
        });
        link.startWriting(outbound);
    }

    /** The announced id, else the number. May change once, when the client's announcement arrives. */
    @Override
    public String id() {
        String n = name;
        return n != null ? n : number;
    }

    String number() {
        return number;
    }

    void name(@Nullable String name) {
        this.name = name;
    }

    @Nullable String name() {
        return name;
    }

    @Override
    public Disposable handle(String type, IpcHandler handler) {
        return exchange.handle(type, handler);
    }

    @Override
    public Mono<Message> request(Message message) {
        return exchange.request(message, null);
    }

    @Override
    public Flux<Message> requestStream(Message message) {
        return exchange.requestStream(message, null);
    }

    @Override
    public int pendingRequests() {
        return exchange.pendingCalls();
    }

    @Override
    public String remoteAddress() {
        return link.remote();
    }

    @Override
    public java.util.Optional<io.reactiveipc.PeerCredentials> peerCredentials() {
        return link.peerCredentials();
    }

    @Override
    @SuppressWarnings("unchecked")
    public ConcurrentMap<String, Object> attributes() {
        ConcurrentMap<String, Object> a = attributes;
        if (a == null) {
            ATTRIBUTES.compareAndSet(this, null, new ConcurrentHashMap<>(4));
            a = attributes;
        }
        return a;
    }

    Exchange exchange() {
        return exchange;
    }

    @Override
    public Flux<Message> inbound() {
        return inbound;
    }

    /**
     * Once the client's hello said it acknowledges what we send, the session's sink: sequenced, held until
     * acknowledged, and it outlives this socket.
     */
    @Override
    public Sinks.Many<Message> outbound() {
        AckOutbox o = exchange.outbox;
        return o == null ? outbound : new AckSink(outbound, o::offer);
    }

    OutboundQueue queue() {
        return outbound;
    }

    @Override
    public Mono<Void> send(Message message) {
        AckOutbox o = exchange.outbox;
        return o == null ? outbound.send(message) : o.send(message);
    }

    @Override
    public Mono<Void> send(Publisher<Message> messages) {
        AckOutbox o = exchange.outbox;
        return o == null ? outbound.sendAll(messages) : o.sendAll(messages);
    }

    /** Why the connection closed itself, when it did (see {@link Link#closeCause()}). */
    @Nullable Throwable closeCause() {
        Throwable why = evicted;
        return why != null ? why : link.closeCause();
    }

    /** See {@link Link#quietSince()}. */
    long quietSince() {
        return link.quietSince();
    }

    /** Closes it, with {@code why} as the cause its pending sends and its Disconnected event carry. */
    void disconnect(Throwable why) {
        evicted = why;
        link.close();
    }

    /** Set by {@link #disconnect}: the server closed it on purpose (evicted, or fell behind a broadcast). */
    volatile @Nullable Throwable evicted;

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

    /**
     * Writes what is queued, then half-closes: the peer sees the end of the stream and closes, and what it sent
     * until then is still read and delivered. Messages queued after this fail with {@link IpcClosedException}.
     */
    void closeGracefully() {
        halfClose = true;
        outbound.tryEmitComplete(); // refused if completing or closed already: it closes anyway
    }

    @Override
    public void outboundCompleted() {
        if (halfClose) {
            link.closeOutput();
        } else {
            link.close();
        }
    }

    @Override
    public void outboundErrored(Throwable error) {
        events.emit(new IpcEvent.Failure(this, error));
        link.close();
    }

    @Override
    public void dropped(Message message, Throwable why) {
        metrics.messageDropped();
        events.emit(new IpcEvent.Failure(this, why));
    }

    @Override
    public void unanswered(Message message, IpcTimeoutException why) {
        events.emit(new IpcEvent.Failure(this, message.type(), why));
    }

    @Override
    public String toString() {
        return "IpcConnection{" + id() + ", " + link.remote() + "}";
    }
}
