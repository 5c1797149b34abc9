package io.reactiveipc.internal;

import io.reactiveipc.Discovery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcHandler;
import io.reactiveipc.IpcTimeoutException;
import io.reactiveipc.Message;
import io.reactiveipc.spi.IpcMetricsRecorder;
import io.reactiveipc.spi.IpcTransport;
import io.reactiveipc.spi.Link;
import io.reactiveipc.spi.OutboundQueue;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * The client logic every transport shares. One loop of connect attempts under a {@link Retry}; each socket that
 * comes up drains the client's queue and feeds the client's inbound; events describe it all.
 */
final class DefaultIpcClient implements IpcClient, OutboundQueue.Owner {

    private static final Logger LOG = LoggerFactory.getLogger("io.reactiveipc");

    private static final AtomicIntegerFieldUpdater<DefaultIpcClient> DISPOSED =
            AtomicIntegerFieldUpdater.newUpdater(DefaultIpcClient.class, "disposed");
    private static final AtomicIntegerFieldUpdater<DefaultIpcClient> FINISHED =
            AtomicIntegerFieldUpdater.newUpdater(DefaultIpcClient.class, "finished");
    private static final AtomicReferenceFieldUpdater<DefaultIpcClient, Subscription> FIRST =
            AtomicReferenceFieldUpdater.newUpdater(DefaultIpcClient.class, Subscription.class, "firstAttempt");
    /** The first attempt delivered or was cancelled. */
    private static final Subscription OVER = Operators.emptySubscription();

    private final IpcTransport transport;
    private final String id;
    private final IpcAddress address;
    private final IpcConfig config;
    private final IpcMetricsRecorder metrics;
    private final EventSink events;
    private final OutboundQueue outbound;
    private final Exchange exchange;
    /** Sockets in the order they came up; inbound reads each to its end before the next. */
    private final LinkSequence links;
    private final Flux<Message> inbound;
    /** Acknowledged delivery's sender; null in plain delivery. */
    private final @Nullable AckSender acked;
    private final Sinks.Many<Message> outboundSink;
    // Fields with updaters rather than atomics, and no Disposable once the first attempt is over: a thousand idle
    // clients carry all of it.
    private volatile int disposed;
    /** Set by disposeGracefully(): the queue is being written out, then the socket half-closes; no reconnect. */
    private volatile boolean draining;
    private volatile int finished;
    /** Emitted once, by finish(). */
    private final Sinks.Empty<Void> terminated = Sinks.unsafe().empty();
    private volatile @Nullable Link current;
    /** The first attempt while it runs; {@link #OVER} once it delivered (so nothing holds its operators). */
    private volatile @Nullable Subscription firstAttempt;
    /** The reconnect loop, from the first failure on (it may start before start() returns). */
    private volatile @Nullable Disposable loop;
    /** From the first failed attempt on. */
    private volatile @Nullable ConnectFailureLog failureLog;

    private DefaultIpcClient(IpcTransport transport, String id, IpcAddress address, IpcConfig given) {
        this.transport = transport;
        this.id = id;
        this.address = address;
        this.metrics = given.metrics() == IpcMetricsRecorder.NONE ? IpcMetricsRecorder.NONE
                : given.metrics().forClient(address);
        // transports and the exchange read the client's own recorder from its config
        IpcConfig config = metrics == IpcMetricsRecorder.NONE ? given : given.toBuilder().metrics(metrics).build();
        this.config = config;
        this.events = new EventSink(this, config); // not a string per client: logged rarely, held always
        this.outbound = new OutboundQueue(config.maxQueuedMessages(), this,
                config.sync() ? config.requestTimeout() : null);
        this.exchange = new Exchange(this, outbound, config, events, null);
        this.links = new LinkSequence(this, events, config.onProtocolError(), metrics);
        metrics.queueOpened(outbound);
        this.inbound = new InboundHub(links, exchange, config.maxQueuedMessages());
        if (config.delivery().isAcknowledged()) {
            AckSender s = new AckSender(outbound, config.delivery(),
                    why -> events.emit(new IpcEvent.Failure(this, new IpcException(why))));
            this.acked = s;
            this.exchange.sender(s);
            // what the server sends us is acknowledged too, and deduplicated by one numbering per session
            this.exchange.acks = new AckReceiver(new Sessions.Session(s.session(), 0, System.nanoTime()), outbound,
                    config.delivery());
            this.outboundSink = new AckSink(outbound, s::offer);
        } else {
            this.acked = null;
            this.outboundSink = outbound;
        }
    }

