package io.reactiveipc.internal;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.Incoming;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcDataException;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcHandler;
import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcRemoteException;
import io.reactiveipc.IpcTimeoutException;
import io.reactiveipc.Message;
import io.reactiveipc.spi.IpcMetricsRecorder;
import io.reactiveipc.spi.OutboundQueue;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;

/**
 * One connection's router: what arrives is routed here before the inbound hub (answers to our requests, stream
 * credits, requests and messages for handlers), and what we ask goes out from here. It is what rsocket-java's
 * {@code ClientServerInputMultiplexer} and {@code RequesterResponderSupport} are to RSocket, over node-ipc's frames.
 *
 * <p>Every handler call is isolated: it is subscribed on its own, and its failure is one Failure event and, for a
 * request, one error answer; nothing a handler does can end the registration or the connection's inbound.
 *
 * <p>Maps are created on first use: an idle connection that never asks or answers carries none of them.
 */
final class Exchange {

    /** What the exchange tells the inbound hub behind it (one reference, not three lambdas: every idle connection has it). */
    interface Hub {
        /** A message taken here still holds its place in the reading window (a parked handler call). */
        void parkedOne();

        /** A parked message's place is free again. */
        void releasedOne();

        /** A request is waiting for an answer: keep reading even when the subscribers' room is used up. */
        void answersAwaited();
    }

    /** The server-wide part a server connection's exchange consults (handlers, names, relays). */
    interface Server {
        @Nullable IpcHandler handler(String type);

        /** The client announced its id. */
        void named(DefaultIpcConnection connection, String id);

        /** A message addressed to another client, or to every other client. */
        void relay(DefaultIpcConnection from, Message message, Envelope envelope);

        /** Acknowledged senders' dedupe state. */
        Sessions sessions();

        /**
         * A connection's client acknowledges what the server sends: the outbox of its session (made if new), known
         * by {@code clientId} until it expires.
         */
        AckOutbox outbox(Sessions.Session session, @Nullable String clientId);
    }

    static final String HELLO = "ipc.hello";
    static final String DISCOVER = "ipc.discover";
    static final String MORE = "ipc.more";
    static final String CANCEL = "ipc.cancel";
    /** A server's word to a client that a message it sent for relaying was not delivered. */
    static final String ERROR = "ipc.error";

    private static final MessageAccess ACCESS = MessageAccess.get();

    private static final AtomicLongFieldUpdater<Exchange> IDS =
            AtomicLongFieldUpdater.newUpdater(Exchange.class, "ids");
    private static final AtomicIntegerFieldUpdater<Exchange> RUNNING =
            AtomicIntegerFieldUpdater.newUpdater(Exchange.class, "running");
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<Exchange, CallTable> CALLS =
            AtomicReferenceFieldUpdater.newUpdater(Exchange.class, CallTable.class, "calls");
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<Exchange, ConcurrentHashMap> HANDLERS =
            AtomicReferenceFieldUpdater.newUpdater(Exchange.class, ConcurrentHashMap.class, "handlers");
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<Exchange, ConcurrentHashMap> STREAMS =
            AtomicReferenceFieldUpdater.newUpdater(Exchange.class, ConcurrentHashMap.class, "streams");

    private final IpcConnection owner;
    private final OutboundQueue out;
    private final IpcConfig config;
    private final IpcMetricsRecorder metrics;
    private final EventSink events;
    private final @Nullable Server server;
    /** A client's exchange not in sync mode: a message without envelope needs only a look at its own handlers. */
    private final boolean plain;
    private @Nullable Hub hub;
    /** Server: set by a session hello (acknowledged delivery); the hub reports deliveries to it. */
    volatile @Nullable AckReceiver acks;
    /** Client in acknowledged delivery: takes the server's acks. */
    private @Nullable AckSender sender;
    /** Server: set by a hello that says its client acknowledges; what is sent to the session goes through it. */
    volatile @Nullable AckOutbox outbox;

    private volatile long ids;
    /** Our requests awaiting answers, by request id. */
    private volatile @Nullable CallTable<Call> calls;
    /** Handlers of this connection alone. */
    private volatile @Nullable ConcurrentHashMap<String, IpcHandler> handlers;
    /**
     * Handler calls running on a publisher (streams, and single answers not known at once), by requester (a
     * relaying server's sender) and request id; a call for a plain message, or one whose id is in use, by itself.
     * They are cancelled from here when the requester cancels, or when the connection closes.
     */
    private volatile @Nullable ConcurrentHashMap<Object, Running> streams;
    /** Handler calls running (taken and given back without a lock while none is parked). */
    private volatile int running;
    /** Guarded by this: calls waiting for a running one to finish, oldest first. */
    private @Nullable ArrayDeque<Runnable> parked;
    /** How many calls {@link #parked} holds; written under the lock, read without it. */
    private volatile int parkedCount;
    private volatile boolean closed;

    Exchange(IpcConnection owner, OutboundQueue out, IpcConfig config, EventSink events, @Nullable Server server) {
        this.plain = server == null && !out.isSync();
        this.owner = owner;
        this.out = out;
        this.config = config;
        this.metrics = config.metrics();
        this.events = events;
        this.server = server;
    }

    /** Client: wires acknowledged delivery in, before the first socket. */
    void sender(AckSender sender) {
        this.sender = sender;
    }

    /** Wires the inbound hub in: set once, before the first message. */
    void hub(Hub hub) {
        this.hub = hub;
    }

    // ---- inbound ---------------------------------------------------------------------------------------------

