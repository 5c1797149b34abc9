package io.reactiveipc.transport;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.AbstractNioChannel;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * When a closed NIO channel's socket is really closed. The JDK closes a non-blocking channel registered with a
 * selector only once that selector has dropped its key, at the event loop's next select after Netty cancelled the
 * key: after the channel's close future completed. Until then the descriptor is open and a TCP port still bound,
 * so a server bound again at once to the port fails with "address already in use". Epoll closes the descriptor
 * before the close future completes: nothing to wait for there.
 *
 * <p>After the close future, this looks on the channel's event loop once per loop turn (the loop selects between
 * two turns) until the JDK channel is no longer registered: the selector's thread drops the key and closes the
 * descriptor in one step, so on that thread "not registered" means closed. In practice the first or second turn.
 * Limit: {@value #LIMIT_MILLIS} ms of turns, then it completes anyway (only a broken event loop turns that long
 * without selecting). An event loop that was shut down closed its selector, and with it the channel: it completes.
 */
final class NioRelease {

    static final long LIMIT_MILLIS = 1_000;

    private NioRelease() {
    }

    /** Completes once the closed {@code channel}'s descriptor is closed (at once unless NIO); never fails. */
    static Mono<Void> released(Channel channel) {
        if (!(channel.unsafe() instanceof AbstractNioChannel.NioUnsafe nio)) {
            return Mono.empty();
        }
        SelectableChannel jdk = nio.ch();
        EventLoop loop = channel.eventLoop();
        return Mono.create(sink -> channel.closeFuture().addListener(
                f -> look(loop, jdk, sink, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LIMIT_MILLIS))));
    }

    private static void look(EventLoop loop, SelectableChannel jdk, MonoSink<Void> sink, long deadline) {
        if (loop.inEventLoop() && (!jdk.isRegistered() || System.nanoTime() - deadline > 0)) {
            sink.success();
            return;
        }
        // A scheduled task runs in the loop's next batch, after a select; an executed one could run in this batch.
        try {
            loop.schedule(() -> look(loop, jdk, sink, deadline), 0, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shutDown) {
            sink.success();
        }
    }
}
