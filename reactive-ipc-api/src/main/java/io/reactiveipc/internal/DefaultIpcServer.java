package io.reactiveipc.internal;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.Discovery;
import io.reactiveipc.Incoming;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcHandler;
import io.reactiveipc.IpcServer;
import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.Message;
import io.reactiveipc.PeerCredentials;
import io.reactiveipc.spi.IpcMetricsRecorder;
import io.reactiveipc.PeerLimits;
import io.reactiveipc.spi.IpcTransport;
import io.reactiveipc.spi.Link;
import io.reactiveipc.spi.MessageStream;
import io.reactiveipc.spi.OutboundQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;

/** The server logic every transport shares: connection limit, registry, events, broadcast, handlers, relays. */
final class DefaultIpcServer implements IpcServer, Exchange.Server {

    private static final MessageAccess ACCESS = MessageAccess.get();

    private final IpcConfig config;
    private final IpcMetricsRecorder metrics;
    private final EventSink events;
    private final Set<IpcConnection> live = ConcurrentHashMap.newKeySet();
    private final Set<ConnectionWatcher> watchers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean disposed = new AtomicBoolean();
    /** Set by disposeGracefully(): no connection is accepted any more, the open ones drain. */
    private volatile boolean draining;
    private final Sinks.Empty<Void> terminated = Sinks.empty();
    private volatile IpcTransport.@Nullable Listener listener;
    private volatile @Nullable IpcAddress address;
    private final Map<String, IpcHandler> handlers = new ConcurrentHashMap<>();
    /** Acknowledged senders' dedupe state, made on the first session hello. */
    private volatile @Nullable Sessions sessions;
    /** Connections by the id their client announced. */
    private final Map<String, DefaultIpcConnection> named = new ConcurrentHashMap<>();
    /**
     * Outboxes of acknowledging clients by the id they announced, kept between their sockets until the session
     * expires (so at most as many as sessions are kept): {@link #emit} to a client between sockets is held there.
     */
    private final Map<String, AckOutbox> outboxes = new ConcurrentHashMap<>();

    private DefaultIpcServer(IpcConfig config, IpcAddress requested) {
        this.config = config;
        this.metrics = config.metrics();
        this.events = new EventSink("server " + requested, config);
        handlers.put(Exchange.DISCOVER, this::discover);
    }

    static Mono<IpcServer> bind(IpcTransport transport, IpcAddress address, IpcConfig config,
            java.util.function.Consumer<? super IpcServer> beforeAccepting) {
        IpcConfig scoped = config.metrics() == IpcMetricsRecorder.NONE ? config
                : config.toBuilder().metrics(config.metrics().forServer(address)).build();
        DefaultIpcServer server = new DefaultIpcServer(scoped, address);
        beforeAccepting.accept(server);
        return transport.listen(address, scoped, server::accept, (remote, reason) -> {
            server.metrics.connectionRefused("tls");
            server.events.emit(new IpcEvent.Rejected(remote, reason));
        }).map(l -> {
            server.listener = l;
            server.address = l.address();
            server.events.emit(new IpcEvent.Started(l.address()));
            return server;
        });
    }

    /** On an I/O thread, before the socket is read. */
    private void accept(Link link) {
        if (disposed.get() || draining) {
            metrics.connectionRefused("closing");
            link.close();
            return;
        }
        String refused = refusedPeer(link);
        if (refused != null) {
            metrics.connectionRefused("peer");
            events.emit(new IpcEvent.Rejected(link.remote(), refused));
            link.close();
            return;
        }
        int n;
        do {
            n = open.get();
            if (n >= config.maxConnections()) {
                if (evictQuietest()) {
                    open.incrementAndGet(); // the evicted one gives its slot back when it has closed
                    break;
                }
                metrics.connectionRefused("max.connections");
                events.emit(new IpcEvent.Rejected(link.remote(),
                        "maxConnections (" + config.maxConnections() + ") connections are open"));
                link.close();
                return;
            }
        } while (!open.compareAndSet(n, n + 1));
        DefaultIpcConnection c = new DefaultIpcConnection(String.valueOf(ids.incrementAndGet()), link, config, events,
                this);
        metrics.connectionOpened();
        metrics.queueOpened(c.queue());
        // in the broadcast set first: whoever sees Connected may broadcast at once, on this thread
        synchronized (watchers) {
            live.add(c);
            for (ConnectionWatcher w : watchers) {
                w.offer(c);
            }
        }
        events.emit(new IpcEvent.Connected(c));
        c.onDispose().subscribe(null, null, () -> {
            live.remove(c);
            String name = c.name();
            if (name != null) {
                named.remove(name, c);
            }
            open.decrementAndGet();
            metrics.queueClosed(c.queue());
            metrics.connectionClosed();
            events.emit(new IpcEvent.Disconnected(c, c.closeCause()));
        });
        if (disposed.get()) {
            c.dispose(); // dispose() ran while we registered it and may not have seen it
        } else if (draining) {
            c.closeGracefully(); // so did disposeGracefully()
        }
    }