    /**
     * Called on the I/O thread for each inbound message, in order. Returns the message for {@code inbound()}, or
     * null when it was taken here (its place in the hub's reading window is free at once, or, for a handler call
     * parked behind {@code handlerConcurrency} others, when it starts).
     */
    @Nullable Message route(Message m) {
        Envelope e = ACCESS.envelope(m);
        if (e == null && plain && handlers == null && !m.isType(ERROR)) {
            return m; // a client's plain message with no handler of its own: the common case, nothing to look up
        }
        if (e != null && (e.seq() > 0 || e.kind() == Envelope.ACK)) {
            return sequenced(m, e);
        }
        return routeEnvelope(m, e);
    }

    /** Acknowledged delivery: an ack for a client; for a server, a sequenced message (a duplicate is dropped). */
    private @Nullable Message sequenced(Message m, Envelope e) {
        if (e.kind() == Envelope.ACK) {
            if (server == null) {
                AckSender s = sender;
                if (s != null) {
                    s.acked(e.id());
                }
                if (acks != null) {
                    welcomed(m);
                }
            } else {
                AckOutbox o = outbox;
                if (o != null && o.token().equals(textOf(m))) {
                    o.acked(e.id()); // an ack for another numbering (ours before a restart) means nothing
                }
            }
            return consumed(); // an ack nobody asked for means nothing
        }
        Envelope bare = e.kind() == Envelope.NONE && e.to() == null && e.from() == null ? null
                : new Envelope(e.kind(), e.id(), e.n(), e.to(), e.from());
        Message plainMessage = ACCESS.withEnvelope(m, bare);
        AckReceiver r = acks;
        if (r == null) {
            return routeEnvelope(plainMessage, bare); // no session announced (or a plain client): a plain message
        }
        long seq = e.seq();
        if (!r.accept(seq)) {
            return consumed();
        }
        Message routed = routeEnvelope(plainMessage, bare);
        if (routed == null) {
            r.taken(seq);
            return null;
        }
        Envelope seen = ACCESS.envelope(routed);
        routed = ACCESS.withEnvelope(routed, seen == null
                ? new Envelope(Envelope.NONE, 0, 0, null, null, seq, r.session())
                : new Envelope(seen.kind(), seen.id(), seen.n(), seen.to(), seen.from(), seq, r.session()));
        r.routed(routed, seq);
        return routed;
    }

    private @Nullable Message routeEnvelope(Message m, @Nullable Envelope e) {
        OutboundQueue.Entry awaited = out.answered(); // sync mode: any inbound message releases the next outbound one
        if (server != null) {
            if (e != null && e.to() != null) {
                server.relay((DefaultIpcConnection) owner, m, e);
                return consumed();
            }
            if (e != null && e.from() != null) {
                e = new Envelope(e.kind(), e.id(), e.n(), null, null); // only the server says who sent what
                if (e.kind() == Envelope.NONE) {
                    e = null;
                }
            }
            if (e == null && m.isType(HELLO)) {
                hello(m);
                return consumed();
            }
        }
        if (e != null) {
            switch (e.kind()) {
                case Envelope.REPLY, Envelope.END, Envelope.ERROR -> {
                    answer(m, e);
                    return consumed();
                }
                case Envelope.MORE, Envelope.CANCEL -> {
                    control(e);
                    return consumed();
                }
                case Envelope.REQUEST, Envelope.STREAM -> {
                    IpcHandler h = handler(m.type());
                    if (h == null) {
                        sendAnswer(errorAnswer(m.type(), e, "E_NO_HANDLER", "nothing handles '" + m.type() + "'"),
                                m.type());
                        return consumed();
                    }
                    return invoke(h, m, e);
                }
                default -> {
                }
            }
        }
        if (server == null && e == null && m.isType(ERROR)) {
            relayRefused(m);
            return consumed();
        }
        if (e == null && awaited instanceof Call c && c.answeredPlainly(m)) {
            return consumed(); // sync mode, node-ipc's way: the next message is the answer to the request in flight
        }
        IpcHandler h = handler(m.type());
        if (h != null) {
            return invoke(h, m, e);
        }
        return ACCESS.withEnvelope(m, Envelope.userView(e));
    }

    private static @Nullable Message consumed() {
        return null;
    }

    /** The message's data if it is a string, else null. */
    private static @Nullable String textOf(Message m) {
        try {
            var d = m.data();
            return d.isTextual() ? d.asText() : null;
        } catch (RuntimeException ex) {
            return null;
        }
    }

    /**
     * Client: an ack whose data names the server's outbox for our session (the welcome on each socket). Another
     * name than before means the server numbers anew (it restarted, or our session expired there): what the old
     * numbering had not delivered is gone with it, and dedupe starts again from 0.
     */
    private void welcomed(Message m) {
        String stream = textOf(m);
        AckReceiver r = acks;
        if (stream == null || r == null || stream.equals(r.stream)) {
            return;
        }
        if (r.stream == null) {
            r.stream = stream;
            return;
        }
        r.retire();
        AckReceiver fresh = new AckReceiver(new Sessions.Session(r.session(), 0, System.nanoTime()), out,
                config.delivery());
        fresh.stream = stream;
        acks = fresh;
    }

