package io.reactiveipc.internal;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcException;
import io.reactiveipc.Message;
import io.reactiveipc.spi.IpcTransport;
import io.reactiveipc.spi.Link;
import io.reactiveipc.spi.OutboundQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.Exceptions;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;
import reactor.util.retry.Retry;

/**
 * The client logic every transport shares. One loop of connect attempts under a {@link Retry}; each socket that
 * comes up drains the client's queue and feeds the client's inbound; events describe it all.
 */
final class DefaultIpcClient implements IpcClient, OutboundQueue.Owner {

    private final IpcTransport transport;
    private final String id;
    private final IpcAddress address;
    private final IpcConfig config;
    private final EventSink events;
    private final OutboundQueue outbound;
    /**
     * Sockets in the order they came up; inbound reads each to its end before the next. Rarely more than one
     * waits, so the queue grows in links of 4 instead of Reactor's default 256 (1 KB per client).
     */
    private final Sinks.Many<Link> links = Sinks.many().unicast().onBackpressureBuffer(Queues.<Link>unbounded(4).get());
    private final Flux<Message> inbound;
    private final AtomicBoolean disposed = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicLong reconnects = new AtomicLong();
    private final Sinks.Empty<Void> terminated = Sinks.empty();
    private volatile @Nullable Link current;
    private volatile Disposable firstAttempt = Disposables.disposed(); // replaced in start()
    /** The reconnect loop, from the first failure on (it may start before start() returns). */
    private volatile Disposable loop = Disposables.disposed();

    private DefaultIpcClient(IpcTransport transport, String id, IpcAddress address, IpcConfig config) {
        this.transport = transport;
        this.id = id;
        this.address = address;
        this.config = config;
        this.events = new EventSink(this, config); // not a string per client: logged rarely, held always
        this.outbound = new OutboundQueue(config.maxQueuedMessages(), this);
        this.inbound = new InboundHub(links.asFlux().concatMap(link -> Inbound.receive(link, this, events), 1));
    }

    /**
     * The first attempt runs alone; the reconnect loop under the {@link Retry} starts at the first failure. A client
     * whose socket never fails carries none of it (a third of an idle client's heap).
     */
    static IpcClient start(IpcTransport transport, String id, IpcAddress address, IpcConfig config) {
        DefaultIpcClient client = new DefaultIpcClient(transport, id, address, config);
        client.firstAttempt = client.attempt().subscribe(link -> {
            client.connected(link);
            link.onClose().subscribe(null, null, () -> client.reconnect(client.closed()));
        }, client::reconnect);
        return client;
    }

    /** From the first failure on, as if the first attempt had been made under the policy: it counts. */
    private void reconnect(Throwable firstFailure) {
        if (disposed.get()) {
            return; // dispose() finishes the client
        }
        AtomicBoolean first = new AtomicBoolean(true);
        loop = Flux.defer(() -> first.getAndSet(false) ? Flux.<Link>error(firstFailure) : sessions())
                .retryWhen(reconnectPolicy())
                .subscribe(this::connected, this::gaveUp, () -> finish(null));
    }

    /** One connect attempt; a failure is published as a Failure and a Disconnected. */
    private Mono<Link> attempt() {
        return Mono.defer(() -> transport.connect(address, config))
                .onErrorMap(e -> !(e instanceof IpcException),
                        e -> new IpcException("cannot connect to " + address + ": " + e, e))
                .doOnError(e -> {
                    if (!disposed.get()) {
                        events.emit(new IpcEvent.Failure(this, e));
                        events.emit(new IpcEvent.Disconnected(this, e));
                    }
                });
    }

    /** Each subscription: one attempt; emits the link when up, fails when it closes or the attempt fails. */
    private Flux<Link> sessions() {
        return attempt().flatMapMany(link -> Flux.just(link).concatWith(link.onClose().then(Mono.error(this::closed))));
    }

    private IpcClosedException closed() {
        return new IpcClosedException("connection to " + address + " was closed");
    }

    /** The configured policy, stopped by dispose and by stopRetrying's lifetime limit. */
    private Retry reconnectPolicy() {
        Retry policy = config.reconnect();
        return Retry.from(signals -> policy.generateCompanion(signals.handle((signal, sink) -> {
            if (disposed.get()) {
                sink.error(new IpcClosedException("client " + id + " disposed"));
            } else if (reconnects.incrementAndGet() > config.stopRetrying()) {
                sink.error(new IpcException("stopRetrying: no reconnect attempt left after "
                        + config.stopRetrying(), signal.failure()));
            } else {
                sink.next(signal);
            }
        })));
    }

    private void connected(Link link) {
        current = link;
        if (disposed.get()) {
            link.close();
            return;
        }
        link.onClose().subscribe(null, null, () -> {
            current = null;
            if (!disposed.get()) {
                events.emit(new IpcEvent.Disconnected(this, null));
            }
        });
        links.emitNext(link, Sinks.EmitFailureHandler.busyLooping(java.time.Duration.ofSeconds(1)));
        link.startWriting(outbound);
        events.emit(new IpcEvent.Connected(this));
    }

    private void gaveUp(Throwable error) {
        Throwable cause = Exceptions.isRetryExhausted(error) && error.getCause() != null ? error.getCause() : error;
        finish(disposed.get() ? null : cause);
    }

    private void finish(@Nullable Throwable cause) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        outbound.terminate(new IpcClosedException(disposed.get() ? "client " + id + " disposed"
                : "client " + id + " gave up reconnecting: " + cause));
        links.tryEmitComplete();
        events.emit(new IpcEvent.Destroyed(cause));
        terminated.tryEmitEmpty();
    }

    @Override
    public void dispose() {
        if (!disposed.compareAndSet(false, true)) {
            return;
        }
        firstAttempt.dispose();
        loop.dispose();
        Link link = current;
        if (link == null) {
            finish(null);
            return;
        }
        link.close();
        link.onClose().subscribe(null, e -> finish(null), () -> {
            events.emit(new IpcEvent.Disconnected(this, null));
            finish(null);
        });
    }

    @Override
    public boolean isDisposed() {
        return finished.get();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public IpcAddress address() {
        return address;
    }

    @Override
    public boolean isConnected() {
        return current != null;
    }

    @Override
    public Flux<Message> inbound() {
        return inbound;
    }

    @Override
    public Sinks.Many<Message> outbound() {
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
    public Flux<IpcEvent> events() {
        return events.asFlux();
    }

    @Override
    public Mono<Void> onDispose() {
        return terminated.asMono();
    }

    @Override
    public void outboundCompleted() {
        dispose();
    }

    @Override
    public void outboundErrored(Throwable error) {
        events.emit(new IpcEvent.Failure(this, error));
        dispose();
    }

    @Override
    public void dropped(Message message, Throwable why) {
        events.emit(new IpcEvent.Failure(this, why));
    }

    @Override
    public String toString() {
        return "IpcClient{" + id + " -> " + address + (current != null ? ", connected" : "") + "}";
    }
}
