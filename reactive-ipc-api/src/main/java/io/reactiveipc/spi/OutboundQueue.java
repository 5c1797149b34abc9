package io.reactiveipc.spi;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.IpcTimeoutException;
import io.reactiveipc.Message;
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

    /** Reads the routing members of a message for sync mode. */
    private static final IpcEngine ENGINE = IpcEngine.get();
    private static final AtomicIntegerFieldUpdater<OutboundQueue> SIZE =
            AtomicIntegerFieldUpdater.newUpdater(OutboundQueue.class, "size");
    private static final AtomicReferenceFieldUpdater<OutboundQueue, Announcement> ANNOUNCEMENT =
            AtomicReferenceFieldUpdater.newUpdater(OutboundQueue.class, Announcement.class, "announcement");
    private static final AtomicReferenceFieldUpdater<OutboundQueue, ConcurrentLinkedDeque> FRONT =
            AtomicReferenceFieldUpdater.newUpdater(OutboundQueue.class, ConcurrentLinkedDeque.class, "front");

    @SuppressWarnings("rawtypes") // the updater needs the raw class
    private static final AtomicReferenceFieldUpdater<OutboundQueue, Sinks.Many> TAP =
            AtomicReferenceFieldUpdater.newUpdater(OutboundQueue.class, Sinks.Many.class, "tap");

    private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
    /**
     * Unwritten entries handed back by a dead link; they go first. Created the first time a link dies with entries
     * in flight: every idle connection would carry an empty deque otherwise.
     */
    private volatile @Nullable ConcurrentLinkedDeque<Entry> front;
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
    /** What {@link #asFlux()} returns, created by its first call: until then a queued message costs one read. */
    private volatile Sinks.@Nullable Many<Message> tap;

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
        return offer(new Plain(message));
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
     * done for this connection at once (a full queue also reports it through {@link Owner#dropped}). Returns whether
     * it was queued, {@code FAIL_OVERFLOW} for a full queue (the server's slow-consumer policy decides the rest).
     */
    public Sinks.EmitResult offerShared(Shared shared) {
        Sinks.EmitResult r = offer((Entry) requireNonNull(shared, "shared"));
        if (r == Sinks.EmitResult.FAIL_OVERFLOW) {
            owner.dropped(shared.message(), new IpcOverflowException(capacity));
            shared.done();
        } else if (r != Sinks.EmitResult.OK) {
            shared.done();
        }
        return r;
    }

    /**
     * One thing queued for writing: its {@link #message()}, and whom to tell what became of it. A link takes entries
     * with {@link #poll()}, writes {@code entry.message()}, and reports each exactly once with {@link #written} or
     * {@link #failed}, or hands it back with {@link #returnUnwritten}. The kinds are this class's own (a fire-and-forget
     * message, one whose sender waits, one of a stream, a broadcast, a client's announcement) and {@link Tracked}.
     */
    public abstract static sealed class Entry permits Plain, Pending, Streamed, Shared, Tracked {

        Entry() {
        }

        /** The message to write. */
        public abstract Message message();

        /** Its frame was completely written. */
        abstract void written();

        /** It will never be written because of {@code error} (it cannot be encoded, or the write failed). */
        abstract void failed(Owner owner, Throwable error);

        /** The connection closed with it queued. */
        abstract void closed(Throwable cause);

        /**
         * Sync mode: whether it waits for the answer in flight and then awaits its own. Everything but the frames
         * that answer or steer (answers, stream ends and errors, credits, cancels).
         */
        boolean asks() {
            return ENGINE.awaitsAnswer(message());
        }
    }

    /** A fire-and-forget message: a failure is reported to {@link Owner#dropped}; closing discards it. */
    private static sealed class Plain extends Entry permits Announcement {
        private final Message message;

        Plain(Message message) {
            this.message = message;
        }

        @Override
        public Message message() {
            return message;
        }

        @Override
        void written() {
        }

        @Override
        void failed(Owner owner, Throwable error) {
            owner.dropped(message, error);
        }

        @Override
        void closed(Throwable cause) {
            // discarded on close, as documented: not a "dropped" failure
        }
    }

    /**
     * An entry that reports its own fate: the library's requests and answers, which need no {@code Mono} each.
     * {@link #written()} or {@link #failed(Throwable)} is called exactly once, on the thread that wrote or failed it.
     */
    public abstract static non-sealed class Tracked extends Entry {

        protected Tracked() {
        }

        @Override
        public abstract void written();

        /** It will never be written because of {@code error}, the connection closing included. */
        public abstract void failed(Throwable error);

        @Override
        final void failed(Owner owner, Throwable error) {
            failed(error);
        }

        @Override
        final void closed(Throwable cause) {
            failed(cause);
        }

        /**
         * Sync mode: whether it asks something of the peer, so that it awaits an answer before the next entry that
         * asks goes out. True unless it answers the peer.
         */
        @Override
        public boolean asks() {
            return true;
        }

        /**
         * Whether nobody wants it written any more (a request cancelled or timed out while queued): the writer
         * skips it, and neither {@link #written()} nor {@link #failed} is called.
         */
        public boolean abandoned() {
            return false;
        }
    }

    /** Queues a tracked entry; on a result other than OK it was not queued and nothing is called on it. */
    public Sinks.EmitResult offer(Tracked entry) {
        return offer((Entry) requireNonNull(entry, "entry"));
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
        tap(message);
        signal();
    }

    @SuppressWarnings("unchecked")
    private ConcurrentLinkedDeque<Entry> front() {
        ConcurrentLinkedDeque<Entry> f = front;
        if (f == null) {
            FRONT.compareAndSet(this, null, new ConcurrentLinkedDeque<>());
            f = front;
        }
        return f;
    }

    private Sinks.EmitResult offer(Entry entry) {
        if (terminated != null || completing) {
            return Sinks.EmitResult.FAIL_TERMINATED;
        }
        if (SIZE.incrementAndGet(this) > capacity) {
            SIZE.decrementAndGet(this);
            return Sinks.EmitResult.FAIL_OVERFLOW;
        }
        queue.offer(entry);
        if (tap != null) {
            tap(entry.message());
        }
        Throwable t = terminated;
        if (t != null) {
            failAll(t); // lost a race with terminate(): nobody will write it
        } else {
            signal();
        }
        return Sinks.EmitResult.OK;
    }

    /** Shows {@code message} to the subscribers of {@link #asFlux()}, one producer at a time. */
    private void tap(Message message) {
        Sinks.Many<Message> t = tap;
        if (t != null) {
            synchronized (t) {
                t.tryEmitNext(message);
            }
        }
    }

    private void endTap(@Nullable Throwable error) {
        Sinks.Many<Message> t = tap;
        if (t != null) {
            synchronized (t) {
                if (error == null) {
                    t.tryEmitComplete();
                } else {
                    t.tryEmitError(error);
                }
            }
        }
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

    /** The subscribers of {@link #asFlux()} now (the connection that writes the queue is not one). */
    @Override
    public int currentSubscriberCount() {
        Sinks.Many<Message> t = tap;
        return t == null ? 0 : t.currentSubscriberCount();
    }

    /**
     * The messages this sink accepts from now on, as they are queued (before they are written): those of
     * {@code tryEmitNext}, {@code send}, streams, broadcasts, and the library's own frames (requests, answers, a
     * client's announcement). Hot, multicast, no replay: a subscriber sees what is queued while it is subscribed and
     * requesting; a message queued while it has no demand is not shown to it (nothing is buffered for a slow
     * subscriber, and the connection never waits for one). Delivered on the thread that queued the message, one at
     * a time. Completes when the connection closes. Until the first call nothing is kept or shown, and a queued
     * message costs one field read; the connection, not this Flux, writes the messages.
     */
    @Override
    public Flux<Message> asFlux() {
        Sinks.Many<Message> t = tap;
        if (t == null) {
            TAP.compareAndSet(this, null, Sinks.unsafe().many().multicast().directBestEffort());
            t = requireNonNull(tap);
            Throwable end = terminated;
            if (end != null) {
                endTap(end instanceof IpcClosedException ? null : end);
            }
        }
        return t.asFlux();
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
     * The next entry to write, or null. Hand it to {@link Entry#message()}, then {@link #written} or {@link #failed}. In
     * sync mode, null also while an answer is awaited and the next entry asks something (the link is signalled
     * when the gate opens).
     */
    public @Nullable Entry poll() {
        Gate g = gate;
        return g == null ? take() : g.poll();
    }

    private @Nullable Entry peek() {
        Announcement a = announcement;
        if (a != null) {
            return a;
        }
        for (;;) {
            ConcurrentLinkedDeque<Entry> f = front;
            Entry e = f != null ? f.peekFirst() : null;
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
    private @Nullable Entry take() {
        Announcement a = announcement;
        if (a != null && ANNOUNCEMENT.compareAndSet(this, a, null)) {
            SIZE.decrementAndGet(this);
            return a;
        }
        return takeQueued();
    }

    /** The next entry after the announcement, skipping those nobody wants written any more. */
    private @Nullable Entry takeQueued() {
        for (;;) {
            ConcurrentLinkedDeque<Entry> f = front;
            Entry e = f != null ? f.pollFirst() : null;
            if (e == null) {
                e = queue.poll();
            }
            if (e == null) {
                return null;
            }
            SIZE.decrementAndGet(this);
            if (e instanceof Tracked t && t.abandoned()) {
                continue;
            }
            return e;
        }
    }

    public boolean isEmpty() {
        ConcurrentLinkedDeque<Entry> f = front;
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

    /** The entry's frame was completely written. */
    public static void written(Entry entry) {
        entry.written();
    }

    /** The entry will never be written because of {@code error}. */
    public void failed(Entry entry, Throwable error) {
        Gate g = gate;
        if (g != null) {
            g.notWritten(entry);
        }
        entry.failed(owner, error);
    }

    /** Unwritten entries of a dead link, oldest first; they are written before anything else. */
    public void returnUnwritten(List<Entry> entries) {
        if (!entries.isEmpty()) {
            ConcurrentLinkedDeque<Entry> f = front();
            int n = 0;
            for (int i = entries.size() - 1; i >= 0; i--) {
                Entry e = entries.get(i);
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
        endTap(cause instanceof IpcClosedException ? null : cause);
    }

    private void failAll(Throwable cause) {
        Entry e;
        while ((e = poll()) != null) {
            e.closed(cause);
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
    public @Nullable Entry answered() {
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
    private static boolean asks(Entry entry) {
        return entry.asks();
    }

    /** A message that, in sync mode, neither waits for an answer nor awaits one: a client's announcement. */
    private static final class Announcement extends Plain {
        Announcement(Message message) {
            super(message);
        }

        @Override
        boolean asks() {
            return false;
        }
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

        @Nullable Entry poll() {
            if (flight != null) {
                // Closed: an entry that asks nothing still goes, but only from the head, so the order is kept.
                Entry head = peek();
                if (head == null || asks(head)) {
                    return null;
                }
            }
            // One consumer: the entry taken is the one looked at (only terminate() polls concurrently, and then
            // nothing more is written).
            Entry e = take();
            if (e != null && asks(e)) {
                close(e);
            }
            return e;
        }

        private void close(Entry entry) {
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

        @Nullable Entry answered() {
            Flight f = flight;
            if (f == null || !FLIGHT.compareAndSet(this, f, null)) {
                return null;
            }
            f.cancel();
            signal();
            return f.entry;
        }

        /** The entry in flight will not be written (it failed): nothing to wait for. */
        void notWritten(Entry entry) {
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
            final Entry entry;
            volatile @Nullable Disposable timer;

            Flight(Entry entry) {
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
                    Message m = entry.message();
                    owner.unanswered(m, new IpcTimeoutException("no answer to '" + m.type() + "' within "
                            + timeoutMillis + " ms; sending the next"));
                    signal();
                }
            }
        }
    }

    /** A message whose sender waits for it to be written. */
    private static final class Pending extends Entry {
        private final Message message;
        private final MonoSink<Void> sink;

        Pending(Message message, MonoSink<Void> sink) {
            this.message = message;
            this.sink = sink;
        }

        @Override
        public Message message() {
            return message;
        }

        @Override
        void written() {
            sink.success();
        }

        @Override
        void failed(Owner owner, Throwable error) {
            sink.error(error);
        }

        @Override
        void closed(Throwable cause) {
            sink.error(cause);
        }
    }

    /** A message of a {@link #sendAll} stream. */
    private static final class Streamed extends Entry {
        private final Message message;
        private final Stream stream;

        Streamed(Message message, Stream stream) {
            this.message = message;
            this.stream = stream;
        }

        @Override
        public Message message() {
            return message;
        }

        @Override
        void written() {
            stream.done();
        }

        @Override
        void failed(Owner owner, Throwable error) {
            stream.failed(error);
        }

        @Override
        void closed(Throwable cause) {
            stream.failed(cause);
        }
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
    public static final class Shared extends Entry {
        private final Message message;
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

        @Override
        public Message message() {
            return message;
        }

        @Override
        void written() {
            done();
        }

        @Override
        void failed(Owner owner, Throwable error) {
            owner.dropped(message, error);
            done();
        }

        /** A connection that closed is skipped by a broadcast. */
        @Override
        void closed(Throwable cause) {
            done();
        }
    }

    @Override
    public String toString() {
        return "OutboundQueue{size=" + size + ", capacity=" + capacity + "}";
    }
}
