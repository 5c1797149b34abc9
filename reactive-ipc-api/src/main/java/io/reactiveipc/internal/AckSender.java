package io.reactiveipc.internal;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.Message;
import io.reactiveipc.spi.MessageStream;
import io.reactiveipc.spi.OutboundQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The sending side of acknowledged delivery for one client: stamps each message with the next sequence number,
 * holds it until the server acknowledges it (at most {@link Delivery#replayLimit()}; one more is refused with
 * {@link IpcOverflowException}), and puts what was written but not acknowledged back in front of the queue when a
 * new socket comes up. Sequence numbers are given in queue order (under this object's lock), so every socket
 * carries them ascending and without a hole: replayed ones first, then those handed back unwritten, then the rest.
 */
final class AckSender {

    private static final MessageAccess ACCESS = MessageAccess.get();
    /**
     * How many messages of one {@code send(Publisher)} may be unacknowledged (at most the replay limit): enough to
     * cover an ack's round trip at full speed (256 halved the rate).
     */
    static final int STREAM_WINDOW = 2048;

    private final String session = UUID.randomUUID().toString();
    private final OutboundQueue out;
    private final Delivery delivery;
    private final Consumer<String> fellBack;
    /** Guarded by this: sent and not acknowledged, in sequence order. */
    private final ArrayDeque<Slot> held = new ArrayDeque<>();
    private long nextSeq;
    /** The peer acknowledged at least once: it speaks this protocol. */
    private volatile boolean capable;
    /** The peer never acknowledged within the timeout: plain delivery from now on. */
    private volatile boolean plain;
    private volatile @Nullable Disposable timer;

    AckSender(OutboundQueue out, Delivery delivery, Consumer<String> fellBack) {
        this.out = out;
        this.delivery = delivery;
        this.fellBack = fellBack;
    }

    String session() {
        return session;
    }

    /** Messages held (written or not) and not acknowledged. */
    synchronized int held() {
        return held.size();
    }

    // ---- producers ------------------------------------------------------------------------------------------

    /** What is told when a held message is acknowledged or fails; shared with {@link AckOutbox}. */
    interface Completion {
        /** Nobody to tell ({@code tryEmitNext}, {@code outbound()}). */
        Completion NONE = new Completion() {
            @Override
            public void done() {
            }

            @Override
            public void failed(Throwable error) {
            }
        };

        void done();

        void failed(Throwable error);

        /** Completes {@code sink} (an {@code emit}'s or {@code send}'s {@code Mono<Void>}). */
        static Completion of(MonoSink<Void> sink) {
            return new Completion() {
                @Override
                public void done() {
                    sink.success();
                }

                @Override
                public void failed(Throwable error) {
                    sink.error(error);
                }
            };
        }
    }

    Sinks.EmitResult offer(Message message) {
        return offer(message, Completion.NONE);
    }

    Mono<Void> send(Message message) {
        requireNonNull(message, "message");
        return Mono.create(sink -> {
            Sinks.EmitResult r = offer(message, Completion.of(sink));
            if (r == Sinks.EmitResult.FAIL_OVERFLOW) {
                sink.error(overflow());
            } else if (r != Sinks.EmitResult.OK) {
                sink.error(new IpcClosedException("connection is closed: the message was not queued"));
            }
        });
    }

    Mono<Void> sendAll(Publisher<Message> messages) {
        requireNonNull(messages, "messages");
        return Mono.create(sink -> messages.subscribe(new Stream(sink, Math.min(STREAM_WINDOW,
                delivery.replayLimit()))));
    }

    private IpcOverflowException overflow() {
        return new IpcOverflowException(delivery.replayLimit());
    }

    private Sinks.EmitResult offer(Message message, Completion completion) {
        requireNonNull(message, "message");
        synchronized (this) {
            if (held.size() >= delivery.replayLimit()) {
                return Sinks.EmitResult.FAIL_OVERFLOW;
            }
            long seq = nextSeq + 1;
            Message stamped = ACCESS.withEnvelope(message, Envelope.sequenced(ACCESS.envelope(message), seq));
            Slot slot = new Slot(stamped, seq, completion);
            held.add(slot);
            // Under the lock: the queue gets sequence numbers in order.
            Sinks.EmitResult r = out.offer(slot);
            if (r != Sinks.EmitResult.OK) {
                held.pollLast();
                return r;
            }
            nextSeq = seq;
        }
        return Sinks.EmitResult.OK;
    }

    // ---- acknowledgements -------------------------------------------------------------------------------------

    /** An ack from the peer (on its I/O thread): everything up to {@code upTo} was delivered. */
    void acked(long upTo) {
        if (!capable) {
            capable = true;
            Disposable t = timer;
            if (t != null) {
                t.dispose();
            }
        }
        List<Slot> done;
        synchronized (this) {
            done = takeUpTo(held, upTo, s -> s.seq);
        }
        if (done != null) {
            for (Slot s : done) {
                s.done();
            }
        }
    }

    /**
     * Takes from the head of {@code held} (in sequence order) every slot acknowledged by {@code upTo}: null if none.
     * The caller holds the lock that guards {@code held}; shared with {@link AckOutbox}.
     */
    static <S> @Nullable List<S> takeUpTo(ArrayDeque<S> held, long upTo, ToLongFunction<S> seq) {
        List<S> done = null;
        S s;
        while ((s = held.peek()) != null && seq.applyAsLong(s) <= upTo) {
            held.poll();
            if (done == null) {
                done = new ArrayList<>();
            }
            done.add(s);
        }
        return done;
    }

    /**
     * A new socket is up, before it writes: what the last one wrote and the peer did not acknowledge goes first
     * again. Until the peer acknowledges something, a timer decides whether it is ack-capable.
     */
    void connected() {
        if (plain) {
            return;
        }
        List<OutboundQueue.Entry> replay = new ArrayList<>();
        synchronized (this) {
            for (Slot s : held) {
                if (s.written) {
                    s.written = false;
                    replay.add(s);
                }
            }
        }
        out.returnUnwritten(replay);
        if (!capable) {
            timer = Schedulers.parallel().schedule(this::noAck, delivery.ackTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** The socket closed: its ack timer stops. */
    void disconnected() {
        Disposable t = timer;
        if (t != null) {
            t.dispose();
        }
    }

    private void noAck() {
        if (capable || plain) {
            return;
        }
        plain = true;
        fellBack.accept("no acknowledgement within " + delivery.ackTimeout().toMillis()
                + " ms: the peer is not ack-capable (a node-ipc peer?); delivery is plain from now on");
        List<Slot> done = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Slot> it = held.iterator(); it.hasNext(); ) {
                Slot s = it.next();
                if (s.written) {
                    it.remove();
                    done.add(s);
                }
            }
        }
        done.forEach(Slot::done);
    }

    private void release(Slot slot) {
        synchronized (this) {
            held.remove(slot);
        }
    }

    /** One sequenced message: queued, written, replayed, until acknowledged. */
    private final class Slot extends OutboundQueue.Tracked {
        private static final AtomicIntegerFieldUpdater<Slot> SETTLED =
                AtomicIntegerFieldUpdater.newUpdater(Slot.class, "settled");
        final Message message;
        final long seq;
        final Completion completion;
        /** Written on the current or a dead socket; only the writer and {@link #connected()} touch it. */
        volatile boolean written;
        /**
         * Its sender was told (acknowledged, released, or failed): once only, though an ack read late from a dead
         * socket can release a slot already put back for replay.
         */
        private volatile int settled;

        Slot(Message message, long seq, Completion completion) {
            this.message = message;
            this.seq = seq;
            this.completion = completion;
        }

        @Override
        public Message message() {
            return message;
        }

        void done() {
            if (SETTLED.compareAndSet(this, 0, 1)) {
                completion.done();
            }
        }

        @Override
        public void written() {
            written = true;
            if (plain) {
                release(this);
                done();
            }
        }

        /** It cannot be encoded, or the client was closed: it will never be sent. */
        @Override
        public void failed(Throwable error) {
            release(this);
            if (SETTLED.compareAndSet(this, 0, 1)) {
                completion.failed(error);
            }
        }
    }

    /** A {@code send(Publisher)}: more is requested as messages are acknowledged. */
    private final class Stream extends MessageStream implements Completion {

        Stream(MonoSink<Void> sink, int window) {
            super(sink, window);
        }

        @Override
        protected void hand(Message message) {
            Sinks.EmitResult r = offer(requireNonNull(message, "message"), this);
            if (r != Sinks.EmitResult.OK) {
                failed(r == Sinks.EmitResult.FAIL_OVERFLOW ? overflow()
                        : new IpcClosedException("connection is closed: the message was not queued"));
            }
        }
    }
}