    /**
     * The first attempt runs alone; the reconnect loop under the {@link Retry} starts at the first failure. A client
     * whose socket never fails carries none of it (a third of an idle client's heap).
     */
    static IpcClient start(IpcTransport transport, String id, IpcAddress address, IpcConfig config) {
        DefaultIpcClient client = new DefaultIpcClient(transport, id, address, config);
        client.attempt().subscribe(client.new FirstAttempt());
        return client;
    }

    /** Subscribes the first attempt; what it delivers is let go of, so an idle client holds none of its chain. */
    private final class FirstAttempt implements CoreSubscriber<Link> {
        @Override
        public void onSubscribe(Subscription s) {
            if (FIRST.compareAndSet(DefaultIpcClient.this, null, s)) {
                s.request(Long.MAX_VALUE);
            } else {
                s.cancel(); // disposed already
            }
        }

        @Override
        public void onNext(Link link) {
            firstAttempt = OVER;
            connected(link, true);
        }

        @Override
        public void onError(Throwable error) {
            firstAttempt = OVER;
            reconnect(error);
        }

        @Override
        public void onComplete() {
            // after onNext: a transport's connect never completes empty
        }
    }

    /** From the first failure on, as if the first attempt had been made under the policy: it counts. */
    private void reconnect(Throwable firstFailure) {
        if (isDisposing()) {
            return; // dispose() finishes the client
        }
        AtomicBoolean first = new AtomicBoolean(true);
        loop = Flux.defer(() -> first.getAndSet(false) ? Flux.<Link>error(firstFailure) : sessions())
                .retryWhen(reconnectPolicy(new AtomicLong()))
                .subscribe(link -> connected(link, false), this::gaveUp, () -> finish(null));
        if (isDisposing()) {
            loop.dispose(); // dispose() may have looked before the loop was there
        }
    }

    /** Disposed, or draining: no reconnect either way. */
    private boolean isDisposing() {
        return disposed != 0 || draining;
    }

    /** One connect attempt; a failure is published as a Failure and a Disconnected. */
    private Mono<Link> attempt() {
        return Mono.defer(() -> transport.connect(address, config))
                .onErrorMap(e -> !(e instanceof IpcException),
                        e -> new IpcException("cannot connect to " + address + ": " + Reasons.of(e), e))
                .doOnError(e -> {
                    if (!isDisposing()) {
                        String line = config.silent() ? null : failureLog().failed(String.valueOf(e.getMessage()));
                        if (line != null) {
                            LOG.warn("{}: {}", this, line);
                        }
                        events.emit(new IpcEvent.Failure(this, e), false);
                        events.emit(new IpcEvent.Disconnected(this, e));
                    }
                });
    }

    /** Made at the first failure: a client that never fails carries none. */
    private ConnectFailureLog failureLog() {
        ConnectFailureLog log = failureLog;
        if (log == null) {
            log = new ConnectFailureLog(System::nanoTime);
            failureLog = log;
        }
        return log;
    }

    /** Each subscription: one attempt; emits the link when up, fails when it closes or the attempt fails. */
    private Flux<Link> sessions() {
        return attempt().flatMapMany(link -> Flux.just(link).concatWith(link.onClose().then(Mono.error(this::closed))));
    }

    private IpcClosedException closed() {
        return new IpcClosedException("connection to " + address + " was closed");
    }