    /** Why {@link IpcConfig#allowPeers()} refuses the peer of {@code link}, or null if it is admitted. */
    private @Nullable String refusedPeer(Link link) {
        java.util.function.Predicate<PeerCredentials> allow = config.allowPeers();
        if (allow == null) {
            return null;
        }
        java.util.Optional<PeerCredentials> peer = link.peerCredentials();
        if (peer.isEmpty()) {
            return "peer credentials unknown, and allowPeers admits only known peers";
        }
        try {
            return allow.test(peer.get()) ? null : "peer " + peer.get() + " is not allowed (allowPeers: " + allow + ")";
        } catch (RuntimeException e) {
            return "peer " + peer.get() + " refused: allowPeers failed: " + e;
        }
    }

    /**
     * At maxConnections: closes the open connection that has sent no complete frame for the longest time, if that
     * is at least {@code evictQuietAfter}, so idle sockets cannot lock everyone out. Whether it found one.
     */
    private boolean evictQuietest() {
        long now = System.nanoTime();
        long quietFor = config.peerLimits().evictQuietAfter().toNanos();
        synchronized (live) {
            DefaultIpcConnection quietest = null;
            long since = Long.MAX_VALUE;
            for (IpcConnection c : live) {
                DefaultIpcConnection d = (DefaultIpcConnection) c;
                long s = d.quietSince();
                if (d.evicted == null && !d.isDisposed() && s != Long.MAX_VALUE && s < since) {
                    quietest = d;
                    since = s;
                }
            }
            if (quietest == null || now - since < quietFor) {
                return false;
            }
            quietest.disconnect(new IpcException("evicted: sent no complete frame for "
                    + java.time.Duration.ofNanos(now - since).toMillis() + " ms while maxConnections ("
                    + config.maxConnections() + ") were open and another client connected"));
            return true;
        }
    }

    @Override
    public IpcAddress address() {
        IpcAddress a = address;
        if (a == null) {
            throw new IllegalStateException("not bound");
        }
        return a;
    }

    @Override
    public Flux<IpcConnection> connections() {
        return Flux.create(sink -> {
            ConnectionWatcher w = new ConnectionWatcher(sink, config.maxConnections());
            synchronized (watchers) {
                for (IpcConnection c : live) {
                    w.offer(c);
                }
                if (disposed.get()) {
                    w.complete();
                    return;
                }
                watchers.add(w);
            }
            sink.onRequest(n -> w.drain());
            sink.onDispose(() -> watchers.remove(w));
        });
    }

    @Override
    public Disposable handle(String type, IpcHandler handler) {
        requireNonNull(type, "type");
        requireNonNull(handler, "handler");
        handlers.put(type, handler);
        return () -> handlers.remove(type, handler);
    }

    @Override
    public Sessions sessions() {
        Sessions s = sessions;
        if (s == null) {
            synchronized (this) {
                s = sessions;
                if (s == null) {
                    s = new Sessions(config.delivery());
                    sessions = s;
                }
            }
        }
        return s;
    }

    @Override
    public AckOutbox outbox(Sessions.Session session, @Nullable String clientId) {
        AckOutbox o = sessions().outbox(session, this::expired);
        if (clientId != null) {
            outboxes.put(clientId, o);
        }
        return o;
    }

