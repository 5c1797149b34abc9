package io.reactiveipc.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.IpcTimeoutException;
import io.reactiveipc.PeerLimits;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The {@link PeerLimits} of one channel, between the {@link FrameDecoder} and the {@link NettyLink}: a frame that
 * does not finish within {@code frameTimeout}, partial frames past the server's {@code partialFrameBudget}, a peer
 * that reads nothing for {@code writeTimeout} while bytes wait for it, and (when set) no byte for {@code idleTimeout}. Each closes the
 * channel with a reason the link reports ({@link NettyLink#closeCause()}); the first two answer the peer with an error
 * frame before ({@code FRAME_TIMEOUT}, {@code PARTIAL_FRAME_BUDGET}). Time is only held against the peer while
 * we are reading: with back pressure on (autoRead off) a partial frame waits on us, not on it. Event-loop confined.
 */
final class SlowPeerHandler extends ChannelDuplexHandler {

    private final FrameDecoder frames;
    private final NettyLink link;
    private final PeerLimits limits;
    /** Partial-frame bytes held by all connections of one server; null on a client. */
    private final @Nullable AtomicLong budget;
    /** What this channel has counted in {@link #budget}. */
    private long accounted;
    private static final long NONE = Long.MIN_VALUE;
    /** {@link System#nanoTime()} when the partial frame held now began (read), or {@link #NONE}. */
    private long partialSince = NONE;
    private @Nullable ScheduledFuture<?> frameTimer;
    private @Nullable ScheduledFuture<?> writeTimer;
    private long pendingAtArming;
    private long writtenAtArming;
    private @Nullable ScheduledFuture<?> idleTimer;
    private long lastRead = System.nanoTime();
    /** A limit was hit and the peer is being refused: nothing more is counted or timed. */
    private boolean failed;

    SlowPeerHandler(FrameDecoder frames, NettyLink link, PeerLimits limits, @Nullable AtomicLong budget) {
        this.frames = frames;
        this.link = link;
        this.limits = limits;
        this.budget = budget;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!limits.idleTimeout().isZero()) {
            idleTimer = ctx.executor().schedule(() -> idleCheck(ctx), limits.idleTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && !limits.idleTimeout().isZero() && idleTimer == null) {
            idleTimer = ctx.executor().schedule(() -> idleCheck(ctx), limits.idleTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    // No channelRead of its own: Netty skips this handler for each message; the decoder notes what it passed on.

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (failed) {
            frames.discardPartial(); // a read that was under way when it was refused: nobody takes it
            ctx.fireChannelReadComplete();
            return;
        }
        lastRead = System.nanoTime(); // once per read burst, not per message
        FrameDecoder f = frames;
        boolean frameCompleted = f.emitted;
        f.emitted = false;
        if (f.messageEmitted) {
            f.messageEmitted = false;
            link.frameReceived(lastRead);
        }
        int partial = frames.buffered();
        AtomicLong b = budget;
        if (b != null && partial != accounted) {
            long delta = partial - accounted;
            // Growth that would pass the budget is refused without being counted: added first and taken back in
            // fail(), it showed other connections a total over the budget for a moment, and a small partial frame
            // read on another event loop in that moment was refused as well (2 of 60 runs of SlowPeerTest).
            for (long total = b.get(); delta > 0; total = b.get()) {
                if (total + delta > limits.partialFrameBudget()) {
                    fail(ctx, new IpcProtocolException(Reason.PARTIAL_FRAME_BUDGET, "the server's partialFrameBudget"
                            + " of " + limits.partialFrameBudget() + " bytes for partial frames of all connections is"
                            + " used up; this connection's " + partial + " bytes of an unfinished frame were"
                            + " discarded"));
                    return;
                }
                if (b.compareAndSet(total, total + delta)) {
                    break;
                }
            }
            if (delta < 0) {
                b.addAndGet(delta);
            }
            accounted = partial;
        }
        // One timer per connection, moved lazily: a read that starts a new partial frame only notes the time, so a
        // stream whose reads end mid-frame costs no scheduling per read.
        if (partial == 0) {
            partialSince = NONE;
        } else if (partialSince == NONE || frameCompleted) {
            partialSince = lastRead;
            if (frameTimer == null) {
                frameTimer = ctx.executor().schedule(() -> frameTimedOut(ctx), limits.frameTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
            }
        }
        ctx.fireChannelReadComplete();
    }

    private void frameTimedOut(ChannelHandlerContext ctx) {
        frameTimer = null;
        if (!ctx.channel().isActive() || partialSince == NONE || frames.buffered() == 0) {
            return;
        }
        long timeout = limits.frameTimeout().toNanos();
        long held = System.nanoTime() - partialSince;
        if (held < timeout || !ctx.channel().config().isAutoRead()) {
            // a newer partial frame, or we are not reading (the wait is ours, not the peer's): look again later
            partialSince = held < timeout ? partialSince : System.nanoTime();
            frameTimer = ctx.executor().schedule(() -> frameTimedOut(ctx), timeout - Math.min(held, timeout) + 1,
                    TimeUnit.NANOSECONDS);
            return;
        }
        fail(ctx, new IpcProtocolException(Reason.FRAME_TIMEOUT, "no complete frame within frameTimeout "
                + limits.frameTimeout().toMillis() + " ms; " + frames.buffered()
                + " bytes of an unfinished frame were discarded"));
    }

    private void idleCheck(ChannelHandlerContext ctx) {
        idleTimer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long idle = limits.idleTimeout().toNanos();
        long quiet = System.nanoTime() - lastRead;
        if (quiet >= idle && ctx.channel().config().isAutoRead()) {
            link.closeBecause(new IpcTimeoutException("peer " + link.remote() + " sent nothing for idleTimeout "
                    + limits.idleTimeout().toMillis() + " ms"));
            return;
        }
        idleTimer = ctx.executor().schedule(() -> idleCheck(ctx), Math.max(idle - quiet, idle / 4 + 1),
                TimeUnit.NANOSECONDS);
    }

    /**
     * The partial frame is dropped at once (and leaves the budget), the error is reported in the place of the next
     * frame, and the peer is answered and closed the way other protocol errors are ({@link NettyLink#refuseBecause}).
     */
    private void fail(ChannelHandlerContext ctx, IpcProtocolException e) {
        failed = true;
        cancelFrameTimer();
        partialSince = NONE;
        frames.discardPartial();
        unaccount();
        ctx.fireChannelRead(e);
        link.refuseBecause(e);
    }

    /**
     * After each flush: if bytes are left that the socket did not take, the write timer runs, and it goes off only
     * if no byte and no frame went out for a whole {@code writeTimeout}. (Writability is not enough: what is left
     * may stay under Netty's high-water mark, and the channel stays writable while nothing moves.)
     */
    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
        if (writeTimer == null && pendingBytes(ctx) > 0) {
            armWriteTimer(ctx);
        }
    }

    private void armWriteTimer(ChannelHandlerContext ctx) {
        pendingAtArming = pendingBytes(ctx);
        writtenAtArming = link.framesWritten();
        writeTimer = ctx.executor().schedule(() -> writeTimedOut(ctx), limits.writeTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
    }

    private static long pendingBytes(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    private void writeTimedOut(ChannelHandlerContext ctx) {
        writeTimer = null;
        long pending = pendingBytes(ctx);
        if (!ctx.channel().isActive() || pending == 0) {
            return;
        }
        if (pending != pendingAtArming || link.framesWritten() != writtenAtArming) {
            armWriteTimer(ctx); // slow, but reading
            return;
        }
        link.closeBecause(new IpcTimeoutException("peer " + link.remote() + " read nothing for writeTimeout "
                + limits.writeTimeout().toMillis() + " ms while " + pending + " bytes waited for it"));
    }

    private void cancelFrameTimer() {
        if (frameTimer != null) {
            frameTimer.cancel(false);
            frameTimer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        cancelFrameTimer();
        if (writeTimer != null) {
            writeTimer.cancel(false);
            writeTimer = null;
        }
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
        unaccount();
    }

    private void unaccount() {
        AtomicLong b = budget;
        if (b != null && accounted != 0) {
            b.addAndGet(-accounted);
            accounted = 0;
        }
    }
}