    private void hello(Message m) {
        String id;
        try {
            var node = m.data().get("id");
            id = node != null && node.isTextual() ? node.asText() : null;
        } catch (RuntimeException ex) {
            id = null;
        }
        boolean usable = id != null && !id.isEmpty() && id.length() <= 256 && !id.equals("*");
        try {
            var token = m.data().get("session");
            if (token != null && token.isTextual() && !token.asText().isEmpty() && token.asText().length() <= 256) {
                Server s = requireNonNull(server);
                Sessions.Session session = s.sessions().open(token.asText());
                AckReceiver r = new AckReceiver(session, out, config.delivery());
                acks = r;
                var back = m.data().get("acks");
                if (back != null && back.asBoolean(false)) {
                    // the client acknowledges what we send: its session's outbox writes here, after the welcome
                    AckOutbox o;
                    do { // again if it closed since it was looked up (expired, or dropped for the replay budget)
                        o = s.outbox(session, usable ? id : null);
                        outbox = o;
                        r.welcome(o.token()); // the announcement: a second one replaces the first
                    } while (!o.attach(owner, out));
                } else {
                    r.welcome(null);
                }
            }
        } catch (RuntimeException ex) {
            // no usable session: plain delivery; the id is checked below
        }
        if (!usable) {
            events.emit(new IpcEvent.Failure(owner, HELLO, new IpcProtocolException(
                    IpcProtocolException.Reason.INVALID_MESSAGE, "'" + HELLO + "' without a usable id "
                    + "(a string of 1 to 256 characters, not \"*\"); the connection keeps its number")));
            return;
        }
        requireNonNull(server).named((DefaultIpcConnection) owner, id);
    }

    private void relayRefused(Message m) {
        String type;
        try {
            type = m.data().path("type").asText("?");
        } catch (RuntimeException e) {
            type = "?";
        }
        events.emit(new IpcEvent.Failure(owner, type,
                remoteError(type, m, "E_REFUSED", "the server did not relay a message")));
    }

    /** What an error answer or a refusal notice carries ({@code {"code","message"}}), or the defaults. */
    private static IpcRemoteException remoteError(String type, Message m, String code, String text) {
        try {
            var d = m.data();
            code = d.path("code").asText(code);
            text = d.path("message").asText(text);
        } catch (RuntimeException ignored) {
            // an answer without the usual data still fails the request, with the defaults
        }
        return new IpcRemoteException(type, code, text);
    }

    private @Nullable IpcHandler handler(String type) {
        Map<String, IpcHandler> own = handlers;
        IpcHandler h = own != null ? own.get(type) : null;
        if (h == null && server != null) {
            h = server.handler(type);
        }
        return h;
    }

