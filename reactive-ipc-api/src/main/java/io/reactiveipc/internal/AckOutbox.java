package io.reactiveipc.internal;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.Message;
import io.reactiveipc.spi.MessageStream;
import io.reactiveipc.spi.OutboundQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * Acknowledged delivery from a server to one client session: what the server sends to the session is stamped with
 * the next sequence number and held until the client acknowledges it, across the session's sockets. It is written
 * on the session's current connection if there is one; when a new connection of the session comes up, everything
 * held goes first on it, in order (the client drops what it already has). While no connection is up, sends are
 * held (up to {@link Delivery#replayLimit()}); {@link Delivery#sessionExpiry()} after the last connection closed,
 * the outbox is closed and what it held fails with {@link IpcClosedException}. Every held message also counts
 * against the server's {@link Delivery#replayBudget()}, kept by {@link Sessions}: a message that finds it spent is
 * refused, after room was made if it could be: by dropping the session away longest, else a connected one that
 * acknowledged nothing for {@link Delivery#ackTimeout()} (its connection is closed too).
 *
 * <p>Numbering starts at 1 per outbox; {@link #token()} names the numbering, so that a client that meets a new
 * outbox for its session (the server restarted, or the session expired) starts its dedupe again.
 */
final class AckOutbox {

    private static final MessageAccess ACCESS = MessageAccess.get();

    /**
     * Unique enough to tell a restarted server's numbering from the last one; not a secret. Made on an I/O thread,
     * where {@code UUID.randomUUID()} may block while SecureRandom seeds itself.
     */
    private final String token = new UUID(ThreadLocalRandom.current().nextLong(),
            ThreadLocalRandom.current().nextLong()).toString();
    private final String session;
    private final Delivery delivery;
    /** The server's budget of held messages: one taken per message held, given back when it leaves {@link #held}. */
    private final Sessions budget;
    /** Told once, when the outbox is closed by expiry (not by the server's dispose): the session is forgotten. */
    private final Consumer<AckOutbox> expired;
    /** Guarded by this: sent and not acknowledged, in sequence order. */
    private final ArrayDeque<Slot> held = new ArrayDeque<>();
    /** Guarded by this. */
    private long nextSeq;
    /** Guarded by this: the queue of the session's current connection, null between sockets. */
    private @Nullable OutboundQueue current;
    /** The session's last connection, for the Failure event that reports an expiry's loss. */
    private volatile @Nullable IpcConnection last;
    /** Guarded by this: when the last connection closed (nanoTime). */
    private long detachedAt;
    /**
     * Guarded by this: when what is held last moved (nanoTime): an ack took some, a connection came up, or it began to
     * hold. A connected client that lets {@link Delivery#ackTimeout()} pass after it while something is held has
     * stopped acknowledging, as far as the replay budget is concerned.
     */
    private long movedAt = System.nanoTime();
    /** Set once: no more sends; what is held has failed with it. */
    private volatile @Nullable Throwable closed;
    /** Why it ended, for the Failure event: set before {@link #expired} is told. */
    private volatile String ended = "";

    AckOutbox(String session, Delivery delivery, Sessions budget, Consumer<AckOutbox> expired) {
        this.session = session;
        this.delivery = delivery;
        this.budget = budget;
        this.expired = expired;
    }

    /** Names this outbox's numbering; sent to the client in the welcome. */
    String token() {
        return token;
    }

    String session() {
        return session;
    }

    /** Messages held (written or not) and not acknowledged. */
    synchronized int held() {
        return held.size();
    }

    boolean isClosed() {
        return closed != null;
    }

    // ---- connections ----------------------------------------------------------------------------------------

    /**
     * A connection of the session said hello (on its I/O thread, before its queue is written past the welcome):
     * everything held goes first on it, in sequence order, then what is sent from now on. False if it was closed.
     */
    boolean attach(IpcConnection connection, OutboundQueue queue) {
        List<OutboundQueue.Entry> replay = new ArrayList<>();
        synchronized (this) {
            if (closed != null) {
                return false; // expired or dropped since it was looked up: the session makes a new one
            }
            current = queue;
            last = connection;
            movedAt = System.nanoTime(); // a new socket: its client gets ackTimeout from now
            for (Slot s : held) {
                replay.add(new Attempt(s));
            }
            // Under the lock: nothing newer can be queued before these.
            queue.returnUnwritten(replay);
        }
        return true;
    }

    /** The connection with {@code queue} closed: sends are held until the next one, up to the session's expiry. */
    void detach(OutboundQueue queue) {
        synchronized (this) {
            if (current != queue) {
                return; // a newer connection of the session took over already
            }
            current = null;
            detachedAt = System.nanoTime();
        }
        budget.mayDrop();
        Schedulers.parallel().schedule(this::expireIfAway, delivery.sessionExpiry().toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Whether a connection of the session is up. */
    synchronized boolean isAttached() {
        return current != null;
    }

    /** What the replay budget's scan needs to know of an outbox that holds something. */
    record Holding(boolean away, long since) {
    }

    /**
     * Null if it holds nothing (or is closed); else whether its client is away, and since when: when its last
     * connection closed, or (connected) when what it holds last moved.
     */
    synchronized @Nullable Holding holding() {
        if (closed != null || held.isEmpty()) {
            return null;
        }
        return current == null ? new Holding(true, detachedAt) : new Holding(false, movedAt);
    }

    /** Why it ended (expired, or dropped for the budget), once it did: for the Failure event. */
    String ended() {
        return ended;
    }

    /**
     * Dropped to make room in the server's budget (its client is away): what it held fails with {@code why}, the
     * server is told as at expiry.
     */
    boolean evict(String reason, int budgetLimit) {
        return drop(reason, budgetLimit, () -> current == null);
    }

    /**
     * Dropped to make room in the server's budget although its client is connected: it acknowledged nothing for
     * {@link Delivery#ackTimeout()} while this held something. What it held fails, the server is told as at expiry,
     * and the connection is closed with that reason (a client that comes back starts a new numbering). False if it
     * moved meanwhile (an ack came, its client left or came back) or was closed.
     */
    boolean evictStuck(int budgetLimit) {
        long timeout = delivery.ackTimeout().toNanos();
        IpcConnection connection = last;
        boolean dropped = drop("the server's replay budget was reached and its client, connected, had acknowledged"
                + " nothing for " + delivery.ackTimeout().toMillis() + " ms", budgetLimit,
                () -> current != null && last == connection && System.nanoTime() - movedAt >= timeout);
        Throwable why = closed;
        if (dropped && connection instanceof DefaultIpcConnection d && why != null) {
            d.disconnect(why);
        } else if (dropped && connection != null) {
            connection.dispose();
        }
        return dropped;
    }

    /** Closed for the budget with {@code reason}, if {@code stillSo} holds under the lock: see {@link #close}. */
    private boolean drop(String reason, int budgetLimit, java.util.function.BooleanSupplier stillSo) {
        return close(lost -> new IpcClosedException("session " + session + " dropped: " + reason + " (replayBudget "
                + budgetLimit + "); " + lost + " message(s) its client had not acknowledged are dropped"),
                () -> expired.accept(this), reason, stillSo);
    }

    private void expireIfAway() {
        int lost;
        synchronized (this) {
            if (current != null || closed != null
                    || System.nanoTime() - detachedAt < delivery.sessionExpiry().toNanos()) {
                return; // back, or left again later (that departure has its own timer)
            }
            lost = held.size();
        }
        // said (the session forgotten, the Failure event) before the senders hear of it
        ended = "its client did not come back within " + delivery.sessionExpiry().toMillis() + " ms";
        close(new IpcClosedException("session " + session + " expired: its client did not come back within "
                + delivery.sessionExpiry().toMillis() + " ms; " + lost
                + " message(s) it had not acknowledged are dropped"), () -> expired.accept(this));
    }

    /** For the expiry's Failure event: the session's last connection, null if it never had one. */
    @Nullable IpcConnection lastConnection() {
        return last;
    }

    /** The outbox ends (expired, forgotten, or the server disposed): what it held fails with {@code why}. */
    void close(Throwable why) {
        close(why, null);
    }

    private void close(Throwable why, @Nullable Runnable first) {
        close(lost -> why, first, null, () -> true);
    }

    /**
     * Closes it with the error {@code why} makes of the count held, if {@code stillSo} holds under the lock;
     * {@code reason} non-null: that is {@link #ended()}. False if it was closed already or {@code stillSo} did not
     * hold.
     */
    private boolean close(java.util.function.IntFunction<Throwable> whyOf, @Nullable Runnable first,
            @Nullable String reason, java.util.function.BooleanSupplier stillSo) {
        List<Slot> failed;
        Throwable why;
        synchronized (this) {
            if (closed != null || !stillSo.getAsBoolean()) {
                return false;
            }
            if (reason != null) {
                ended = reason;
            }
            why = whyOf.apply(held.size());
            closed = why;
            current = null;
            failed = new ArrayList<>(held);
            held.clear();
        }
        budget.giveBack(failed.size());
        if (first != null) {
            first.run();
        }
        for (Slot s : failed) {
            s.fail(why);
        }
        return true;
    }

    // ---- producers ------------------------------------------------------------------------------------------

    Sinks.EmitResult offer(Message message) {
        return result(offer(message, AckSender.Completion.NONE));
    }

    Mono<Void> send(Message message) {
        requireNonNull(message, "message");
        return Mono.create(sink -> {
            Refused r = offer(message, AckSender.Completion.of(sink));
            if (r != null) {
                sink.error(error(r));
            }
        });
    }

    Mono<Void> sendAll(Publisher<Message> messages) {
        requireNonNull(messages, "messages");
        return Mono.create(sink -> messages.subscribe(new Stream(sink,
                Math.min(AckSender.STREAM_WINDOW, delivery.replayLimit()))));
    }

    /** Why a message was not held; null when it was. */
    private enum Refused { SESSION_FULL, BUDGET_SPENT, CLOSED }

    private static Sinks.EmitResult result(@Nullable Refused r) {
        return r == null ? Sinks.EmitResult.OK
                : r == Refused.CLOSED ? Sinks.EmitResult.FAIL_TERMINATED : Sinks.EmitResult.FAIL_OVERFLOW;
    }

    private Throwable error(Refused r) {
        return switch (r) {
            case SESSION_FULL -> new IpcOverflowException(delivery.replayLimit());
            case BUDGET_SPENT -> new IpcOverflowException("the server holds replayBudget (" + delivery.replayBudget()
                    + ") messages its acknowledging clients have not acknowledged, and none of those clients is away:"
                    + " the message was refused; wait for send() to complete (acknowledged), or raise replayBudget");
            case CLOSED -> closedError();
        };
    }

    private IpcClosedException closedError() {
        Throwable why = closed;
        IpcClosedException e = new IpcClosedException("session " + session + " is closed: the message was not queued"
                + (why != null ? " (" + why.getMessage() + ")" : ""));
        if (why != null) {
            e.initCause(why);
        }
        return e;
    }

    private @Nullable Refused offer(Message message, AckSender.Completion completion) {
        requireNonNull(message, "message");
        if (closed != null) {
            return Refused.CLOSED;
        }
        // taken before this outbox's lock: making room may close another outbox
        if (!budget.take(this)) {
            return Refused.BUDGET_SPENT;
        }
        Refused refused = offerTaken(message, completion);
        if (refused != null) {
            budget.giveBack(1);
        }
        return refused;
    }

    private @Nullable Refused offerTaken(Message message, AckSender.Completion completion) {
        synchronized (this) {
            if (closed != null) {
                return Refused.CLOSED;
            }
            if (held.size() >= delivery.replayLimit()) {
                return Refused.SESSION_FULL;
            }
            long seq = nextSeq + 1;
            Slot slot = new Slot(ACCESS.withEnvelope(message, Envelope.sequenced(ACCESS.envelope(message), seq)),
                    seq, completion);
            OutboundQueue q = current;
            if (q != null && q.offer(new Attempt(slot)) == Sinks.EmitResult.FAIL_OVERFLOW) {
                // Not on this socket: later ones would pass it, and the client would take it for a duplicate.
                return Refused.SESSION_FULL;
            }
            // Queued; or no socket now, or one closing (FAIL_TERMINATED): held for the next connection.
            if (held.isEmpty()) {
                movedAt = System.nanoTime();
            }
            held.add(slot);
            nextSeq = seq;
            if (q == null) {
                budget.mayDrop(); // holding while its client is away: the budget may drop it
            }
        }
        return null;
    }

    // ---- acknowledgements -------------------------------------------------------------------------------------

    /** An ack from the client (on an I/O thread of one of the session's connections). */
    void acked(long upTo) {
        List<Slot> done;
        synchronized (this) {
            done = AckSender.takeUpTo(held, upTo, s -> s.seq);
            if (done != null) {
                movedAt = System.nanoTime();
            }
        }
        if (done != null) {
            budget.giveBack(done.size());
            for (Slot s : done) {
                s.done();
            }
        }
    }

    private void release(Slot slot) {
        boolean was;
        synchronized (this) {
            was = held.remove(slot);
        }
        if (was) {
            budget.giveBack(1);
        }
    }

    /** One sequenced message, held until acknowledged; written through one {@link Attempt} per connection. */
    private final class Slot {
        private static final AtomicIntegerFieldUpdater<Slot> SETTLED =
                AtomicIntegerFieldUpdater.newUpdater(Slot.class, "settled");
        final Message message;
        final long seq;
        final AckSender.Completion completion;
        /** Its sender was told (acknowledged or failed): once only. */
        volatile int settled;

        Slot(Message message, long seq, AckSender.Completion completion) {
            this.message = message;
            this.seq = seq;
            this.completion = completion;
        }

        void done() {
            if (SETTLED.compareAndSet(this, 0, 1)) {
                completion.done();
            }
        }

        void fail(Throwable error) {
            if (SETTLED.compareAndSet(this, 0, 1)) {
                completion.failed(error);
            }
        }
    }

    /** A slot queued on one connection. A connection that closes keeps nothing: the slot stays held. */
    private final class Attempt extends OutboundQueue.Tracked {
        final Slot slot;

        Attempt(Slot slot) {
            this.slot = slot;
        }

        @Override
        public Message message() {
            return slot.message;
        }

        @Override
        public void written() {
            // held until acknowledged
        }

        /** Acknowledged (through another connection's replay) or failed already: not written again. */
        @Override
        public boolean abandoned() {
            return slot.settled != 0;
        }

        @Override
        public void failed(Throwable error) {
            if (error instanceof IpcClosedException) {
                return; // its connection closed: held, replayed on the session's next connection
            }
            release(slot); // it cannot be encoded or is too large: it never will be
            slot.fail(error);
        }
    }

    /** A {@code send(Publisher)} to the session: more is requested as messages are acknowledged. */
    private final class Stream extends MessageStream implements AckSender.Completion {

        Stream(MonoSink<Void> sink, int window) {
            super(sink, window);
        }

        @Override
        protected void hand(Message message) {
            Refused r = offer(requireNonNull(message, "message"), this);
            if (r != null) {
                failed(error(r));
            }
        }
    }
}
