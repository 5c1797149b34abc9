package io.reactiveipc.internal;

import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.Message;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.concurrent.Queues;

/**
 * The shared inbound stream of one connection: every subscriber gets each message that arrives while it is
 * subscribed, in order.
 *
 * <h2>Flow</h2>
 * Each subscriber has its own backlog. The hub reads from the socket at the pace of its fastest subscriber, at
 * most {@link #BUFFER} messages ahead of it; a subscriber that falls {@code limit} messages behind (the
 * connection's {@code maxQueuedMessages}, 8192 by default) fails with {@link IpcOverflowException} and is dropped,
 * and the others never notice. When every subscriber is slow, reading stops: back pressure reaches the peer.
 * With no subscriber, up to {@link #BUFFER} messages are held for whoever subscribes first, then reading stops.
 * Subscribers after the end get what is still held, then the end.
 *
 * <h2>Before the hub</h2>
 * Each message passes the connection's {@link Exchange} first, which takes answers, stream credits and handled
 * messages for itself: they never use up the subscribers' room. While a request of ours awaits its answer, the
 * hub reads on past its window, up to {@code limit} held messages, so that no subscriber, slow or absent, can
 * hold an answer back.
 *
 * <p>This replaces {@code Sinks.unsafe().manyWithUpstream().multicastOnBackpressureBuffer(BUFFER, false)}, where
 * the slowest subscriber set everyone's pace without bound, and it allocates nothing for an idle connection: a
 * message that finds every subscriber with demand and nothing queued goes straight through.
 */
final class InboundHub extends Flux<Message> implements CoreSubscriber<Message>, Exchange.Hub {

    static final int BUFFER = 256;
    /** Demand is topped up in batches of at least this many. */
    private static final int REPLENISH = BUFFER - (BUFFER >> 2);
    private static final int LINK = 16;
    /** How often the pass-through path looks whether to ask for more; divides REPLENISH. */
    private static final int TOP_UP_EVERY = 64;

    private static final Inner[] NONE = new Inner[0];
    private static final Inner[] TERMINATED = new Inner[0];

    private static final AtomicReferenceFieldUpdater<InboundHub, Inner[]> SUBSCRIBERS =
            AtomicReferenceFieldUpdater.newUpdater(InboundHub.class, Inner[].class, "subscribers");
    private static final AtomicIntegerFieldUpdater<InboundHub> WIP =
            AtomicIntegerFieldUpdater.newUpdater(InboundHub.class, "wip");
    private static final AtomicIntegerFieldUpdater<InboundHub> PARKED =
            AtomicIntegerFieldUpdater.newUpdater(InboundHub.class, "parked");
    private static final AtomicIntegerFieldUpdater<InboundHub> RECEIVED =
            AtomicIntegerFieldUpdater.newUpdater(InboundHub.class, "received");

    private volatile Inner[] subscribers = NONE;
    private volatile int wip;
    /** From the source's thread to the drain: created the first time a message cannot go straight through. */
    private volatile @Nullable Queue<Message> incoming;
    /** Drain-confined: what arrived while nobody was subscribed. */
    private @Nullable ArrayDeque<Message> held;
    private volatile boolean done;
    private @Nullable Throwable error;
    private @Nullable Subscription upstream;
    /**
     * Messages received from the source (only its thread writes). It and {@link #requested} wrap around after 2^32;
     * only their difference, always small, is ever used.
     */
    private volatile int received;
    /** Drain-confined: messages asked of the source so far. */
    private int requested;
    /** Messages the exchange took and whose place is not free yet (parked handler calls). */
    private volatile int parked;
    private final @Nullable Exchange exchange;
    /** How far a subscriber may fall behind, and how many may be held while answers are awaited. */
    private final int limit;

    InboundHub(Publisher<Message> source) {
        this(source, null, 8192);
    }

    InboundHub(Publisher<Message> source, @Nullable Exchange exchange, int limit) {
        this.exchange = exchange;
        this.limit = Math.max(BUFFER, limit);
        if (exchange != null) {
            exchange.hub(this);
        }
        source.subscribe(this);
    }