    // ---- handlers --------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    Disposable handle(String type, IpcHandler handler) {
        requireNonNull(type, "type");
        requireNonNull(handler, "handler");
        ConcurrentHashMap<String, IpcHandler> map = handlers;
        if (map == null) {
            HANDLERS.compareAndSet(this, null, new ConcurrentHashMap<>(4));
            map = handlers;
        }
        map.put(type, handler);
        ConcurrentHashMap<String, IpcHandler> registered = map;
        return () -> registered.remove(type, handler);
    }

    /**
     * Runs the call now if fewer than handlerConcurrency run and none is parked, else parks it (the source is not
     * replenished). Calls start in the order their messages came: only the source's thread invokes (one at a time),
     * so a call never passes a parked one. One atomic operation to start and one to finish, no lock, unless parked.
     */
    private @Nullable Message invoke(IpcHandler h, Message m, @Nullable Envelope e) {
        if (parkedCount == 0) {
            int max = config.handlerConcurrency();
            for (int r = running; r < max; r = running) {
                if (RUNNING.compareAndSet(this, r, r + 1)) {
                    start(h, m, e);
                    return consumed();
                }
            }
        }
        synchronized (this) {
            ArrayDeque<Runnable> p = parked;
            if (p == null) {
                p = new ArrayDeque<>();
                parked = p;
            }
            p.add(() -> {
                Hub b = hub;
                if (b != null) {
                    b.releasedOne();
                }
                start(h, m, e);
            });
            parkedCount = p.size();
            Hub b = hub;
            if (b != null) {
                b.parkedOne();
            }
        }
        startParked(); // a call may have finished between the look at running and the park
        return null;
    }

    /** A call finished: its place goes to the oldest parked call, if any. */
    private void finished() {
        RUNNING.decrementAndGet(this);
        if (parkedCount != 0) {
            startParked();
        }
    }

    /**
     * Starts parked calls, oldest first, while places are free. Parking writes parkedCount and then reads running;
     * finishing writes running and then reads parkedCount: one of the two always sees the other.
     */
    private void startParked() {
        int max = config.handlerConcurrency();
        for (;;) {
            int r = running;
            if (r >= max || parkedCount == 0) {
                return;
            }
            if (!RUNNING.compareAndSet(this, r, r + 1)) {
                continue;
            }
            Runnable next;
            synchronized (this) {
                ArrayDeque<Runnable> p = parked;
                next = p != null ? p.poll() : null;
                parkedCount = p != null ? p.size() : 0;
            }
            if (next == null) {
                RUNNING.decrementAndGet(this); // another finisher took the last one
                return;
            }
            next.run();
        }
    }

    private void start(IpcHandler h, Message m, @Nullable Envelope e) {
        String type = m.type();
        Message view = ACCESS.withEnvelope(m, e == null ? null : Envelope.userView(e));
        Publisher<?> result;
        try {
            result = h.handle(new Incoming(owner, view));
        } catch (Throwable t) {
            reactor.core.Exceptions.throwIfJvmFatal(t);
            failed(type, e, t);
            finished();
            return;
        }
        boolean stream = e != null && e.kind() == Envelope.STREAM;
        if (result == null || !stream && result instanceof reactor.core.Fuseable.ScalarCallable<?>) {
            // null, Mono.just, Mono.empty: answered at once, without a subscriber (most handlers return these)
            Object value;
            try {
                value = result == null ? null : ((reactor.core.Fuseable.ScalarCallable<?>) result).call();
            } catch (Throwable t) {
                reactor.core.Exceptions.throwIfJvmFatal(t);
                failed(type, e, t);
                finished();
                return;
            }
            if (value != null) {
                answerValue(type, e, value);
            } else if (e != null && e.isRequest()) {
                sendAnswer(answer(type, e, Envelope.END, null), type);
            }
            finished();
            return;
        }
        if (stream) {
            Responder r = new Responder(type, e);
            Object key = r.key;
            ConcurrentHashMap<Object, Running> map = streams();
            if (map.putIfAbsent(key, r) != null) {
                sendAnswer(errorAnswer(type, e, "E_PROTOCOL", "request id " + e.id() + " is already a stream"), type);
                finished();
                return;
            }
            Flux.from(result).subscribe(r);
        } else {
            Single single = new Single(type, e);
            ConcurrentHashMap<Object, Running> map = streams();
            single.key = e != null && e.isRequest() ? streamKey(e) : single;
            if (map.putIfAbsent(single.key, single) != null) {
                single.key = single; // a request id in use: this call is cancelled only when we close
                map.put(single, single);
            }
            Mono.from(result).subscribe(single);
        }
    }

    /**
     * A call failed: a Failure event, and for a request an error answer. An {@link IpcRemoteException} thrown for a
     * request is the handler's chosen answer, not a failure: the requester is told, and that is all.
     */
    private void failed(String type, @Nullable Envelope e, Throwable error) {
        boolean request = e != null && e.isRequest();
        if (!(request && error instanceof IpcRemoteException)) {
            events.emit(new IpcEvent.Failure(owner, type, error));
        }
        if (request && !closed) {
            String code;
            String text;
            if (error instanceof IpcRemoteException r) {
                code = r.code();
                text = r.remoteMessage();
            } else {
                code = error instanceof IpcDataException ? "E_DATA" : "E_HANDLER";
                text = error.getMessage() != null ? error.getMessage() : error.getClass().getName();
            }
            sendAnswer(errorAnswer(type, e, code, text), type);
        }
    }

    /** The answer frame for request {@code e}; addressed back to the requester when it came through a server. */
    private static Message answer(String type, Envelope e, int kind, @Nullable Object value) {
        Message m = value instanceof Message given ? given : Message.of(type, value);
        return ACCESS.withEnvelope(m, new Envelope(kind, e.id(), 0, e.from(), null));
    }

    private static Message errorAnswer(String type, Envelope e, String code, String text) {
        return answer(type, e, Envelope.ERROR, errorData(code, text));
    }

    /**
     * An error's data, {@code {"code":...,"message":...}} then any further pairs, in that order every time (a
     * {@code Map.of} iterates in an order that changes from one JVM run to the next).
     */
    static Map<String, String> errorData(String code, String text, String... more) {
        Map<String, String> data = new java.util.LinkedHashMap<>(4);
        data.put("code", code);
        data.put("message", text);
        for (int i = 0; i + 1 < more.length; i += 2) {
            data.put(more[i], more[i + 1]);
        }
        return data;
    }

    /** A value for a plain message: sent back as a message, to the sender through the server if relayed. */
    private static Message plainAnswer(String type, @Nullable Envelope e, Object value) {
        Message m = value instanceof Message given ? given : Message.of(type, value);
        String from = e != null ? e.from() : null;
        return from == null ? ACCESS.withEnvelope(m, null)
                : ACCESS.withEnvelope(m, new Envelope(Envelope.NONE, 0, 0, from, null));
    }

    /** Queues an answer; if it cannot be written, that is reported (and a request gets an error instead). */
    private void sendAnswer(Message answer, String type) {
        Sent s = new Sent(answer, type, null);
        if (out.offer(s) != reactor.core.publisher.Sinks.EmitResult.OK) {
            s.failed(out.size() >= config.maxQueuedMessages() ? new IpcOverflowException(config.maxQueuedMessages())
                    : new IpcClosedException("connection closed: the answer to '" + type + "' was not sent"));
        }
    }

    /** An answer or stream item on its way; reports a failure to write it. */
    private class Sent extends OutboundQueue.Tracked {
        final Message message;
        final String type;
        final @Nullable Responder stream;

        Sent(Message message, String type, @Nullable Responder stream) {
            this.message = message;
            this.type = type;
            this.stream = stream;
        }

        @Override
        public Message message() {
            return message;
        }

        @Override
        public void written() {
            if (stream != null) {
                stream.itemWritten();
            }
        }

        /** An answer, in sync mode: it awaits no answer of its own. */
        @Override
        public boolean asks() {
            return false;
        }

        @Override
        public void failed(Throwable error) {
            events.emit(new IpcEvent.Failure(owner, type, error));
            Envelope e = ACCESS.envelope(message);
            boolean unwritable = error instanceof IpcDataException || error instanceof IpcProtocolException;
            if (unwritable && e != null && (e.kind() == Envelope.REPLY)) {
                // The handler's value could not be encoded (or was too large): the requester still gets an answer.
                String code = error instanceof IpcDataException ? "E_DATA" : "E_TOO_LARGE";
                Envelope request = new Envelope(Envelope.REQUEST, e.id(), 0, null, e.to());
                sendAnswer(errorAnswer(type, request, code, String.valueOf(error.getMessage())), type);
            }
            if (stream != null) {
                stream.cancelled(); // an item could not be sent: the stream stops
            }
        }
    }

    /** A handler's value: the answer to a request, or a message back to the sender of a plain one. */
    private void answerValue(String type, @Nullable Envelope request, Object value) {
        if (request != null && request.isRequest()) {
            sendAnswer(answer(type, request, Envelope.REPLY, value), type);
        } else {
            sendAnswer(plainAnswer(type, request, value), type);
        }
    }

    /**
     * A handler call running on a publisher (a stream, or a single answer not known at once): ended once, by its
     * publisher, by the requester's cancel, or by the connection's end.
     */
    private abstract class Running {
        private static final AtomicIntegerFieldUpdater<Running> DONE =
                AtomicIntegerFieldUpdater.newUpdater(Running.class, "done");

        /** Its key in {@code streams}: set before it subscribes. */
        Object key;
        volatile @Nullable Subscription upstream;
        volatile int done;

        /** Ends the call once: it leaves {@code streams} and gives its place back. True for the one that ended it. */
        final boolean end() {
            if (!DONE.compareAndSet(this, 0, 1)) {
                return false;
            }
            Map<Object, Running> map = streams;
            if (map != null) {
                map.remove(key, this);
            }
            finished();
            return true;
        }

        final void cancelUpstream() {
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
        }

        /** The requester cancelled, or the connection closed: stop the handler's publisher, answer nothing. */
        final void cancelled() {
            if (end()) {
                cancelUpstream();
            }
        }

        /**
         * The connection closed before the call answered: as {@link #cancelled()}, and a single call (its answer
         * lost) is an {@link IpcEvent.Failure} with an {@link IpcClosedException}.
         */
        void connectionClosed() {
            cancelled();
        }

        /** True for a request (its requester's socket closing ends it), false for a plain message. */
        abstract boolean answersRequest();
    }

    /** Subscribes to a handler's answer to a request or a plain message (a publisher that is not a constant). */
    private final class Single extends Running implements CoreSubscriber<Object> {
        private final String type;
        private final @Nullable Envelope request;
        private boolean answered;

        Single(String type, @Nullable Envelope request) {
            this.type = type;
            this.request = request;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                if (done != 0) {
                    s.cancel(); // cancelled before the publisher subscribed
                    return;
                }
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(Object value) {
            if (done != 0 || answered) {
                Operators.onDiscard(value, reactor.util.context.Context.empty());
                return;
            }
            answered = true;
            answerValue(type, request, value);
        }

        @Override
        public void onError(Throwable t) {
            if (end()) {
                failed(type, request, t);
            }
        }

        @Override
        public void onComplete() {
            if (end() && !answered && request != null && request.isRequest()) {
                sendAnswer(answer(type, request, Envelope.END, null), type);
            }
        }

        @Override
        void connectionClosed() {
            if (end()) {
                events.emit(new IpcEvent.Failure(owner, type, new IpcClosedException("the connection closed before"
                        + " the handler answered '" + type + "'; the call was cancelled")));
                cancelUpstream();
            }
        }

        @Override
        boolean answersRequest() {
            return request != null && request.isRequest();
        }
    }

    // ---- streams we answer -----------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private ConcurrentHashMap<Object, Running> streams() {
        ConcurrentHashMap<Object, Running> map = streams;
        if (map == null) {
            STREAMS.compareAndSet(this, null, new ConcurrentHashMap<>(4));
            map = streams;
        }
        return map;
    }

    private static Object streamKey(Envelope e) {
        return e.from() == null ? (Object) e.id() : e.from() + "\u0000" + e.id();
    }

    private void control(Envelope e) {
        Map<Object, Running> map = streams;
        Running call = map != null ? map.get(streamKey(e)) : null;
        if (call == null) {
            return; // the call ended already: its end and this crossed on the wire
        }
        if (e.kind() != Envelope.MORE) {
            call.cancelled();
        } else if (call instanceof Responder r) {
            r.credit(e.n());
        }
    }

    /**
     * Sends a handler's values as a stream's answers within the requester's credits, at most {@link #WINDOW}
     * queued and unwritten at a time, then the end or the error.
     */
    private static final int WINDOW = 256;

    private final class Responder extends Running implements CoreSubscriber<Object> {
        private static final AtomicLongFieldUpdater<Responder> CREDITS =
                AtomicLongFieldUpdater.newUpdater(Responder.class, "credits");
        private static final AtomicIntegerFieldUpdater<Responder> INFLIGHT =
                AtomicIntegerFieldUpdater.newUpdater(Responder.class, "inflight");

        final String type;
        final Envelope request;
        /** Credits given by the requester and not yet requested from the handler's publisher. */
        private volatile long credits;
        /** Requested from the publisher or queued, and not yet written. */
        private volatile int inflight;

        Responder(String type, Envelope request) {
            this.type = type;
            this.request = request;
            this.key = streamKey(request);
            this.credits = request.n();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                if (done != 0) {
                    s.cancel(); // the requester cancelled (or the connection closed) before the publisher subscribed
                    return;
                }
                pull();
            }
        }

        /** Requests what the credits and the window allow. */
        private void pull() {
            Subscription s = upstream;
            if (s == null || done != 0) {
                return;
            }
            for (;;) {
                long c = credits;
                int f = inflight;
                long n = Math.min(c, WINDOW - f);
                if (n <= 0) {
                    return;
                }
                if (CREDITS.compareAndSet(this, c, c - n)) {
                    INFLIGHT.addAndGet(this, (int) n);
                    s.request(n);
                }
            }
        }

        void credit(long n) {
            for (;;) {
                long c = credits;
                if (CREDITS.compareAndSet(this, c, Math.min(Envelope.MAX_ID, c + n))) {
                    break;
                }
            }
            pull();
        }

        void itemWritten() {
            INFLIGHT.decrementAndGet(this);
            pull();
        }

        @Override
        public void onNext(Object value) {
            if (done != 0) {
                Operators.onDiscard(value, reactor.util.context.Context.empty());
                return;
            }
            Sent s = new Sent(answer(type, request, Envelope.REPLY, value), type, this);
            if (out.offer(s) != reactor.core.publisher.Sinks.EmitResult.OK) {
                s.failed(new IpcClosedException("connection closed: stream '" + type + "' ended"));
            }
        }

        @Override
        public void onError(Throwable t) {
            if (end()) {
                failed(type, request, t);
            }
        }

        @Override
        public void onComplete() {
            if (end()) {
                sendAnswer(answer(type, request, Envelope.END, null), type);
            }
        }

        @Override
        boolean answersRequest() {
            return true;
        }
    }

    // ---- our requests ----------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private CallTable<Call> calls() {
        CallTable<Call> table = calls;
        if (table == null) {
            CALLS.compareAndSet(this, null, new CallTable<Call>(config.maxPendingRequests()));
            table = calls;
        }
        return table;
    }

    /** Whether any request of ours awaits an answer. */
    boolean awaitingAnswers() {
        CallTable<Call> table = calls;
        return table != null && !table.isEmpty();
    }

    Mono<Message> request(Message message, @Nullable String to) {
        requireNonNull(message, "message");
        return new Request(message, to);
    }

    Flux<Message> requestStream(Message message, @Nullable String to) {
        requireNonNull(message, "message");
        return Flux.create(sink -> {
            Call c = new Call(message, to, null, sink);
            sink.onRequest(c::demand);
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    /**
     * A request as a Mono of its own: each subscription sends one request, and the subscriber's side is one
     * {@link Answer} (no sink, lambda and cancel callback per request, as {@code Mono.create} needs).
     */
    private final class Request extends Mono<Message> {
        private final Message message;
        private final @Nullable String to;

        Request(Message message, @Nullable String to) {
            this.message = message;
            this.to = to;
        }

        @Override
        public void subscribe(CoreSubscriber<? super Message> actual) {
            Call call = new Call(message, to, actual, null);
            Answer answer = requireNonNull(call.single);
            actual.onSubscribe(answer);
            if (!answer.isCancelled()) {
                call.start();
            }
        }
    }

    /** The requester's side of one request: Reactor's MonoSubscriber keeps the answer until it is requested. */
    private static final class Answer extends Operators.MonoSubscriber<Message, Message> {
        /** Final, so a cancel from any thread finds it without a volatile write per request. */
        private final Call call;

        Answer(CoreSubscriber<? super Message> actual, Call call) {
            super(actual);
            this.call = call;
        }

        @Override
        public void cancel() {
            super.cancel();
            call.cancel();
        }
    }

    /** Sends a plain message addressed to another client through the server. */
    Mono<Void> sendTo(Message message, String to) {
        return out.send(ACCESS.withEnvelope(message, new Envelope(Envelope.NONE, 0, 0, to, null)));
    }

    private void answer(Message m, Envelope e) {
        CallTable<Call> table = calls;
        Call c = table != null ? table.get(e.id()) : null;
        if (c != null) {
            c.answer(m, e);
        }
        // else: an answer after its request timed out or was cancelled; nobody waits for it
    }

    /** One request of ours: its frame in the queue, then its slot in {@link #calls} until the answer. */
    private final class Call extends OutboundQueue.Tracked implements CallTable.Keyed {
        private static final AtomicIntegerFieldUpdater<Call> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Call.class, "state");
        private static final AtomicIntegerFieldUpdater<Call> WRITTEN =
                AtomicIntegerFieldUpdater.newUpdater(Call.class, "written");
        /** A single request stays NEW until DONE; a stream is SENT once its request is queued. */
        private static final int NEW = 0;
        private static final int SENT = 1;
        private static final int DONE = 3;

        final long id;
        final Message request;
        final @Nullable String to;
        final @Nullable Answer single;
        final @Nullable FluxSink<Message> stream;
        private volatile int state;
        /**
         * 1 once its frame was written; apart from {@link #state} so that the writer sets it with an ordered store,
         * not one more atomic operation a request.
         */
        private volatile int written;
        /** For a single request: when it times out, on {@code Schedulers.parallel()}'s clock. */
        long deadline;
        private @Nullable Message frame;

        /** A single request answering {@code actual}, or a stream's ({@code actual} null). */
        Call(Message request, @Nullable String to, @Nullable CoreSubscriber<? super Message> actual,
                @Nullable FluxSink<Message> stream) {
            this.id = IDS.incrementAndGet(Exchange.this);
            this.request = request;
            this.to = to;
            this.single = actual != null ? new Answer(actual, this) : null;
            this.stream = stream;
            if (actual == null) {
                requireNonNull(stream).onCancel(this::cancel);
            }
        }

        @Override
        public long id() {
            return id;
        }

        /** A single request: sent at once; its deadline is kept by the exchange's one timer. */
        void start() {
            if (single != null && single.isCancelled()) {
                finish(); // cancelled before this call could hear of it: nothing is sent
                return;
            }
            deadline = Schedulers.parallel().now(TimeUnit.NANOSECONDS) + config.requestTimeout().toNanos();
            sendFrame(Envelope.REQUEST, 0); // once: a cancel meanwhile is seen by sendFrame
            if (state != DONE) {
                armTimer(deadline);
            }
        }

        /**
         * A stream's demand: the first request(n) sends the request with its credits, later ones "more". Serialized:
         * onRequest's first call and a request from the subscriber's thread must not send a "more" before the
         * request itself.
         */
        synchronized void demand(long n) {
            if (state == DONE) {
                return;
            }
            long credit = Math.min(n, Envelope.MAX_ID);
            if (STATE.compareAndSet(this, NEW, SENT)) {
                sendFrame(Envelope.STREAM, credit);
            } else if (credit > 0) {
                control(Envelope.MORE, credit);
            }
        }

        private void sendFrame(int kind, long credit) {
            if (closed) {
                fail(new IpcClosedException("connection is closed: the request was not sent"));
                return;
            }
            CallTable<Call> table = calls();
            if (table.atLeast(config.maxPendingRequests())) {
                state = DONE;
                timed(IpcMetricsRecorder.Outcome.ERROR);
                error(new IpcOverflowException(config.maxPendingRequests()));
                return;
            }
            table.put(this);
            if (state == DONE) {
                table.remove(this); // cancelled (or timed out) on another thread while it was being sent
                return;
            }
            Hub b = hub;
            if (b != null) {
                b.answersAwaited();
            }
            frame = ACCESS.withEnvelope(request, new Envelope(kind, id, credit, to, null));
            reactor.core.publisher.Sinks.EmitResult r = out.offer(this);
            if (r != reactor.core.publisher.Sinks.EmitResult.OK) {
                fail(r == reactor.core.publisher.Sinks.EmitResult.FAIL_OVERFLOW
                        ? new IpcOverflowException(config.maxQueuedMessages())
                        : new IpcClosedException("connection is closed: the request was not sent"));
            }
        }

        private void control(int kind, long n) {
            String type = kind == Envelope.MORE ? MORE : CANCEL;
            Message m = ACCESS.withEnvelope(Message.of(type, kind == Envelope.MORE ? n : null),
                    new Envelope(kind, id, n, to, null));
            out.tryEmitNext(m); // a full queue drops a credit or a cancel: the stream then stalls or runs on
        }

        @Override
        public Message message() {
            return requireNonNull(frame);
        }

        @Override
        public void written() {
            WRITTEN.lazySet(this, 1);
        }

        /** Cancelled or timed out before it was written: nobody waits for its answer, so it is not sent. */
        @Override
        public boolean abandoned() {
            return state == DONE;
        }

        @Override
        public void failed(Throwable error) {
            fail(error);
        }

        void answer(Message m, Envelope e) {
            if (single != null) {
                if (!finish()) {
                    return;
                }
                timed(e.kind() == Envelope.REPLY || e.kind() == Envelope.END ? IpcMetricsRecorder.Outcome.SUCCESS
                        : IpcMetricsRecorder.Outcome.ERROR);
                switch (e.kind()) {
                    case Envelope.REPLY -> single.complete(ACCESS.withEnvelope(m, Envelope.userView(e)));
                    case Envelope.END -> single.onComplete();
                    default -> single.onError(remoteError(m));
                }
                return;
            }
            FluxSink<Message> s = requireNonNull(stream);
            switch (e.kind()) {
                case Envelope.REPLY -> s.next(ACCESS.withEnvelope(m, Envelope.userView(e)));
                case Envelope.END -> {
                    if (finish()) {
                        s.complete();
                    }
                }
                default -> {
                    if (finish()) {
                        s.error(remoteError(m));
                    }
                }
            }
        }

        /**
         * Sync mode: a message without any envelope arrived while this request was the one in flight. A single
         * request takes it as its answer (a plain node-ipc peer does not echo the request id); false if this is a
         * stream, or the request ended already (timed out, cancelled), so the message goes on as usual.
         */
        boolean answeredPlainly(Message m) {
            if (single == null || !finish()) {
                return false;
            }
            timed(IpcMetricsRecorder.Outcome.SUCCESS);
            single.complete(m);
            return true;
        }

        private IpcRemoteException remoteError(Message m) {
            return Exchange.remoteError(request.type(), m, "E_REMOTE", "(no message)");
        }

        /** Leaves the slot; false if something else finished the call first. */
        private boolean finish() {
            for (;;) {
                int s = state;
                if (s == DONE) {
                    return false;
                }
                if (STATE.compareAndSet(this, s, DONE)) {
                    break;
                }
            }
            CallTable<Call> table = calls;
            if (table != null) {
                table.remove(this);
            }
            return true;
        }

        /** Ends the call with {@code error}; false if it had ended already. */
        boolean fail(Throwable error) {
            if (!finish()) {
                return false;
            }
            timed(error instanceof IpcTimeoutException ? IpcMetricsRecorder.Outcome.TIMEOUT
                    : IpcMetricsRecorder.Outcome.ERROR);
            error(error);
            return true;
        }

        /** A single request that was sent (so has a deadline) ended: its time since sending, on the timer's clock. */
        private void timed(IpcMetricsRecorder.Outcome outcome) {
            if (metrics != IpcMetricsRecorder.NONE && single != null && deadline != 0) {
                long sent = deadline - config.requestTimeout().toNanos();
                metrics.requestCompleted(request.type(), Schedulers.parallel().now(TimeUnit.NANOSECONDS) - sent,
                        outcome);
            }
        }

        private void error(Throwable error) {
            if (single != null) {
                single.onError(error);
            } else {
                requireNonNull(stream).error(error);
            }
        }

        /** No answer in time: fails, and the peer is told to stop the handler call (an {@code ipc.cancel}). */
        void timeout() {
            boolean sent = atPeer();
            if (fail(new IpcTimeoutException("no answer to '" + request.type() + "' within "
                    + config.requestTimeout().toMillis() + " ms")) && sent && !closed) {
                control(Envelope.CANCEL, 0);
            }
        }

        /** The peer may have the request: a stream's was queued, a single one's written. */
        private boolean atPeer() {
            return stream != null ? state != NEW : wasWritten();
        }

        /**
         * Cancelled by the caller: the slot is freed; a request or stream that was sent is cancelled at the peer
         * too (an {@code ipc.cancel}: a Reactive IPC peer cancels the handler call; node-ipc ignores it).
         */
        void cancel() {
            boolean sent = atPeer();
            if (finish()) {
                timed(IpcMetricsRecorder.Outcome.CANCEL);
                if (sent) {
                    control(Envelope.CANCEL, 0);
                }
            }
        }

        boolean wasWritten() {
            return written != 0;
        }
    }

    // ---- timeouts ------------------------------------------------------------------------------------------

    /**
     * One timer per exchange, not one per request: a timer per request woke the scheduler's thread on every
     * request (its queue's head changed twice), a context switch per round trip when both processes share a CPU.
     * The timer is armed for the earliest deadline when none is armed; when it fires it fails what is due and
     * re-arms for the next, at least {@link #TICK_NANOS} later, so a timeout fires up to that much late.
     */
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private volatile boolean timerArmed;

    private void armTimer(long deadline) {
        if (timerArmed) {
            return;
        }
        synchronized (this) {
            if (timerArmed) {
                return;
            }
            timerArmed = true;
        }
        long delay = Math.max(0, deadline - Schedulers.parallel().now(TimeUnit.NANOSECONDS));
        Schedulers.parallel().schedule(this::sweep, delay, TimeUnit.NANOSECONDS);
    }

    private void sweep() {
        long next = nextDeadlineAfterFailingDue();
        if (next == Long.MAX_VALUE) {
            timerArmed = false;
            next = nextDeadlineAfterFailingDue(); // a request may have found the timer armed as it was ending
            if (next == Long.MAX_VALUE) {
                return;
            }
            armTimer(next);
            return;
        }
        long now = Schedulers.parallel().now(TimeUnit.NANOSECONDS);
        Schedulers.parallel().schedule(this::sweep, Math.max(next - now, TICK_NANOS), TimeUnit.NANOSECONDS);
    }

    /** Fails the single requests whose deadline has passed; returns the earliest deadline left, or MAX_VALUE. */
    private long nextDeadlineAfterFailingDue() {
        CallTable<Call> table = calls;
        if (table == null || closed) {
            return Long.MAX_VALUE;
        }
        long now = Schedulers.parallel().now(TimeUnit.NANOSECONDS);
        long[] next = {Long.MAX_VALUE};
        table.forEach(c -> {
            if (c.single == null) {
                return; // streams have no default timeout
            }
            if (c.deadline - now <= 0) {
                try {
                    c.timeout();
                } catch (RuntimeException e) {
                    // a subscriber that throws from onError must not stop the timer for every later request
                    reactor.core.publisher.Operators.onErrorDropped(e, reactor.util.context.Context.empty());
                }
            } else {
                next[0] = Math.min(next[0], c.deadline);
            }
        });
        return next[0];
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------

    /**
     * A client's socket closed: requests written on it will not be answered (the peer's side is gone with it), so
     * they fail; requests still queued go out on the next socket. Streams we answer on it are cancelled.
     */
    void socketClosed() {
        CallTable<Call> table = calls;
        if (table != null) {
            table.forEach(c -> {
                if (c.wasWritten() || c.stream != null && c.state != Call.NEW) {
                    c.fail(new IpcClosedException("the connection closed before the answer to '"
                            + c.request.type() + "'"));
                }
            });
        }
        cancelCalls(true);
    }

    /** The connection is closed for good: every request fails, every handler call still running is cancelled. */
    void closed() {
        closed = true;
        CallTable<Call> table = calls;
        if (table != null) {
            table.forEach(c -> c.fail(new IpcClosedException("the connection closed before the answer to '"
                    + c.request.type() + "'")));
        }
        cancelCalls(false);
    }

    /**
     * Cancels the handler calls still running: those answering requests only when {@code requestsOnly} (a client's
     * socket closed: their requesters are gone with it, and a plain message's answer may still go out on the next
     * socket), every one when the connection is closed for good.
     */
    private void cancelCalls(boolean requestsOnly) {
        Map<Object, Running> map = streams;
        if (map != null) {
            for (Running call : map.values()) {
                if (!requestsOnly || call.answersRequest()) {
                    call.connectionClosed();
                }
            }
        }
    }

    /** For tests: requests awaiting answers. */
    int pendingCalls() {
        CallTable<Call> table = calls;
        return table == null ? 0 : table.size();
    }
}