    /** The configured policy, stopped by dispose and by stopRetrying's lifetime limit. */
    private Retry reconnectPolicy(AtomicLong reconnects) {
        Retry policy = config.reconnect();
        return Retry.from(signals -> policy.generateCompanion(signals.handle((signal, sink) -> {
            if (isDisposing()) {
                sink.error(new IpcClosedException("client " + id + " disposed"));
            } else if (reconnects.incrementAndGet() > config.stopRetrying()) {
                sink.error(new IpcException("stopRetrying: no reconnect attempt left after "
                        + config.stopRetrying(), signal.failure()));
            } else {
                sink.next(signal);
            }
        })));
    }

    /** {@code first}: the first attempt's link, whose close starts the reconnect loop. */
    private void connected(Link link, boolean first) {
        current = link;
        ConnectFailureLog log = failureLog;
        String line = log == null ? null : log.connected();
        if (line != null) {
            LOG.info("{}: {}", this, line);
        }
        if (isDisposing()) {
            link.close();
            return;
        }
        links.offer(link); // before a reconnect can offer the next one
        metrics.connectionOpened();
        if (!first) {
            metrics.reconnected();
        }
        AckSender s = acked;
        link.whenClosed(() -> {
            metrics.connectionClosed();
            current = null;
            if (s != null) {
                s.disconnected();
            }
            exchange.socketClosed();
            if (disposed == 0) {
                events.emit(new IpcEvent.Disconnected(this, null));
            }
            if (first) {
                reconnect(closed());
            }
        });
        if (s != null) {
            s.connected(); // what the last socket wrote and was not acknowledged goes first
            Map<String, Object> hello = new java.util.LinkedHashMap<>(); // id first, as in a plain hello
            hello.put("id", config.id());
            hello.put("session", s.session());
            hello.put("acks", true); // we acknowledge what the server sends: it may sequence it
            outbound.offerFirst(Message.of(Exchange.HELLO, hello));
        } else if (config.identify()) {
            outbound.offerFirst(Message.of(Exchange.HELLO, Map.of("id", config.id())));
        }
        link.startWriting(outbound);
        events.emit(new IpcEvent.Connected(this));
    }

    private void gaveUp(Throwable error) {
        Throwable cause = Exceptions.isRetryExhausted(error) && error.getCause() != null ? error.getCause() : error;
        finish(isDisposing() ? null : cause);
    }

    private void finish(@Nullable Throwable cause) {
        if (!FINISHED.compareAndSet(this, 0, 1)) {
            return;
        }
        outbound.terminate(new IpcClosedException(isDisposing() ? "client " + id + " disposed"
                : "client " + id + " gave up reconnecting: " + cause));
        exchange.closed();
        metrics.queueClosed(outbound);
        links.end();
        events.emit(new IpcEvent.Destroyed(cause));
        terminated.tryEmitEmpty();
    }