    @Override
    public void parkedOne() {
        PARKED.incrementAndGet(this);
    }

    @Override
    public void releasedOne() {
        PARKED.decrementAndGet(this);
        drain();
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.validate(upstream, s)) {
            upstream = s;
            requested = BUFFER;
            s.request(BUFFER);
        }
    }

    /** A request of ours awaits an answer: if reading has stopped, the drain reads on. */
    @Override
    public void answersAwaited() {
        if (!done && received - requested >= 0) { // a racy look, and a cheap one: the drain decides
            drain();
        }
    }

    @Override
    public void onNext(Message message) {
        if (done) {
            return;
        }
        int r = received + 1;
        RECEIVED.lazySet(this, r); // the source's thread is the only writer
        Exchange x = exchange;
        if (x != null) {
            message = x.route(message);
            if (message == null) {
                // Taken by the exchange (every answer and request): its place may be read again. As on the
                // pass-through path, only every 64th looks whether to ask for more, unless what was asked is about to
                // run out: a stale read of the drain's count is lower, never higher, so it errs towards looking.
                if ((r & (TOP_UP_EVERY - 1)) == 0 || requested - r <= 1) {
                    drain();
                }
                return;
            }
        }
        if (wip == 0 && WIP.compareAndSet(this, 0, 1)) {
            Queue<Message> q = incoming;
            boolean first = q == null || q.isEmpty();
            if (first && held == null && passThrough(message)) {
                if (WIP.decrementAndGet(this) == 0) {
                    return;
                }
            } else if (first && held == null) {
                // under wip, in order: no queue between source and drain needed (what is held goes first, so a
                // message arriving while a first subscriber is being added takes the queue)
                fanOut(message, subscribers);
            } else {
                enqueue(message);
            }
        } else {
            enqueue(message);
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
        }
        drainLoop();
    }

    /** Under wip, with nothing waiting anywhere: delivers at once if every subscriber has demand. */
    private boolean passThrough(Message message) {
        Inner[] a = subscribers;
        if (a.length == 0) {
            return false;
        }
        for (Inner inner : a) {
            if (inner.requested <= 0 || inner.backlog != null && !inner.backlog.isEmpty()) {
                return false;
            }
        }
        for (Inner inner : a) {
            inner.next(message);
        }
        if ((received & (TOP_UP_EVERY - 1)) == 0) {
            topUp(0); // room grows by one a message: looking every 64th asks at 192 (and never lets demand run out)
        }
        return true;
    }

    /** Under wip: to each subscriber's backlog, or held for the next subscriber if there is none. */
    private void fanOut(Message m, Inner[] a) {
        if (a.length == 0 || a == TERMINATED) {
            if (held == null) {
                held = new ArrayDeque<>(LINK);
            }
            held.add(m);
        } else {
            for (Inner inner : a) {
                inner.enqueue(m);
            }
        }
    }

    private void enqueue(Message message) {
        Queue<Message> q = incoming;
        if (q == null) {
            q = Queues.<Message>unbounded(LINK).get();
            incoming = q;
        }
        q.offer(message);
    }

    /**
     * Under wip: asks the source for more when the fastest subscriber's backlog ({@code least}), what was asked and
     * not received, and the parked messages leave room for at least {@link #REPLENISH}; and for one more when
     * answers are awaited and reading has stopped.
     */
    private void topUp(int least) {
        Subscription s = upstream;
        if (s == null || done) {
            return;
        }
        int outstanding = requested - received;
        int room = BUFFER - least - outstanding - parked;
        if (room >= REPLENISH) {
            requested += room;
            s.request(room);
        } else if (outstanding <= 0 && least < limit && exchange != null && exchange.awaitingAnswers()) {
            requested++;
            s.request(1);
        }
    }

    @Override
    public void onError(Throwable t) {
        if (done) {
            Operators.onErrorDropped(t, currentContext());
            return;
        }
        error = t;
        done = true;
        drain();
    }

    @Override
    public void onComplete() {
        done = true;
        drain();
    }

    @Override
    public void subscribe(CoreSubscriber<? super Message> actual) {
        Inner inner = new Inner(actual, this);
        actual.onSubscribe(inner);
        if (add(inner)) {
            if (inner.requested == Long.MIN_VALUE) {
                remove(inner);
            }
        } else {
            inner.terminated = true; // after the end: the drain gives it what is held, then the end
            inner.orphan = true;
        }
        if (inner.orphan) {
            late(inner);
        }
        drain();
    }

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<InboundHub, Queue> LATE =
            AtomicReferenceFieldUpdater.newUpdater(InboundHub.class, Queue.class, "lateSubscribers");

    /** Subscribers owed messages after the end, for the drain to serve; created when the first one is. */
    private volatile @Nullable Queue<Inner> lateSubscribers;

    private void late(Inner inner) {
        Queue<Inner> q = lateSubscribers;
        if (q == null) {
            LATE.compareAndSet(this, null, Queues.<Inner>unboundedMultiproducer().get());
            q = lateSubscribers;
        }
        q.offer(inner);
    }

    private void drain() {
        if (WIP.getAndIncrement(this) == 0) {
            drainLoop();
        }
    }

    private void drainLoop() {
        int missed = 1;
        for (;;) {
            Inner[] a = subscribers;
            boolean ended = a == TERMINATED;
            if (ended) {
                a = NONE;
            }
            if (a.length != 0 && held != null) {
                // the first subscribers after a quiet spell take what was held, before what arrived since (it was
                // queued behind what was held: a message that finds something held never goes past it)
                for (Message h : held) {
                    for (Inner inner : a) {
                        inner.enqueue(h);
                    }
                }
                held = null;
            }
            // what arrived goes to each subscriber's backlog, or is held if there is none
            Queue<Message> q = incoming;
            Message m;
            while (q != null && (m = q.poll()) != null) {
                fanOut(m, a);
            }
            int least = a.length == 0 ? (held == null ? 0 : held.size()) : Integer.MAX_VALUE;
            for (Inner inner : a) {
                if (inner.overflowed()) {
                    remove(inner);
                    inner.overflow(limit);
                    continue;
                }
                inner.deliver();
                least = Math.min(least, inner.size());
            }
            if (least == Integer.MAX_VALUE) {
                least = 0; // every subscriber overflowed: room for whoever comes next
            }
            boolean drained = q == null || q.isEmpty();
            if (done && drained) {
                if (!ended) {
                    a = SUBSCRIBERS.getAndSet(this, TERMINATED);
                    for (Inner inner : a) {
                        inner.terminated = true;
                    }
                    ended = true;
                }
                finishOrphans(a);
            } else {
                topUp(least);
            }
            Queue<Inner> lq = lateSubscribers;
            Inner late;
            while (lq != null && (late = lq.poll()) != null) {
                late.takeHeld(held);
                late.finishIfDrained(error);
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** After the end: each subscriber completes once its backlog is delivered. */
    private void finishOrphans(Inner[] last) {
        for (Inner inner : last) {
            inner.deliver();
            inner.finishIfDrained(error);
            if (!inner.finished) {
                late(inner); // still owed messages: looked at again on its next request
            }
        }
    }

    private boolean add(Inner inner) {
        for (;;) {
            Inner[] a = subscribers;
            if (a == TERMINATED) {
                return false;
            }
            Inner[] b = new Inner[a.length + 1];
            System.arraycopy(a, 0, b, 0, a.length);
            b[a.length] = inner;
            if (SUBSCRIBERS.compareAndSet(this, a, b)) {
                return true;
            }
        }
    }

    private void remove(Inner inner) {
        for (;;) {
            Inner[] a = subscribers;
            int i = indexOf(a, inner);
            if (i < 0) {
                return;
            }
            Inner[] b;
            if (a.length == 1) {
                b = NONE;
            } else {
                b = new Inner[a.length - 1];
                System.arraycopy(a, 0, b, 0, i);
                System.arraycopy(a, i + 1, b, i, a.length - i - 1);
            }
            if (SUBSCRIBERS.compareAndSet(this, a, b)) {
                return;
            }
        }
    }

    private static int indexOf(Inner[] a, Inner inner) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == inner) {
                return i;
            }
        }
        return -1;
    }

    /** One subscriber: its demand ({@code Long.MIN_VALUE} once cancelled) and its own backlog. */
    private static final class Inner implements Subscription {

        private static final AtomicLongFieldUpdater<Inner> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(Inner.class, "requested");

        final CoreSubscriber<? super Message> actual;
        final InboundHub parent;
        volatile long requested;
        /** Drain-confined: messages not yet delivered to it, created when it first falls behind. */
        @Nullable ArrayDeque<Message> backlog;
        /** The hub ended (or had ended when it came); finished: it got its last signal. */
        volatile boolean terminated;
        volatile boolean orphan;
        volatile boolean finished;

        Inner(CoreSubscriber<? super Message> actual, InboundHub parent) {
            this.actual = actual;
            this.parent = parent;
        }

        /**
         * Under the parent's wip, only when {@code requested > 0} was seen. A cancel may land after that look: the
         * demand is counted down only if it is still positive, never from Long.MIN_VALUE (which would wrap to
         * Long.MAX_VALUE and deliver the whole backlog after the cancel).
         */
        void next(Message message) {
            for (;;) {
                long r = requested;
                if (r == Long.MAX_VALUE) {
                    break;
                }
                if (r <= 0) {
                    return; // cancelled meanwhile
                }
                if (REQUESTED.compareAndSet(this, r, r - 1)) {
                    break;
                }
            }
            actual.onNext(message);
            Exchange x = parent.exchange;
            if (x != null) {
                AckReceiver acks = x.acks;
                if (acks != null) {
                    acks.delivered(message); // acknowledged delivery: handed to the application
                }
            }
        }

        void enqueue(Message m) {
            ArrayDeque<Message> b = backlog;
            if (b == null) {
                b = new ArrayDeque<>(LINK);
                backlog = b;
            }
            b.add(m);
        }

        int size() {
            ArrayDeque<Message> b = backlog;
            return b == null ? 0 : b.size();
        }

        boolean overflowed() {
            return size() > parent.limit && requested != Long.MIN_VALUE;
        }

        void overflow(int limit) {
            backlog = null;
            finished = true;
            REQUESTED.set(this, Long.MIN_VALUE);
            actual.onError(new IpcOverflowException("inbound subscriber fell " + limit + " messages behind the "
                    + "fastest one and was dropped (maxQueuedMessages); the others carry on"));
        }

        /** Under the parent's wip: as many as it asked for. */
        void deliver() {
            ArrayDeque<Message> b = backlog;
            if (b == null) {
                return;
            }
            if (requested == Long.MIN_VALUE) {
                backlog = null;
                return;
            }
            Message m;
            while (requested > 0 && (m = b.poll()) != null) {
                next(m);
            }
            if (b.isEmpty()) {
                backlog = null; // an idle subscriber holds no empty deque
            }
        }

        void takeHeld(@Nullable ArrayDeque<Message> held) {
            if (held != null && orphan && backlog == null) {
                backlog = new ArrayDeque<>(held);
            }
            deliver();
        }

        void finishIfDrained(@Nullable Throwable error) {
            if (finished || !terminated || size() != 0) {
                return;
            }
            finished = true;
            if (requested == Long.MIN_VALUE) {
                return;
            }
            if (error != null) {
                actual.onError(error);
            } else {
                actual.onComplete();
            }
        }

        @Override
        public void request(long n) {
            if (Operators.validate(n)) {
                for (;;) {
                    long r = requested;
                    if (r == Long.MIN_VALUE || REQUESTED.compareAndSet(this, r, Operators.addCap(r, n))) {
                        break;
                    }
                }
                if (terminated && !finished) {
                    parent.late(this);
                }
                parent.drain();
            }
        }

        @Override
        public void cancel() {
            if (REQUESTED.getAndSet(this, Long.MIN_VALUE) != Long.MIN_VALUE) {
                parent.remove(this);
                parent.drain();
            }
        }
    }
}
