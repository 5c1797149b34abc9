package io.reactiveipc.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The promise passed with every write of a link: Netty completes the promises of one channel's writes in write
 * order, so each success is the oldest frame in flight being written. One object for all writes instead of a
 * {@code DefaultChannelPromise} and a listener notification per frame (22% of a sending event loop, measured);
 * Reactor Netty's own {@code MonoSendMany} does the same. A failure needs no action: the channel is closing, and
 * the link hands every entry still in flight back to its queue.
 *
 * <p>It is never done, so it must not be awaited or listened to; those methods refuse.
 */
final class WriteTracker implements ChannelPromise {

    private final Channel channel;
    private final Runnable onWritten;

    WriteTracker(Channel channel, Runnable onWritten) {
        this.channel = channel;
        this.onWritten = onWritten;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public boolean trySuccess(@Nullable Void result) {
        onWritten.run();
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
        return true;
    }

    @Override
    public ChannelPromise setFailure(Throwable cause) {
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
        return this;
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
}
