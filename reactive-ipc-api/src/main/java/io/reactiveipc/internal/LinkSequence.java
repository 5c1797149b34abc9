package io.reactiveipc.internal;

import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import io.reactiveipc.spi.IpcMetricsRecorder;
import io.reactiveipc.spi.Link;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * The messages of a connection's sockets, one socket after the other: each is read to its end before the next
 * (what arrived before a reconnect comes before what arrived after). A server connection has one socket, a client
 * one per (re)connect. One subscriber, the connection's {@link InboundHub}; its demand carries over from one socket
 * to the next.
 *
 * <p>A bad frame is published as a Failure of the connection (the link reports it), then skipped or, by default
 * ({@link IpcConfig.OnProtocolError}), answered with an error frame and its socket closed. A failure of the
 * socket itself is published as a Failure and closes that socket; the sequence goes on with the next one. It must
 * never end the stream: a server merges every connection's inbound into one. The sequence completes after
 * {@link #end()}, once the last socket was read to its end.
 *
 * <p>This is {@code concatMap(link -> link.receive(...).onErrorResume(...), 1)} over a unicast sink of links, in
 * one object instead of eight per connection.
 */
final class LinkSequence extends Flux<Message>
        implements CoreSubscriber<Message>, Subscription, Consumer<IpcProtocolException> {

    private static final AtomicIntegerFieldUpdater<LinkSequence> WIP =
            AtomicIntegerFieldUpdater.newUpdater(LinkSequence.class, "wip");
    private static final AtomicLongFieldUpdater<LinkSequence> MISSED_REQUESTED =
            AtomicLongFieldUpdater.newUpdater(LinkSequence.class, "missedRequested");
    private static final AtomicLongFieldUpdater<LinkSequence> MISSED_PRODUCED =
            AtomicLongFieldUpdater.newUpdater(LinkSequence.class, "missedProduced");
    private static final AtomicReferenceFieldUpdater<LinkSequence, Subscription> MISSED_SUBSCRIPTION =
            AtomicReferenceFieldUpdater.newUpdater(LinkSequence.class, Subscription.class, "missedSubscription");

    private final IpcConnection owner;
    private final EventSink events;
    private final IpcMetricsRecorder metrics;
    private final IpcConfig.OnProtocolError onProtocolError;
    /** The socket being read was refused for a bad frame; its thread only, reset when it ends. */
    private boolean refused;
    private volatile @Nullable CoreSubscriber<? super Message> actual;

    /** Sockets not yet read, oldest first; guarded by this, and null while none waits. */
    private @Nullable ArrayDeque<Link> waiting;
    private volatile boolean ended;
    private volatile boolean cancelled;
    /** The socket being read reached its end (set by its thread, taken by the drain). */
    private volatile boolean linkDone;

    private volatile int wip;
    private volatile long missedRequested;
    private volatile long missedProduced;
    private volatile @Nullable Subscription missedSubscription;

    // Drain-confined.
    private @Nullable Subscription current;
    /** Demand not yet met by the sockets already finished. */
    private long requested;
    private boolean active;
    private boolean completed;

    // Confined to the thread of the socket being read; handed to the next socket through the drain.
    private @Nullable Link link;
    private long produced;

    LinkSequence(IpcConnection owner, EventSink events, IpcMetricsRecorder metrics) {
        this(owner, events, IpcConfig.OnProtocolError.SKIP, metrics);
    }

    LinkSequence(IpcConnection owner, EventSink events, IpcConfig.OnProtocolError onProtocolError,
            IpcMetricsRecorder metrics) {
        this.owner = owner;
        this.events = events;
        this.onProtocolError = onProtocolError;
        this.metrics = metrics;
    }

    /** Reads {@code next} after the sockets offered before it. Offers come one at a time. */
    void offer(Link next) {
        synchronized (this) {
            ArrayDeque<Link> w = waiting;
            if (w == null) {
                w = new ArrayDeque<>(2);
                waiting = w;
            }
            w.add(next);
        }
        drain();
    }

    /** No socket follows those offered: complete once they are read. */
    void end() {
        ended = true;
        drain();
    }

    private synchronized @Nullable Link poll() {
        ArrayDeque<Link> w = waiting;
        if (w == null) {
            return null;
        }
        Link next = w.poll();
        if (w.isEmpty()) {
            waiting = null; // an idle connection keeps no deque
        }
        return next;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Message> subscriber) {
        if (actual != null) {
            Operators.error(subscriber, new IllegalStateException("a connection's socket sequence has one subscriber"));
            return;
        }
        actual = subscriber;
        subscriber.onSubscribe(this);
        drain();
    }

    // ---- downstream --------------------------------------------------------------------------------------

    @Override
    public void request(long n) {
        if (Operators.validate(n)) {
            Operators.addCap(MISSED_REQUESTED, this, n);
            drain();
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        drain();
    }

    // ---- the socket being read ---------------------------------------------------------------------------

    @Override
    public void onSubscribe(Subscription s) {
        if (cancelled) {
            s.cancel();
            return;
        }
        MISSED_SUBSCRIPTION.set(this, s);
        drain();
    }

    @Override
    public void onNext(Message message) {
        produced++;
        if (refused) {
            return; // after the bad frame of a refused socket: the peer was told, nothing more of it is taken
        }
        metrics.messageReceived(message.type());
        CoreSubscriber<? super Message> a = actual;
        if (a != null) {
            a.onNext(message);
        }
    }

    /** The socket failed (not a bad frame): its Failure, and it closes. The sequence goes on. */
    @Override
    public void onError(Throwable error) {
        events.emit(new IpcEvent.Failure(owner, error));
        Link l = link;
        if (l != null) {
            l.close();
        }
        onComplete();
    }

    @Override
    public void onComplete() {
        long p = produced;
        produced = 0;
        link = null;
        refused = false;
        if (p != 0) {
            MISSED_PRODUCED.addAndGet(this, p);
        }
        linkDone = true;
        drain();
    }

    /**
     * A bad frame of the socket being read: published; then the socket reads on (SKIP), or the peer is answered
     * and the socket closed (CLOSE). A peer that closed mid-frame is gone: it is not answered.
     */
    @Override
    public void accept(IpcProtocolException e) {
        if (refused) {
            return; // told once; the rest of that socket is not read
        }
        metrics.protocolError(e.reason());
        events.emit(new IpcEvent.Failure(owner, e));
        Link l = link;
        if (onProtocolError == IpcConfig.OnProtocolError.CLOSE && l != null
                && e.reason() != IpcProtocolException.Reason.TRUNCATED_FRAME) {
            refused = true;
            l.refuse(ProtocolErrors.answer(e));
        }
    }

    // ---- the drain ---------------------------------------------------------------------------------------

    private void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            CoreSubscriber<? super Message> a = actual;
            if (cancelled) {
                Subscription s = MISSED_SUBSCRIPTION.getAndSet(this, null);
                if (s != null) {
                    s.cancel();
                }
                s = current;
                current = null;
                if (s != null) {
                    s.cancel();
                }
            } else if (a != null && !completed) {
                if (linkDone) { // before reading what it produced, which it added first
                    linkDone = false;
                    active = false;
                    current = null;
                }
                long mr = missedRequested != 0 ? MISSED_REQUESTED.getAndSet(this, 0) : 0;
                long mp = missedProduced != 0 ? MISSED_PRODUCED.getAndSet(this, 0) : 0;
                Subscription ms = missedSubscription != null ? MISSED_SUBSCRIPTION.getAndSet(this, null) : null;
                long r = requested;
                if (r != Long.MAX_VALUE) {
                    r = Operators.addCap(r, mr);
                    if (r != Long.MAX_VALUE) {
                        r = Math.max(0, r - mp);
                    }
                    requested = r;
                }
                if (ms != null) {
                    current = ms;
                    if (r != 0) {
                        ms.request(r);
                    }
                } else if (mr != 0 && current != null) {
                    current.request(mr);
                }
                if (!active) {
                    boolean last = ended;
                    Link next = poll();
                    if (next != null) {
                        active = true;
                        link = next;
                        next.receive(this).subscribe(this);
                    } else if (last) {
                        completed = true;
                        a.onComplete();
                    }
                }
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
