package io.reactiveipc.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.AttributeKey;
import java.util.concurrent.TimeUnit;

/**
 * First in the pipeline, on the socket's side of TLS. A write that fails because the peer is gone (a broken pipe, a
 * reset) must not throw away what the peer sent before it went. Netty's default ({@code autoClose}) closes the
 * channel at once, with the peer's last bytes still unread in the socket, and SslHandler closes it too when it
 * cannot write a TLS 1.3 session ticket to a client that sent its data and closed right after its handshake. With
 * {@code autoClose} off, the failed write shuts the output down instead; then this handler reads the input to its
 * end (the peer closed, so the end is already there) and lets the channel close, at most {@link #LIMIT_MILLIS}
 * after the write failed in any case. A close asked for meanwhile completes when the channel has closed.
 */
final class ReadToEndOnWriteFailure extends ChannelDuplexHandler {

    /** How long a channel whose output failed may stay open to read what its peer sent before it went. */
    static final long LIMIT_MILLIS = 1000;

    /**
     * Set on a channel whose output we shut down on purpose (a graceful stop's half close): Netty reports that with
     * the same {@link ChannelOutputShutdownEvent} as a failed write, and it must not start the 1 s limit, which would
     * close the socket with what the application has not asked for yet unread (lost). The graceful stop reads on at
     * the application's pace and has its own timeout.
     */
    private static final AttributeKey<Boolean> HALF_CLOSED = AttributeKey.valueOf("io.reactiveipc.halfClosed");

    private boolean draining;

    /** Our own half close: see {@link #HALF_CLOSED}. */
    static void shutdownOutput(DuplexChannel channel) {
        channel.attr(HALF_CLOSED).set(Boolean.TRUE);
        channel.shutdownOutput();
    }

    /** Before the channel is registered: after the TLS handler is in place, so that it sits before it. */
    static void install(Channel channel) {
        channel.config().setAutoClose(false);
        channel.pipeline().addFirst("ipc.readToEnd", new ReadToEndOnWriteFailure());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelOutputShutdownEvent && !ctx.channel().hasAttr(HALF_CLOSED)) {
            readToEnd(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        Channel ch = ctx.channel();
        if (ch.isActive() && (draining || ch instanceof DuplexChannel d && d.isOutputShutdown() && !d.isInputShutdown())) {
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