    /**
     * A session's client stayed away past its expiry, or was away longest when the replay budget was spent: what its
     * outbox held was dropped; said once, here.
     */
    private void expired(AckOutbox o) {
        outboxes.values().remove(o);
        IpcConnection last = o.lastConnection();
        if (last != null) {
            events.emit(new IpcEvent.Failure(last, new IpcException("acknowledged delivery to session " + o.session()
                    + " ended: " + o.ended() + "; what it had not acknowledged was dropped")));
        }
    }

    @Override
    public @Nullable IpcHandler handler(String type) {
        return handlers.get(type);
    }

    @Override
    public Mono<IpcConnection> connection(String clientId) {
        requireNonNull(clientId, "clientId");
        return Mono.create(sink -> {
            IpcConnection now = find(clientId);
            if (now != null) {
                sink.success(now);
                return;
            }
            synchronized (waiting) {
                if (disposed.get()) {
                    sink.success();
                    return;
                }
                waiting.computeIfAbsent(clientId, k -> new ArrayList<>()).add(sink);
            }
            sink.onDispose(() -> {
                synchronized (waiting) {
                    List<MonoSink<IpcConnection>> l = waiting.get(clientId);
                    if (l != null && l.remove(sink) && l.isEmpty()) {
                        waiting.remove(clientId);
                    }
                }
            });
            IpcConnection raced = find(clientId); // it may have announced itself between the look and the wait
            if (raced != null) {
                sink.success(raced);
            }
        });
    }

    /** Who waits in {@link #connection(String)} for a client that has not announced itself yet. */
    private final Map<String, List<MonoSink<IpcConnection>>> waiting = new java.util.HashMap<>();

    private void announced(String id, IpcConnection c) {
        List<MonoSink<IpcConnection>> sinks;
        synchronized (waiting) {
            sinks = waiting.remove(id);
        }
        if (sinks != null) {
            for (MonoSink<IpcConnection> s : sinks) {
                s.success(c);
            }
        }
    }

    /**
     * To the client's connection; to a client that acknowledges what we send and is between sockets, held in its
     * session's outbox (sequenced, up to its replay limit) until it reconnects or the session expires.
     */
    @Override
    public Mono<Void> emit(String clientId, String type, @Nullable Object data) {
        requireNonNull(clientId, "clientId");
        return Mono.defer(() -> {
            IpcConnection c = find(clientId);
            if (c != null) {
                return c.emit(type, data);
            }
            AckOutbox o = outboxes.get(clientId);
            if (o != null && !o.isClosed()) {
                return o.send(Message.of(type, data));
            }
            return Mono.error(new IpcException("no client '" + clientId + "' is connected"));
        });
    }

    @Override
    public Mono<Message> request(String clientId, String type, @Nullable Object data) {
        return connectedNow(clientId).flatMap(c -> c.request(type, data));
    }

    /** The client known as {@code clientId} when subscribed, or an error saying it is not connected. */
    private Mono<IpcConnection> connectedNow(String clientId) {
        requireNonNull(clientId, "clientId");
        return Mono.defer(() -> {
            IpcConnection c = find(clientId);
            return c == null ? Mono.error(new IpcException("no client '" + clientId + "' is connected"))
                    : Mono.just(c);
        });
    }

    private @Nullable IpcConnection find(String clientId) {
        DefaultIpcConnection c = named.get(clientId);
        if (c != null && !c.isDisposed()) {
            return c;
        }
        for (IpcConnection other : live) {
            if (((DefaultIpcConnection) other).number().equals(clientId) && ((DefaultIpcConnection) other).name() == null) {
                return other;
            }
        }
        return null;
    }

    @Override
    public void named(DefaultIpcConnection connection, String id) {
        String old = connection.name();
        if (id.equals(old)) {
            return;
        }
        if (old != null) {
            named.remove(old, connection);
        }
        DefaultIpcConnection previous = named.put(id, connection);
        if (previous != null && previous != connection) {
            previous.name(null); // the newer client takes the id over: most often the same one, reconnected
        }
        connection.name(id);
        announced(id, connection);
    }

