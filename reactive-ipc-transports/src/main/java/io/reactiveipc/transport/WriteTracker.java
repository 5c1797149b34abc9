package io.reactiveipc.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The promise passed with every write of a link: Netty completes the promises of one channel's writes in write
 * order, so each success is the oldest frame in flight being written, and so is each failure. One object for all
 * writes instead of a {@code DefaultChannelPromise} and a listener notification per frame (22% of a sending event
 * loop, measured); Reactor Netty's own {@code MonoSendMany} does the same.
 *
 * <p>Netty's contract still holds for handlers that need a real promise: {@link #unvoid()} returns a new
 * {@link DefaultChannelPromise} for that one write, which can be listened to and awaited and tells this tracker its
 * outcome once ({@code IdleStateHandler}, {@code WriteTimeoutHandler} and {@code SslHandler} use it), and
 * {@link #tryFailure} reports the failure of the oldest write in flight. This tracker itself is never done, so it
 * must not be awaited or listened to; those methods refuse.
 */
final class WriteTracker implements ChannelPromise {

    /** What happens to the oldest write in flight. */
    interface Outcome {
        void written();

        void failed(Throwable cause);
    }

    private final Channel channel;
    private final Outcome outcome;

    WriteTracker(Channel channel, Outcome outcome) {
        this.channel = channel;
        this.outcome = outcome;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public boolean trySuccess(@Nullable Void result) {
        outcome.written();
        return true;
    }

    @Override
    public boolean trySuccess() {
        return trySuccess(null);
    }

    @Override
    public ChannelPromise setSuccess(@Nullable Void result) {
        trySuccess(null);
        return this;
    }

    @Override
    public ChannelPromise setSuccess() {
        return setSuccess(null);
    }

    @Override
    public boolean tryFailure(Throwable cause) {
        outcome.failed(cause);
        return true;
    }

    @Override
    public ChannelPromise setFailure(Throwable cause) {
        tryFailure(cause);
        return this;
    }

    @Override
    public boolean setUncancellable() {
        return true;
    }

    @Override
    public boolean isVoid() {
        return false;
    }

    @Override
    public ChannelPromise unvoid() {
        return new Forwarding(channel, this);
    }

    @Override
    public boolean isSuccess() {
        return false;
    }

    @Override
    public boolean isCancellable() {
        return false;
    }

    @Override
    public @Nullable Throwable cause() {
        return null;
    }

    @Override
    public boolean isCancelled() {
        return false;
    }

    @Override
    public boolean isDone() {
        return false;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return false;
    }

    @Override
    public @Nullable Void getNow() {
        return null;
    }

    @Override
    public ChannelPromise addListener(GenericFutureListener<? extends Future<? super Void>> listener) {
        throw refused();
    }

    @Override
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final ChannelPromise addListeners(GenericFutureListener<? extends Future<? super Void>>... listeners) {
        throw refused();
    }

    @Override
    public ChannelPromise removeListener(GenericFutureListener<? extends Future<? super Void>> listener) {
        return this;
    }

    @Override
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final ChannelPromise removeListeners(GenericFutureListener<? extends Future<? super Void>>... listeners) {
        return this;
    }

    @Override
    public ChannelPromise sync() {
        throw refused();
    }

    @Override
    public ChannelPromise syncUninterruptibly() {
        throw refused();
    }

    @Override
    public ChannelPromise await() {
        throw refused();
    }

    @Override
    public ChannelPromise awaitUninterruptibly() {
        throw refused();
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) {
        throw refused();
    }

    @Override
    public boolean await(long timeoutMillis) {
        throw refused();
    }

    @Override
    public boolean awaitUninterruptibly(long timeout, TimeUnit unit) {
        throw refused();
    }

    @Override
    public boolean awaitUninterruptibly(long timeoutMillis) {
        throw refused();
    }

    @Override
    public Void get() {
        throw refused();
    }

    @Override
    public Void get(long timeout, TimeUnit unit) {
        throw refused();
    }

    private static UnsupportedOperationException refused() {
        return new UnsupportedOperationException("a link's write tracker is shared by all its writes and never done");
    }

    @Override
    public String toString() {
        return "WriteTracker{" + channel + "}";
    }

    /** One write's own promise; its first outcome, and only that, goes to the tracker. */
    private static final class Forwarding extends DefaultChannelPromise {
        private final WriteTracker tracker;

        Forwarding(Channel channel, WriteTracker tracker) {
            super(channel);
            this.tracker = tracker;
        }

        @Override
        public ChannelPromise setSuccess(@Nullable Void result) {
            trySuccess(result);
            return this;
        }

        @Override
        public boolean trySuccess(@Nullable Void result) {
            if (super.trySuccess(result)) {
                tracker.trySuccess(null);
                return true;
            }
            return false;
        }

        @Override
        public ChannelPromise setFailure(Throwable cause) {
            tryFailure(cause);
            return this;
        }

        @Override
        public boolean tryFailure(Throwable cause) {
            if (super.tryFailure(cause)) {
                tracker.tryFailure(cause);
                return true;
            }
            return false;
        }
    }
}
