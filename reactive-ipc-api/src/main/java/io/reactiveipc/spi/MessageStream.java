package io.reactiveipc.spi;

import io.reactiveipc.Message;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.MonoSink;
import reactor.util.context.Context;

/**
 * A stream of messages sent with back pressure, for a {@code Mono<Void>}: at most {@code window} messages are
 * handed on and not yet done; more are requested as they finish. Completes when the stream ended and every message
 * is done; the first failure cancels the stream and is signalled. Cancelling the Mono cancels the stream.
 *
 * <p>Messages finish on the threads that write them (several event loops for a broadcast), so requests upstream
 * are serialized here.
 *
 * <p>Shared by {@link OutboundQueue#sendAll} and the engine's broadcast; not for users.
 */
public abstract class MessageStream implements CoreSubscriber<Message> {

    private final MonoSink<Void> sink;
    private final int window;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger doneSinceRequest = new AtomicInteger();
    private final AtomicLong toRequest = new AtomicLong();
    private final AtomicInteger requesting = new AtomicInteger();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile @Nullable Subscription upstream;
    private volatile boolean upstreamDone;

    protected MessageStream(MonoSink<Void> sink, int window) {
        this.sink = sink;
        this.window = window;
    }

    /**
     * Hands one message on. Each message handed on must later be reported once: {@link #done()} when written (or
     * skipped), {@link #failed} when it never will be.
     */
    protected abstract void hand(Message message);

    @Override
    public final Context currentContext() {
        return Context.of(sink.contextView());
    }

    @Override
    public final void onSubscribe(Subscription s) {
        upstream = s;
        sink.onCancel(() -> {
            finished.set(true);
            cancelUpstream();
        });
        s.request(window);
    }

    @Override
    public final void onNext(Message message) {
        if (finished.get()) {
            return;
        }
        inFlight.incrementAndGet();
        hand(message);
    }

    @Override
    public final void onError(Throwable error) {
        upstreamDone = true;
        if (finished.compareAndSet(false, true)) {
            sink.error(error);
        }
    }

    @Override
    public final void onComplete() {
        upstreamDone = true;
        if (inFlight.get() == 0 && finished.compareAndSet(false, true)) {
            sink.success();
        }
    }

    /** One message handed on was written, or skipped: on the thread that finished it. */
    public final void done() {
        int left = inFlight.decrementAndGet();
        if (upstreamDone) {
            if (left == 0 && finished.compareAndSet(false, true)) {
                sink.success();
            }
        } else if (doneSinceRequest.incrementAndGet() == window / 2) {
            doneSinceRequest.addAndGet(-window / 2);
            request(window / 2);
        }
    }

    /** One message handed on will never be done: the stream fails, if it has not ended yet. */
    public final void failed(Throwable error) {
        inFlight.decrementAndGet();
        if (finished.compareAndSet(false, true)) {
            cancelUpstream();
            sink.error(error);
        }
    }

    private void request(long n) {
        toRequest.addAndGet(n);
        if (requesting.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            long r = toRequest.getAndSet(0);
            Subscription s = upstream;
            if (r > 0 && s != null && !finished.get()) {
                s.request(r);
            }
            missed = requesting.addAndGet(-missed);
        } while (missed != 0);
    }

    private void cancelUpstream() {
        Subscription s = upstream;
        if (s != null && !upstreamDone) {
            s.cancel();
        }
    }
}
