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

    private volatile Inner[] subscribers = NONE;
    private volatile int wip;
    /** Created by the source's thread the first time a message cannot go straight through. */
    private volatile @Nullable Queue<Message> held;
    private volatile boolean done;
    private @Nullable Throwable error;
    private @Nullable Subscription upstream;
    /** Drain-confined: messages delivered since the last request upstream. */
    private int consumed;

    InboundHub(Publisher<Message> source) {
        source.subscribe(this);
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
    }

    private void delivered(int n) {
        consumed += n;
        if (consumed >= REPLENISH) {
            int r = consumed;
            consumed = 0;
            Subscription s = upstream;
            if (s != null) {
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
