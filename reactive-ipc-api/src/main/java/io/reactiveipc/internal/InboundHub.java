package io.reactiveipc.internal;

import io.reactiveipc.Message;
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
 * subscribed, at the pace of the slowest one. What no subscriber can take yet is held, at most {@link #BUFFER}
 * messages, because no more than that is ever requested from the source: then the socket stops being read.
 * Subscribers after the end get what is still held, then the end.
 *
 * <p>Before the hub, each message passes the connection's {@link Exchange}, which takes answers, stream credits and
 * handled messages for itself; the source is asked for one more for each of those, so they never use up the
 * subscribers' room. While a request of ours awaits its answer, the hub keeps reading past its {@link #BUFFER}
 * held messages, up to {@code answerReadAhead}, so that no subscriber, slow or absent, can hold an answer back.
 *
 * <p>This is {@code Sinks.unsafe().manyWithUpstream().multicastOnBackpressureBuffer(BUFFER, false)} with two
 * differences that matter for a connection: the buffer is allocated on first use, in small links, rather than
 * 256 slots up front for every idle connection, and a message that finds every subscriber with demand and nothing
 * held goes straight through, without a queue.
 */
final class InboundHub extends Flux<Message> implements CoreSubscriber<Message> {

    static final int BUFFER = 256;
    private static final int REPLENISH = BUFFER - (BUFFER >> 2);
    private static final int LINK = 16;

    private static final Inner[] NONE = new Inner[0];
    private static final Inner[] TERMINATED = new Inner[0];

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<InboundHub, Inner[]> SUBSCRIBERS =
            AtomicReferenceFieldUpdater.newUpdater(InboundHub.class, Inner[].class, "subscribers");
    private static final AtomicIntegerFieldUpdater<InboundHub> WIP =
            AtomicIntegerFieldUpdater.newUpdater(InboundHub.class, "wip");
    private static final AtomicIntegerFieldUpdater<InboundHub> HELD =
            AtomicIntegerFieldUpdater.newUpdater(InboundHub.class, "heldCount");
    private static final AtomicIntegerFieldUpdater<InboundHub> EXTRA =
            AtomicIntegerFieldUpdater.newUpdater(InboundHub.class, "extra");
    private static final AtomicIntegerFieldUpdater<InboundHub> OWED =
            AtomicIntegerFieldUpdater.newUpdater(InboundHub.class, "owed");

    private volatile Inner[] subscribers = NONE;
    private volatile int wip;
    /** Created by the source's thread the first time a message cannot go straight through. */
    private volatile @Nullable Queue<Message> held;
    private volatile boolean done;
    private @Nullable Throwable error;
    private @Nullable Subscription upstream;
    /** Drain-confined: messages delivered since the last request upstream. */
    private int consumed;
    private final @Nullable Exchange exchange;
    /** How many messages may be held while answers are awaited. */
    private final int answerReadAhead;
    private volatile int heldCount;
    /** 1 while one message beyond the buffer was asked for, for an awaited answer, and has not come. */
    private volatile int extra;
    /** Messages asked for beyond the buffer: taken off later replenishments, so the buffer returns to its size. */
    private volatile int owed;

    InboundHub(Publisher<Message> source) {
        this(source, null, BUFFER);
    }

    InboundHub(Publisher<Message> source, @Nullable Exchange exchange, int answerReadAhead) {
        this.exchange = exchange;
        this.answerReadAhead = Math.max(BUFFER, answerReadAhead);
        if (exchange != null) {
            exchange.hub(this::requestOne, this::answersAwaited);
        }
        source.subscribe(this);
    }

    private void requestOne() {
        Subscription s = upstream;
        if (s != null) {
            s.request(1);
        }
    }

    /**
     * A request of ours awaits an answer: if reading may have stopped because the buffer is full, read on. The
     * source has no demand left only if at least {@code BUFFER - REPLENISH} are held (fewer than REPLENISH are ever
     * delivered without asking for more), so below that nothing is asked for and the common path costs nothing.
     */
    private void answersAwaited() {
        int h = heldCount;
        if (h >= BUFFER - REPLENISH && h < answerReadAhead && EXTRA.compareAndSet(this, 0, 1)) {
            OWED.incrementAndGet(this);
            requestOne();
        }
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.validate(upstream, s)) {
            upstream = s;
            s.request(BUFFER);
        }
    }

    @Override
    public void onNext(Message message) {
        if (done) {
            return;
        }
        Exchange x = exchange;
        if (x != null) {
            message = x.route(message);
            if (message == null) {
                return; // taken by the exchange, which asked for another
            }
        }
        if (wip == 0 && WIP.compareAndSet(this, 0, 1)) {
            Queue<Message> q = held;
            if ((q == null || q.isEmpty()) && passThrough(message)) {
                if (WIP.decrementAndGet(this) == 0) {
                    return;
                }
            } else {
                hold(message);
            }
        } else {
            hold(message);
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
        }
        drainLoop();
    }

    /** Under wip with nothing held: delivers if every subscriber has demand. */
    private boolean passThrough(Message message) {
        Inner[] a = subscribers;
        if (a.length == 0) {
            return false;
        }
        for (Inner inner : a) {
            if (inner.requested <= 0) { // no demand, or cancelled and about to be removed
                return false;
            }
        }
        for (Inner inner : a) {
            inner.next(message);
        }
        delivered(1);
        return true;
    }

    private void hold(Message message) {
        Queue<Message> q = held;
        if (q == null) {
            q = Queues.<Message>unbounded(LINK).get();
            held = q;
        }
        q.offer(message);
        HELD.incrementAndGet(this);
        Exchange x = exchange;
        if (x != null) {
            extra = 0;
            if (x.awaitingAnswers()) {
                answersAwaited();
            }
        }
    }

    private void delivered(int n) {
        consumed += n;
        if (consumed >= REPLENISH) {
            int r = consumed;
            consumed = 0;
            for (int o; (o = owed) > 0;) {
                int take = Math.min(o, r);
                if (OWED.compareAndSet(this, o, o - take)) {
                    r -= take;
                    break;
                }
            }
            Subscription s = upstream;
            if (s != null && r > 0) {
                s.request(r);
            }
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
            drain();
        } else {
            Throwable e = error;
            if (e != null) {
                actual.onError(e);
            } else {
                actual.onComplete();
            }
        }
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
            if (a != TERMINATED) {
                Queue<Message> q = held;
                boolean empty = q == null || q.isEmpty();
                if (a.length != 0) {
                    long demand = Long.MAX_VALUE;
                    for (Inner inner : a) {
                        demand = Math.min(demand, inner.requested);
                    }
                    int n = 0;
                    while (n < demand && q != null) {
                        Message m = q.poll();
                        if (m == null) {
                            break;
                        }
                        HELD.decrementAndGet(this);
                        for (Inner inner : a) {
                            inner.next(m);
                        }
                        n++;
                    }
                    if (n > 0) {
                        delivered(n);
                    }
                    empty = q == null || q.isEmpty();
                }
                if (done && empty) {
                    terminate();
                }
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    private void terminate() {
        Throwable e = error;
        for (Inner inner : SUBSCRIBERS.getAndSet(this, TERMINATED)) {
            if (e != null) {
                inner.actual.onError(e);
            } else {
                inner.actual.onComplete();
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

    /** One subscriber: its demand, or {@code Long.MIN_VALUE} once cancelled. */
    private static final class Inner implements Subscription {

        private static final AtomicLongFieldUpdater<Inner> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(Inner.class, "requested");

        final CoreSubscriber<? super Message> actual;
        final InboundHub parent;
        volatile long requested;

        Inner(CoreSubscriber<? super Message> actual, InboundHub parent) {
            this.actual = actual;
            this.parent = parent;
        }

        /** Under the parent's wip, only when {@code requested > 0}. */
        void next(Message message) {
            if (requested != Long.MAX_VALUE) {
                REQUESTED.decrementAndGet(this);
            }
            actual.onNext(message);
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
