package io.reactiveipc.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.util.concurrent.TimeUnit;

/**
 * First in the pipeline, on the socket's side of TLS. A write that fails because the peer is gone (a broken pipe, a
 * reset) must not throw away what the peer sent before it went. Netty's default ({@code autoClose}) closes the
 * channel at once, with the peer's last bytes still unread in the socket, and SslHandler closes it too when it
 * cannot write a TLS 1.3 session ticket to a client that sent its data and closed right after its handshake. With
 * {@code autoClose} off, the failed write shuts the output down instead; then this handler reads the input to its
 * end (the peer closed, so the end is already there) and lets the channel close, at most {@link #LIMIT_MILLIS}
 * after the write failed in any case. A close asked for meanwhile completes when the channel has closed.
 *
 * <p>A half close on purpose ({@link #shutdownOutput}, a graceful close) fires the same output-shutdown event, but it
 * is no failed write: the peer is there and may still be sending megabytes. Its input is read as the link asks
 * (demand, back pressure) to the peer's end of stream, bounded by the graceful close's own timeout, not by this
 * handler's 1 s; a close asked for then closes at once.
 */
final class ReadToEndOnWriteFailure extends ChannelDuplexHandler {

    /** How long a channel whose output failed may stay open to read what its peer sent before it went. */
    static final long LIMIT_MILLIS = 1000;

    private boolean draining;
    /** This end shut its output down on purpose: the output-shutdown event that follows is no failed write. */
    private boolean halfClosed;

    /** Before the channel is registered: after the TLS handler is in place, so that it sits before it. */
    static void install(Channel channel) {
        channel.config().setAutoClose(false);
        channel.pipeline().addFirst("ipc.readToEnd", new ReadToEndOnWriteFailure());
    }

    /** Half-closes on purpose, on the event loop: see the class comment. */
    static void shutdownOutput(DuplexChannel channel) {
        ReadToEndOnWriteFailure handler = channel.pipeline().get(ReadToEndOnWriteFailure.class);
        if (handler != null) {
            handler.halfClosed = true;
        }
        channel.shutdownOutput();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelOutputShutdownEvent && !halfClosed) {
            readToEnd(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        Channel ch = ctx.channel();
        if (ch.isActive() && (draining
                || !halfClosed && ch instanceof DuplexChannel d && d.isOutputShutdown() && !d.isInputShutdown())) {
            readToEnd(ctx);
            ch.closeFuture().addListener(f -> promise.trySuccess());
            return;
        }
        ctx.close(promise);
    }

    private void readToEnd(ChannelHandlerContext ctx) {
        if (draining) {
            return;
        }
        draining = true;
        Channel ch = ctx.channel();
        // the end of the input closes the channel (half-closure is off); reading bypasses the link's demand, as
        // what is left is at most the socket's buffer from a peer that is gone
        ch.config().setAutoRead(true);
        ctx.read();
        ctx.executor().schedule(() -> {
            if (ch.isActive()) {
                ctx.close();
            }
        }, LIMIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean isSharable() {
        return false;
    }
}