    @Override
    public void dispose() {
        if (!DISPOSED.compareAndSet(this, 0, 1)) {
            return;
        }
        Subscription attempt = FIRST.getAndSet(this, OVER);
        if (attempt != null) {
            attempt.cancel();
        }
        Disposable reconnecting = loop;
        if (reconnecting != null) {
            reconnecting.dispose();
        }
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
        return finished != 0;
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
    public Mono<Void> connected() {
        return events.latest()
                .filter(e -> e instanceof IpcEvent.Destroyed || isConnected())
                .next()
                .switchIfEmpty(Mono.error(() -> new IpcClosedException("client " + id + " was closed")))
                .flatMap(e -> {
                    if (e instanceof IpcEvent.Destroyed destroyed) {
                        Throwable cause = destroyed.cause();
                        if (cause == null) {
                            return Mono.error(new IpcClosedException("client " + id + " was disposed before it connected"));
                        }
                        IpcClosedException gaveUp =
                                new IpcClosedException("client " + id + " gave up reconnecting before it connected");
                        gaveUp.initCause(cause);
                        return Mono.error(gaveUp);
                    }
                    return Mono.empty();
                });
    }

    @Override
    public Flux<Message> inbound() {
        return inbound;
    }

    @Override
    public Sinks.Many<Message> outbound() {
        return outboundSink;
    }

    @Override
    public Mono<Void> send(Message message) {
        AckSender s = acked;
        return s != null ? s.send(message) : outbound.send(message);
    }

    @Override
    public Mono<Void> send(Publisher<Message> messages) {
        AckSender s = acked;
        return s != null ? s.sendAll(messages) : outbound.sendAll(messages);
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
    public Mono<Void> emitTo(String clientId, String type, @Nullable Object data) {
        return exchange.sendTo(Message.of(type, data), requireClient(clientId));
    }

    @Override
    public Mono<Message> requestTo(String clientId, String type, @Nullable Object data) {
        return exchange.request(Message.of(type, data), requireClient(clientId));
    }

    @Override
    public Mono<Void> broadcast(String type, @Nullable Object data) {
        return exchange.sendTo(Message.of(type, data), "*");
    }

    @Override
    public Mono<Discovery> discover() {
        return exchange.request(Message.of(Exchange.DISCOVER), null).map(m -> {
            Discovery d = m.data(Discovery.class);
            if (d == null) {
                throw new IpcException("the server's discover answer has no data");
            }
            return d;
        });
    }

    private static String requireClient(String clientId) {
        java.util.Objects.requireNonNull(clientId, "clientId");
        if (clientId.equals("*")) {
            throw new IllegalArgumentException("\"*\" names no client: use broadcast");
        }
        return clientId;
    }

    @Override
    public int pendingRequests() {
        return exchange.pendingCalls();
    }

    @Override
    public String remoteAddress() {
        Link link = current;
        return link != null ? link.remote() : address.toString();
    }

    @Override
    public java.util.Optional<io.reactiveipc.PeerCredentials> peerCredentials() {
        Link link = current;
        return link != null ? link.peerCredentials() : java.util.Optional.empty();
    }

    @Override
    public ConcurrentMap<String, Object> attributes() {
        ConcurrentMap<String, Object> a = attributes;
        if (a == null) {
            synchronized (this) {
                a = attributes;
                if (a == null) {
                    a = new ConcurrentHashMap<>(4);
                    attributes = a;
                }
            }
        }
        return a;
    }

    /** Created on first use: most clients never have any. */
    private volatile @Nullable ConcurrentMap<String, Object> attributes;

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
        Link link = current;
        if (draining && link != null) {
            link.closeOutput(); // disposeGracefully: the server reads to our end of stream, answers, closes
        } else {
            dispose();
        }
    }

    /**
     * Stops reconnecting, writes what is queued, half-closes the socket, reads what the server still sends until it
     * closes, then disposes; at the timeout, or at once if no socket is up, disposes.
     */
    @Override
    public Mono<Void> disposeGracefully(java.time.Duration timeout) {
        java.util.Objects.requireNonNull(timeout, "timeout");
        return Mono.defer(() -> {
            Link link = current;
            if (isDisposing() || link == null) {
                dispose();
                return onDispose();
            }
            draining = true;
            Disposable reconnecting = loop;
            if (reconnecting != null) {
                reconnecting.dispose(); // its session ends with this socket; no attempt after it
            }
            outbound.tryEmitComplete();
            return link.onClose()
                    .timeout(timeout, Mono.empty())
                    .onErrorResume(e -> Mono.empty())
                    .then(Mono.fromRunnable(this::dispose))
                    .then(onDispose());
        });
    }

    @Override
    public void outboundErrored(Throwable error) {
        events.emit(new IpcEvent.Failure(this, error));
        dispose();
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
        return "IpcClient{" + id + " -> " + address + (current != null ? ", connected" : "") + "}";
    }
}