    /** The built-in answer to a client's {@code discover()}. */
    private Publisher<?> discover(Incoming in) {
        List<String> types = new ArrayList<>();
        for (String t : handlers.keySet()) {
            if (!t.startsWith("ipc.")) {
                types.add(t);
            }
        }
        types.sort(null);
        List<String> clients = new ArrayList<>();
        for (IpcConnection c : live) {
            clients.add(c.id());
        }
        clients.sort(null);
        return Mono.just(new Discovery(types, clients));
    }

    /**
     * A client's message for another client ({@code "to":id}) or for every other client ({@code "to":"*"}), with
     * the policy's consent. Not delivered, a request is answered with an error and a plain message is reported to
     * its sender as an {@code ipc.error} frame; answers and stream controls that cannot be delivered are dropped
     * (the requester's timeout or the stream's end covers them).
     */
    @Override
    public void relay(DefaultIpcConnection from, Message message, Envelope envelope) {
        String to = requireNonNull(envelope.to());
        boolean control = envelope.isAnswer() || envelope.kind() == Envelope.MORE
                || envelope.kind() == Envelope.CANCEL;
        Message view = ACCESS.withEnvelope(message, null);
        if (!control) {
            boolean allowed;
            try {
                allowed = config.relayPolicy().allow(from, to, view);
            } catch (RuntimeException e) {
                events.emit(new IpcEvent.Failure(from, message.type(), e));
                allowed = false;
            }
            if (!allowed) {
                refuse(from, message, envelope, "E_REFUSED", "the server refused to relay '" + message.type()
                        + "' to " + ("*".equals(to) ? "every client" : "'" + to + "'"));
                return;
            }
        }
        Message relayed = ACCESS.withEnvelope(message, envelope.relayed(from.id()));
        if ("*".equals(to)) {
            for (IpcConnection c : live) {
                if (c != from) {
                    ((DefaultIpcConnection) c).queue().tryEmitNext(relayed);
                }
            }
            return;
        }
        IpcConnection target = find(to);
        if (target == null) {
            if (!control) {
                refuse(from, message, envelope, "E_NO_CLIENT", "no client '" + to + "' is connected");
            }
            return;
        }
        Sinks.EmitResult r = ((DefaultIpcConnection) target).queue().tryEmitNext(relayed);
        if (r != Sinks.EmitResult.OK && !control) {
            refuse(from, message, envelope, "E_OVERFLOW", "the queue of client '" + to + "' is full");
        }
    }

    private void refuse(DefaultIpcConnection from, Message message, Envelope envelope, String code, String text) {
        Message answer;
        if (envelope.isRequest()) {
            answer = ACCESS.withEnvelope(Message.of(message.type(), Exchange.errorData(code, text)),
                    Envelope.of(Envelope.ERROR, envelope.id()));
        } else {
            answer = Message.of(Exchange.ERROR, Exchange.errorData(code, text, "type", message.type(),
                    "to", requireNonNull(envelope.to())));
        }
        if (from.queue().tryEmitNext(answer) != Sinks.EmitResult.OK) {
            events.emit(new IpcEvent.Failure(from, message.type(), new IpcException(text)));
        }
    }

    @Override
    public int connectionCount() {
        return live.size();
    }

    @Override
    public Flux<Incoming> inbound() {
        return connections().flatMap(c -> c.inbound().map(m -> new Incoming(c, m)), Integer.MAX_VALUE);
    }

    @Override
    public Flux<IpcEvent> events() {
        return events.asFlux();
    }

    /**
     * Encoded once and queued once per connection as one shared entry, which counts the connections down as they
     * write it: no Mono and no pending entry per delivery. A message that cannot be encoded fails the broadcast.
     */
    @Override
    public Mono<Void> broadcast(Message message) {
        return Mono.create(sink -> deliver(Frames.encodedOnce(config.codec(), message), sink::success));
    }

    @Override
    public Mono<Void> broadcast(Publisher<Message> messages) {
        requireNonNull(messages, "messages");
        return Mono.create(sink -> messages.subscribe(new BroadcastStream(sink)));
    }

