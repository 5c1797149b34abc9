package io.reactiveipc.spi;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.IpcTimeoutException;
import io.reactiveipc.Message;
import io.reactiveipc.internal.Envelope;
import io.reactiveipc.internal.MessageAccess;
import io.reactiveipc.internal.MessageStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The outbound side of a connection: a bounded, thread-safe queue that is also the {@code Sinks.Many<Message>}
 * users emit on. Producers are any threads; the consumer is the {@link Link} currently attached, which polls
 * entries, writes them, and reports each as {@link #written} or {@link #failed}. For a client the queue outlives
 * its sockets: a new link attaches to the same queue.
 *
 * <p>In sync mode (node-ipc's {@code sync: true}, see {@link #OutboundQueue(int, Owner, Duration)}) the queue is
 * also a gate: {@link #poll()} hands out one entry that asks something of the peer, then nothing that asks until
 * {@link #answered()} reports an inbound message or the timeout passes. Without sync mode none of it costs
 * anything: the gate is a final field that is null.
 */
public final class OutboundQueue implements Sinks.Many<Message> {

    /** What the queue tells its connection. */
    public interface Owner {
        /** {@code tryEmitComplete()}: close once everything queued was written. */
        void outboundCompleted();

        /** {@code tryEmitError(e)}: close now. */
        void outboundErrored(Throwable error);

        /** A fire-and-forget message could not be written (it cannot be encoded, or it was too large). */
        void dropped(Message message, Throwable why);

        /**
         * Sync mode: no answer to {@code message} came within the timeout, and the next message is being released.
         * The default reports it as {@link #dropped} would.
         */
        default void unanswered(Message message, IpcTimeoutException why) {
            dropped(message, why);
        }
    }

    private static final MessageAccess ACCESS = MessageAccess.get();
    private static final AtomicIntegerFieldUpdater<OutboundQueue> SIZE =
            AtomicIntegerFieldUpdater.newUpdater(OutboundQueue.class, "size");
    private static final AtomicReferenceFieldUpdater<OutboundQueue, Announcement> ANNOUNCEMENT =
            AtomicReferenceFieldUpdater.newUpdater(OutboundQueue.class, Announcement.class, "announcement");
    private static final AtomicReferenceFieldUpdater<OutboundQueue, ConcurrentLinkedDeque> FRONT =
            AtomicReferenceFieldUpdater.newUpdater(OutboundQueue.class, ConcurrentLinkedDeque.class, "front");

    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    /**
     * Unwritten entries handed back by a dead link; they go first. Created the first time a link dies with entries
     * in flight: every idle connection would carry an empty deque otherwise.
     */
    private volatile @Nullable ConcurrentLinkedDeque<Object> front;
    /** The frame a new socket writes first (a client's announcement of its id); a field, not a deque node. */
    private volatile @Nullable Announcement announcement;
    private volatile int size;
    private final int capacity;
    private final Owner owner;
    private volatile @Nullable Runnable writer;
    private volatile @Nullable Throwable terminated;
    private volatile boolean completing;
    /** Sync mode's gate; null (and never read beyond this final field) when sync is off. */
    private final @Nullable Gate gate;

    public OutboundQueue(int capacity, Owner owner) {
        this(capacity, owner, null);
    }

    /**
     * @param syncTimeout non-null: sync mode. Each entry that asks something of the peer (everything but the
     *                    library's answers, stream credits and cancels, a handler's reply and what
     *                    {@link #offerFirst} puts first) is handed out alone; the next one waits until
     *                    {@link #answered()} or until {@code syncTimeout} passed since it was handed out, which is
     *                    reported to {@link Owner#unanswered}. The timer runs on {@code Schedulers.parallel()}.
     */
    public OutboundQueue(int capacity, Owner owner, @Nullable Duration syncTimeout) {
        this.capacity = capacity;
        this.owner = requireNonNull(owner, "owner");
        this.gate = syncTimeout == null ? null : new Gate(syncTimeout.toMillis());
    }

    // ---- producer side -------------------------------------------------------------------------------------

    @Override
    public Sinks.EmitResult tryEmitNext(Message message) {
        requireNonNull(message, "message");
        return offer(message);
    }

    /** Queues {@code message} when subscribed; completes when a link reports it written. */
    public Mono<Void> send(Message message) {
        requireNonNull(message, "message");
        return Mono.create(sink -> {
            Sinks.EmitResult r = offer(new Pending(message, sink));
            if (r == Sinks.EmitResult.FAIL_OVERFLOW) {
                sink.error(new IpcOverflowException(capacity));
            } else if (r != Sinks.EmitResult.OK) {
                sink.error(closed());
            }
        });
    }

    /**
     * Queues the messages of {@code messages} in order as they come, keeping at most {@link #STREAM_WINDOW} of them
     * queued and not yet written (so a stream never fills the queue), requesting more as they are written.
     * Completes when the last was written; the first failure (the queue full of other traffic, a message that
     * cannot be encoded, the connection closing) cancels {@code messages} and is signalled, and what was queued
     * before it is still written. Cancelling the Mono cancels {@code messages}; what is queued stays queued.
     */
    public Mono<Void> sendAll(Publisher<Message> messages) {
        requireNonNull(messages, "messages");
        return Mono.create(sink -> messages.subscribe(new Stream(sink)));
    }

    /** How many messages of one {@link #sendAll} stream may be queued and not yet written. */
    static final int STREAM_WINDOW = 256;

    /**
     * For a broadcast: queues the shared entry unless the queue is full or closed, in which case it is counted as
     * done for this connection at once (a full queue also reports it through {@link Owner#dropped}).
     */
    public void offerShared(Shared shared) {
        Sinks.EmitResult r = offer(shared);
        if (r == Sinks.EmitResult.FAIL_OVERFLOW) {
            owner.dropped(shared.message, new IpcOverflowException(capacity));
            shared.done();
        } else if (r != Sinks.EmitResult.OK) {
            shared.done();
        }
    }

    /**
     * An entry that reports its own fate: the library's requests and answers, which need no {@code Mono} each.
     * {@link #written()} or {@link #failed} is called exactly once, on the thread that wrote or failed it.
     */
    public interface Tracked {
        Message message();

        void written();

        void failed(Throwable error);

        /**
         * Sync mode: whether it asks something of the peer, so that it awaits an answer before the next entry that
         * asks goes out. True unless it answers the peer.
         */
        default boolean asks() {
            return true;
        }

        /**
         * Whether nobody wants it written any more (a request cancelled or timed out while queued): the writer
         * skips it, and neither {@link #written()} nor {@link #failed} is called.
         */
        default boolean abandoned() {
            return false;
        }
    }

    /** Queues a tracked entry; on a result other than OK it was not queued and nothing is called on it. */
    public Sinks.EmitResult offer(Tracked entry) {
        return offer((Object) requireNonNull(entry, "entry"));
    }

    /**
     * Puts {@code message} before everything queued, for a frame that must be the first on a new socket (a
     * client's announcement of its id). Not counted against the capacity. An earlier announcement still queued
     * (its socket died before writing it) is dropped: each socket announces once. In sync mode an announcement
     * waits for no answer.
     */
    public void offerFirst(Message message) {
        requireNonNull(message, "message");
        if (terminated != null) {
            return;
        }
        if (ANNOUNCEMENT.getAndSet(this, new Announcement(message)) == null) {
            SIZE.incrementAndGet(this);
        }
        signal();
    }

    @SuppressWarnings("unchecked")
    private ConcurrentLinkedDeque<Object> front() {
        ConcurrentLinkedDeque<Object> f = front;
        if (f == null) {
            FRONT.compareAndSet(this, null, new ConcurrentLinkedDeque<>());
            f = front;
        }
        return f;
    }

    private Sinks.EmitResult offer(Object entry) {
        if (terminated != null || completing) {
            return Sinks.EmitResult.FAIL_TERMINATED;
        }
        if (SIZE.incrementAndGet(this) > capacity) {
            SIZE.decrementAndGet(this);
            return Sinks.EmitResult.FAIL_OVERFLOW;
        }
        queue.offer(entry);
        Throwable t = terminated;
        if (t != null) {
            failAll(t); // lost a race with terminate(): nobody will write it
        } else {
            signal();
        }
        return Sinks.EmitResult.OK;
    }

    @Override
    public Sinks.EmitResult tryEmitComplete() {
        if (terminated != null || completing) {
            return Sinks.EmitResult.FAIL_TERMINATED;
        }
        completing = true;
        signal();
        return Sinks.EmitResult.OK;
    }

    @Override
    public Sinks.EmitResult tryEmitError(Throwable error) {
        requireNonNull(error, "error");
        if (terminated != null) {
            return Sinks.EmitResult.FAIL_TERMINATED;
        }
        owner.outboundErrored(error);
        return Sinks.EmitResult.OK;
    }

    @Override
    public void emitNext(Message message, Sinks.EmitFailureHandler failureHandler) {
        for (;;) {
            Sinks.EmitResult r = tryEmitNext(message);
            if (r.isSuccess() || !failureHandler.onEmitFailure(SignalType.ON_NEXT, r)) {
                r.orThrow();
                return;
            }
        }
    }

    @Override
    public void emitComplete(Sinks.EmitFailureHandler failureHandler) {
        for (;;) {
            Sinks.EmitResult r = tryEmitComplete();
            if (r.isSuccess() || r == Sinks.EmitResult.FAIL_TERMINATED
                    || !failureHandler.onEmitFailure(SignalType.ON_COMPLETE, r)) {
                return;
            }
        }
    }

    @Override
    public void emitError(Throwable error, Sinks.EmitFailureHandler failureHandler) {
        for (;;) {
            Sinks.EmitResult r = tryEmitError(error);
            if (r.isSuccess() || r == Sinks.EmitResult.FAIL_TERMINATED
                    || !failureHandler.onEmitFailure(SignalType.ON_ERROR, r)) {
                return;
            }
        }
    }

    /** 1 while a link is writing from this queue, else 0. */
    @Override
    public int currentSubscriberCount() {
        return writer != null ? 1 : 0;
    }

    /** The connection is this sink's only consumer: the returned Flux fails on subscribe. */
    @Override
    public Flux<Message> asFlux() {
        return Flux.error(new IllegalStateException(
                "the outbound sink of a connection is consumed by the connection itself"));
    }

    @Override
    @SuppressWarnings("rawtypes") // Scannable declares the raw type
    public @Nullable Object scanUnsafe(Attr key) {
        if (key == Attr.BUFFERED) {
            return size;
        }
        if (key == Attr.CAPACITY) {
            return capacity;
        }
        if (key == Attr.TERMINATED) {
            return terminated != null;
        }
        if (key == Attr.ERROR) {
            return terminated;
        }
        return null;
    }

    // ---- consumer side -------------------------------------------------------------------------------------

    /**
     * Attaches the writer of a link; it is run (it should schedule a drain) whenever entries are waiting. In sync
     * mode a new link starts with the gate open: an answer to what was written on another socket cannot come.
     */
    public void attach(Runnable writer) {
        requireNonNull(writer, "writer");
        Gate g = gate;
        if (g != null) {
            g.open();
        }
        this.writer = writer;
        writer.run();
    }

    /** Detaches {@code writer} if it is the attached one (in sync mode, no answer is awaited on it any more). */
    public void detach(Runnable writer) {
        if (this.writer == writer) {
            this.writer = null;
            Gate g = gate;
            if (g != null) {
                g.open();
            }
        }
    }

    private void signal() {
        Runnable w = writer;
        if (w != null) {
            w.run();
        }
    }

    /**
     * The next entry to write, or null. Hand it to {@link #message}, then {@link #written} or {@link #failed}. In
     * sync mode, null also while an answer is awaited and the next entry asks something (the link is signalled
     * when the gate opens).
     */
    public @Nullable Object poll() {
        Gate g = gate;
        return g == null ? take() : g.poll();
    }

    private @Nullable Object peek() {
        Announcement a = announcement;
        if (a != null) {
            return a;
        }
        for (;;) {
            ConcurrentLinkedDeque<Object> f = front;
            Object e = f != null ? f.peekFirst() : null;
            if (e == null) {
                e = queue.peek();
            }
            if (e instanceof Tracked t && t.abandoned()) {
                takeQueued(); // the one consumer: the head looked at is the head taken (not an announcement)
                continue;
            }
            return e;
        }
    }

    /** The next entry, skipping those nobody wants written any more. */
    private @Nullable Object take() {
        Announcement a = announcement;
        if (a != null && ANNOUNCEMENT.compareAndSet(this, a, null)) {
            SIZE.decrementAndGet(this);
            return a;
        }
        return takeQueued();
    }

    /** The next entry after the announcement, skipping those nobody wants written any more. */
    private @Nullable Object takeQueued() {
        for (;;) {
            ConcurrentLinkedDeque<Object> f = front;
            Object e = f != null ? f.pollFirst() : null;
            if (e == null) {
                e = queue.poll();
            }
            if (e == null) {
                return null;
            }
            SIZE.decrementAndGet(this);
            if (!(e instanceof Streamed || e instanceof Shared) && e instanceof Tracked t && t.abandoned()) {
                continue; // (the class tests first: the hot entries are never Tracked)
            }
            return e;
        }
    }

    public boolean isEmpty() {
        ConcurrentLinkedDeque<Object> f = front;
        return announcement == null && (f == null || f.isEmpty()) && queue.isEmpty();
    }

    /** Number of entries waiting. */
    public int size() {
        return size;
    }

    /** True after {@code tryEmitComplete()}: once empty, the connection should close. */
    public boolean isCompleting() {
        return completing;
    }

    /** Called by a writer that found the queue completing and empty. */
    public void completed() {
        owner.outboundCompleted();
    }

    public static Message message(Object entry) {
        if (entry instanceof Message m) {
            return m;
        }
        if (entry instanceof Streamed st) {
            return st.message;
        }
        if (entry instanceof Shared sh) { // broadcasts: before the interface test below, which costs more
            return sh.message;
        }
        if (entry instanceof Pending p) {
            return p.message;
        }
        if (entry instanceof Announcement u) {
            return u.message;
        }
        return ((Tracked) entry).message();
    }

    /** The entry's frame was completely written. */
    public static void written(Object entry) {
        if (entry instanceof Streamed st) {
            st.stream.done();
        } else if (entry instanceof Pending p) {
            p.sink.success();
        } else if (entry instanceof Shared s) {
            s.done();
        } else if (entry instanceof Tracked t) {
            t.written();
        }
    }

    /** The entry will never be written because of {@code error}. */
    public void failed(Object entry, Throwable error) {
        Gate g = gate;
        if (g != null) {
            g.notWritten(entry);
        }
        if (entry instanceof Streamed st) {
            st.stream.failed(error);
        } else if (entry instanceof Pending p) {
            p.sink.error(error);
        } else if (entry instanceof Shared s) {
            owner.dropped(s.message, error);
            s.done();
        } else if (entry instanceof Tracked t) {
            t.failed(error);
        } else {
            owner.dropped(message(entry), error);
        }
    }

    /** Unwritten entries of a dead link, oldest first; they are written before anything else. */
    @SuppressWarnings("unchecked")
    public void returnUnwritten(List<Object> entries) {
        if (!entries.isEmpty()) {
            ConcurrentLinkedDeque<Object> f = front();
            int n = 0;
            for (int i = entries.size() - 1; i >= 0; i--) {
                Object e = entries.get(i);
                if (!(e instanceof Announcement)) { // each socket announces itself anew
                    f.addFirst(e);
                    n++;
                }
            }
            SIZE.addAndGet(this, n);
        }
        Throwable t = terminated;
        if (t != null) {
            failAll(t);
        }
    }

    /** No more writing: every entry left, and every later one, fails with {@code cause}. */
    public void terminate(Throwable cause) {
        terminated = requireNonNull(cause, "cause");
        writer = null;
        Gate g = gate;
        if (g != null) {
            g.open(); // no timer outlives the connection
        }
        failAll(cause);
    }

    private void failAll(Throwable cause) {
        Object e;
        while ((e = poll()) != null) {
            if (e instanceof Pending p) {
                p.sink.error(cause);
            } else if (e instanceof Streamed st) {
                st.stream.failed(cause);
            } else if (e instanceof Shared shared) {
                shared.done(); // a connection that closed is skipped by a broadcast
            } else if (e instanceof Tracked t) {
                t.failed(cause);
            }
            // Fire-and-forget messages are discarded on close, as documented; they are not "dropped" failures.
        }
    }

    private static IpcClosedException closed() {
        return new IpcClosedException("connection is closed: the message was not queued");
    }

    // ---- sync mode ------------------------------------------------------------------------------------------

    /**
     * Sync mode: an inbound message arrived, which is the answer node-ipc waits for. Opens the gate and returns the
     * entry that awaited it (the connection may complete a request with it), or null if none did (or sync is off).
     * Any thread; the link is signalled.
     */
    public @Nullable Object answered() {
        Gate g = gate;
        return g == null ? null : g.answered();
    }

    /** Whether this queue is in sync mode. */
    public boolean isSync() {
        return gate != null;
    }

    /**
     * Whether an entry, in sync mode, waits for the answer in flight and then awaits its own: everything but the
     * frames that answer or steer (answers, stream ends and errors, credits, cancels), a {@link Tracked} entry that
     * says it asks nothing (a handler's reply), and what {@link #offerFirst} put first.
     */
    private static boolean asks(Object entry) {
        if (entry instanceof Tracked t) {
            return t.asks();
        }
        if (entry instanceof Announcement) {
            return false;
        }
        Envelope e = ACCESS.envelope(message(entry));
        return e == null || e.kind() < Envelope.MORE; // NONE, REQUEST, STREAM
    }

    /** A message that, in sync mode, neither waits for an answer nor awaits one: a client's announcement. */
    private record Announcement(Message message) {
    }

    /**
     * The sync-mode gate: at most one entry that asks is out awaiting an answer. Only the writer (the one consumer)
     * closes it, in {@link #poll()}; an answer, the timeout, a failure to write it, or a change of socket opens it.
     */
    private final class Gate {
        private static final AtomicReferenceFieldUpdater<Gate, Flight> FLIGHT =
                AtomicReferenceFieldUpdater.newUpdater(Gate.class, Flight.class, "flight");

        final long timeoutMillis;
        /** The entry awaiting its answer; null while the gate is open. */
        volatile @Nullable Flight flight;

        Gate(long timeoutMillis) {
            this.timeoutMillis = timeoutMillis;
        }

        @Nullable Object poll() {
            if (flight != null) {
                // Closed: an entry that asks nothing still goes, but only from the head, so the order is kept.
                Object head = peek();
                if (head == null || asks(head)) {
                    return null;
                }
            }
            // One consumer: the entry taken is the one looked at (only terminate() polls concurrently, and then
            // nothing more is written).
            Object e = take();
            if (e != null && asks(e)) {
                close(e);
            }
            return e;
        }

        private void close(Object entry) {
            Flight f = new Flight(entry);
            Flight before = FLIGHT.getAndSet(this, f);
            if (before != null) {
                before.cancel();
            }
            Disposable t = Schedulers.parallel().schedule(f, timeoutMillis, TimeUnit.MILLISECONDS);
            f.timer = t;
            if (flight != f) {
                t.dispose(); // answered while the timer was being set
            }
        }

        @Nullable Object answered() {
            Flight f = flight;
            if (f == null || !FLIGHT.compareAndSet(this, f, null)) {
                return null;
            }
            f.cancel();
            signal();
            return f.entry;
        }

        /** The entry in flight will not be written (it failed): nothing to wait for. */
        void notWritten(Object entry) {
            Flight f = flight;
            if (f != null && f.entry == entry && FLIGHT.compareAndSet(this, f, null)) {
                f.cancel();
                signal();
            }
        }

        /** Opens without a word: the socket changed or the connection closed. */
        void open() {
            Flight f = FLIGHT.getAndSet(this, null);
            if (f != null) {
                f.cancel();
            }
        }

        /** One entry awaiting its answer; runs as its timer. */
        private final class Flight implements Runnable {
            final Object entry;
            volatile @Nullable Disposable timer;

            Flight(Object entry) {
                this.entry = entry;
            }

            void cancel() {
                Disposable t = timer;
                if (t != null) {
                    t.dispose();
                }
            }

            @Override
            public void run() {
                if (FLIGHT.compareAndSet(Gate.this, this, null)) {
                    Message m = message(entry);
                    owner.unanswered(m, new IpcTimeoutException("no answer to '" + m.type() + "' within "
                            + timeoutMillis + " ms; sending the next"));
                    signal();
                }
            }
        }
    }

    /** A message whose sender waits for it to be written. */
    private record Pending(Message message, MonoSink<Void> sink) {
    }

    /** A message of a {@link #sendAll} stream. */
    private record Streamed(Message message, Stream stream) {
    }

    /** Subscribes to a {@link #sendAll} stream: one entry per message, no Mono per message. */
    private final class Stream extends MessageStream {

        Stream(MonoSink<Void> sink) {
            super(sink, STREAM_WINDOW);
        }

        @Override
        protected void hand(Message message) {
            Sinks.EmitResult r = offer(new Streamed(requireNonNull(message, "message"), this));
            if (r != Sinks.EmitResult.OK) {
                failed(r == Sinks.EmitResult.FAIL_OVERFLOW ? new IpcOverflowException(capacity) : closed());
            }
        }
    }

    /**
     * One message queued on many connections (a broadcast): {@code whenAllDone} runs once every connection has
     * written it, skipped it (closed) or failed it. Create with the number of connections plus one, and call
     * {@link #done()} once more after queueing, so it cannot finish while still being handed out.
     */
    public static final class Shared {
        final Message message;
        private final AtomicInteger remaining;
        private final Runnable whenAllDone;

        public Shared(Message message, int parties, Runnable whenAllDone) {
            this.message = requireNonNull(message, "message");
            this.remaining = new AtomicInteger(parties);
            this.whenAllDone = requireNonNull(whenAllDone, "whenAllDone");
        }

        public void done() {
            if (remaining.decrementAndGet() == 0) {
                whenAllDone.run();
            }
        }
    }

    @Override
    public String toString() {
        return "OutboundQueue{size=" + size + ", capacity=" + capacity + "}";
    }
}
