package io.reactiveipc.internal;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.spi.IpcTransport;
import io.reactiveipc.spi.Link;
import io.reactiveipc.spi.OutboundQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;

/** The server logic every transport shares: connection limit, registry, events, broadcast. */
final class DefaultIpcServer implements IpcServer {

    private final IpcConfig config;
    private final EventSink events;
    private final Set<IpcConnection> live = ConcurrentHashMap.newKeySet();
    private final Set<FluxSink<IpcConnection>> watchers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean disposed = new AtomicBoolean();
    private final Sinks.Empty<Void> terminated = Sinks.empty();
    private volatile IpcTransport.@Nullable Listener listener;
    private volatile @Nullable IpcAddress address;

    private DefaultIpcServer(IpcConfig config, IpcAddress requested) {
        this.config = config;
        this.events = new EventSink("server " + requested, config);
    }

    static Mono<IpcServer> bind(IpcTransport transport, IpcAddress address, IpcConfig config) {
        DefaultIpcServer server = new DefaultIpcServer(config, address);
        return transport.listen(address, config, server::accept).map(l -> {
            server.listener = l;
            server.address = l.address();
            server.events.emit(new IpcEvent.Started(l.address()));
            return server;
        });
    }

    /** On an I/O thread, before the socket is read. */
    private void accept(Link link) {
        if (disposed.get()) {
            link.close();
            return;
        }
        int n;
        do {
            n = open.get();
            if (n >= config.maxConnections()) {
                events.emit(new IpcEvent.Rejected(link.remote(),
                        "maxConnections (" + config.maxConnections() + ") connections are open"));
                link.close();
                return;
            }
        } while (!open.compareAndSet(n, n + 1));
        IpcConnection c = new DefaultIpcConnection(String.valueOf(ids.incrementAndGet()), link, config, events);
        events.emit(new IpcEvent.Connected(c));
        synchronized (watchers) {
            live.add(c);
            for (FluxSink<IpcConnection> w : watchers) {
                w.next(c);
            }
        }
        c.onDispose().subscribe(null, null, () -> {
            live.remove(c);
            open.decrementAndGet();
            events.emit(new IpcEvent.Disconnected(c, null));
        });
        if (disposed.get()) {
            c.dispose(); // dispose() ran while we registered it and may not have seen it
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
            synchronized (watchers) {
                for (IpcConnection c : live) {
                    sink.next(c);
                }
                if (disposed.get()) {
                    sink.complete();
                    return;
                }
                watchers.add(sink);
            }
            sink.onDispose(() -> watchers.remove(sink));
        });
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
        return Mono.create(sink -> deliver(JsonCodec.encodedOnce(message), sink::success));
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
            c.queue().offerShared(shared);
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
                encoded = JsonCodec.encodedOnce(requireNonNull(message, "message"));
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

    @Override
    public void dispose() {
        if (!disposed.compareAndSet(false, true)) {
            return;
        }
        List<Mono<Void>> closing = new ArrayList<>();
        synchronized (watchers) {
            for (FluxSink<IpcConnection> w : watchers) {
                w.complete();
            }
            watchers.clear();
        }
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