    /** Queues {@code encoded} on every open connection; {@code whenAllDone} runs once each has written or skipped it. */
    private void deliver(Message encoded, Runnable whenAllDone) {
        List<DefaultIpcConnection> targets = new ArrayList<>(live.size());
        for (IpcConnection c : live) {
            targets.add((DefaultIpcConnection) c);
        }
        OutboundQueue.Shared shared = new OutboundQueue.Shared(encoded, targets.size() + 1, whenAllDone);
        for (DefaultIpcConnection c : targets) {
            if (c.queue().offerShared(shared) == Sinks.EmitResult.FAIL_OVERFLOW
                    && config.peerLimits().slowConsumer() == PeerLimits.SlowConsumer.DISCONNECT && c.evicted == null) {
                c.disconnect(new IpcOverflowException("fell behind a broadcast: its queue of "
                        + config.maxQueuedMessages() + " messages is full (slowConsumer DISCONNECT)"));
            }
        }
        shared.done();
    }

    /** A broadcast stream: each message encoded, then queued as one shared entry on every open connection. */
    private final class BroadcastStream extends MessageStream {
        private final Runnable oneDone = this::done;

        BroadcastStream(MonoSink<Void> sink) {
            super(sink, 256);
        }

        @Override
        protected void hand(Message message) {
            Message encoded;
            try {
                encoded = Frames.encodedOnce(config.codec(), requireNonNull(message, "message"));
            } catch (RuntimeException e) {
                failed(e);
                return;
            }
            deliver(encoded, oneDone);
        }
    }

    @Override
    public Mono<Void> onDispose() {
        return terminated.asMono();
    }

    @Override
    public boolean isDisposed() {
        return disposed.get();
    }

    /**
     * Stop accepting, half-close every connection once its queue is written, read until each peer's end of stream,
     * then {@link #dispose()}; at the timeout, {@link #dispose()} whatever is still open.
     */
    @Override
    public Mono<Void> disposeGracefully(Duration timeout) {
        requireNonNull(timeout, "timeout");
        return Mono.defer(() -> {
            if (disposed.get() || draining) {
                return onDispose();
            }
            draining = true;
            List<Mono<Void>> closing = new ArrayList<>();
            IpcTransport.Listener l = listener;
            if (l != null) {
                l.dispose();
                closing.add(l.onDispose());
            }
            for (IpcConnection c : List.copyOf(live)) {
                ((DefaultIpcConnection) c).closeGracefully();
                closing.add(c.onDispose());
            }
            return Mono.when(closing)
                    .onErrorResume(e -> Mono.empty())
                    .timeout(timeout, Mono.empty())
                    .then(Mono.fromRunnable(this::dispose))
                    .then(onDispose());
        });
    }

    @Override
    public void dispose() {
        if (!disposed.compareAndSet(false, true)) {
            return;
        }
        List<Mono<Void>> closing = new ArrayList<>();
        synchronized (watchers) {
            for (ConnectionWatcher w : watchers) {
                w.complete();
            }
            watchers.clear();
        }
        List<MonoSink<IpcConnection>> stillWaiting = new ArrayList<>();
        synchronized (waiting) {
            waiting.values().forEach(stillWaiting::addAll);
            waiting.clear();
        }
        stillWaiting.forEach(MonoSink::success);
        Sessions known = sessions;
        if (known != null) {
            known.closeAll(new io.reactiveipc.IpcClosedException("server disposed: acknowledged messages its "
                    + "clients had not acknowledged are dropped"));
        }
        outboxes.clear();
        IpcTransport.Listener l = listener;
        if (l != null) {
            l.dispose();
            closing.add(l.onDispose());
        }
        for (IpcConnection c : List.copyOf(live)) {
            c.dispose();
            closing.add(c.onDispose());
        }
        Mono.when(closing).onErrorResume(e -> Mono.empty()).subscribe(null, null, () -> {
            events.emit(new IpcEvent.Destroyed(null));
            terminated.tryEmitEmpty();
        });
    }

    @Override
    public String toString() {
        return "IpcServer{" + address + ", connections=" + live.size() + "}";
    }
}
