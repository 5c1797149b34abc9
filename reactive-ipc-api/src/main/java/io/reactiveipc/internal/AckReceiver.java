package io.reactiveipc.internal;

import io.reactiveipc.Delivery;
import io.reactiveipc.Message;
import io.reactiveipc.spi.OutboundQueue;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The receiving side of acknowledged delivery on one server connection (or, for what a server sends, on one
 * acknowledging client, for all its sockets): drops replayed duplicates, follows each
 * sequenced message until the inbound hub handed it to a subscriber, and acknowledges cumulatively, at once every
 * {@link Delivery#ackEvery()} messages or after {@link Delivery#ackDelay()}. What it follows is bounded by the
 * hub's own bound (a message routed and not yet handed on is one the hub holds).
 */
final class AckReceiver {

    static final String TYPE = "ipc.ack";
    private static final MessageAccess ACCESS = MessageAccess.get();

    private final Sessions.Session session;
    private final OutboundQueue out;
    private final int ackEvery;
    private final long ackDelayNanos;
    /** Guarded by this: routed and not yet acknowledgeable, in sequence order. */
    private final ArrayDeque<Routed> routed = new ArrayDeque<>();
    private int sinceAck;
    private boolean timerSet;
    private long sent = -1;
    /** Client: the server outbox whose numbering this follows (from its welcome); I/O thread only. */
    @Nullable String stream;
    /** Client: replaced by a receiver for a new numbering; it sends no more acks. */
    private volatile boolean retired;

    private static final class Routed {
        final @Nullable Message message;
        final long seq;
        boolean delivered;

        Routed(@Nullable Message message, long seq, boolean delivered) {
            this.message = message;
            this.seq = seq;
            this.delivered = delivered;
        }
    }

    AckReceiver(Sessions.Session session, OutboundQueue out, Delivery delivery) {
        this.session = session;
        this.out = out;
        this.ackEvery = delivery.ackEvery();
        this.ackDelayNanos = delivery.ackDelay().toNanos();
    }

    String session() {
        return session.id;
    }

    /**
     * The answer to the session hello: what this process already has of the session (0: nothing); for a client
     * that acknowledges what we send, its data names our outbox's numbering, and it goes first on the socket,
     * before the outbox's replay.
     */
    void welcome(@Nullable String outbox) {
        if (outbox == null) {
            send(session.delivered());
            return;
        }
        long n = session.delivered();
        session.lastSeen = System.nanoTime();
        out.offerFirst(ACCESS.withEnvelope(Message.of(TYPE, outbox), new Envelope(Envelope.ACK, n, 0, null, null)));
        synchronized (this) {
            if (n > sent) {
                sent = n;
            }
        }
    }

    /** Client: a new numbering began; this one's acks would be read against it, so none are sent any more. */
    void retire() {
        retired = true;
    }

    /** I/O thread, in order: whether {@code seq} is new; a duplicate is dropped, and acknowledged soon. */
    boolean accept(long seq) {
        if (session.route(seq)) {
            return true;
        }
        synchronized (this) {
            sinceAck++;
            sent = -1; // a replay: our last ack may have died with a socket, so say it again even if unchanged
        }
        ackSoon();
        return false;
    }

    /** I/O thread, in order: {@code message} goes to the hub. */
    synchronized void routed(Message message, long seq) {
        routed.add(new Routed(message, seq, false));
    }

    /** I/O thread, in order: the message was taken before the hub (a handler, a relay). */
    void taken(long seq) {
        synchronized (this) {
            routed.add(new Routed(null, seq, true));
        }
        advance();
    }

    /** A subscriber's onNext returned for {@code message} (any subscriber: the first one counts). */
    void delivered(Message message) {
        synchronized (this) {
            boolean found = false;
            for (Routed r : routed) {
                if (r.message == message) {
                    r.delivered = true;
                    found = true;
                    break;
                }
            }
            if (!found) {
                return; // an earlier subscriber had it already
            }
        }
        advance();
    }

    private void advance() {
        long top = 0;
        boolean now;
        synchronized (this) {
            Routed head;
            while ((head = routed.peek()) != null && head.delivered) {
                routed.poll();
                top = head.seq;
                sinceAck++;
            }
            if (top == 0) {
                return;
            }
            now = sinceAck >= ackEvery;
        }
        session.delivered(top);
        if (now) {
            flush();
        } else {
            ackSoon();
        }
    }

    private void ackSoon() {
        synchronized (this) {
            if (timerSet) {
                return;
            }
            timerSet = true;
        }
        Schedulers.parallel().schedule(this::flush, ackDelayNanos, TimeUnit.NANOSECONDS);
    }

    private void flush() {
        long n;
        synchronized (this) {
            timerSet = false;
            sinceAck = 0;
            n = session.delivered();
            if (n == sent) {
                return;
            }
        }
        send(n);
    }

    private void send(long n) {
        if (retired) {
            return;
        }
        session.lastSeen = System.nanoTime();
        // a client's ack names the numbering it answers: a restarted server must not read it against its own
        Message ack = ACCESS.withEnvelope(Message.of(TYPE, stream), new Envelope(Envelope.ACK, n, 0, null, null));
        Sinks.EmitResult r = out.tryEmitNext(ack);
        if (r == Sinks.EmitResult.OK) {
            synchronized (this) {
                if (n > sent) {
                    sent = n;
                }
            }
        } else if (r == Sinks.EmitResult.FAIL_OVERFLOW) {
            ackSoon(); // the queue is full of other traffic: acks are cumulative, the next one says it all
        }
    }
}
