package io.reactiveipc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import io.reactiveipc.PeerCredentials;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.internal.Frames;
import io.reactiveipc.internal.ProtocolErrors;
import io.reactiveipc.spi.IpcMetricsRecorder;
import io.reactiveipc.spi.Link;
import io.reactiveipc.spi.OutboundQueue;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;

/**
 * One Netty channel as a {@link Link}. Writing happens on the channel's event loop: a drain takes entries from the
 * queue while the channel is writable and flushes once per burst. Entries handed to the channel are remembered
 * until Netty reports them written, so that on close the rest can go back to the queue.
 */
final class NettyLink extends ChannelInboundHandlerAdapter implements Link, WriteTracker.Outcome {

    static final AttributeKey<NettyLink> KEY = AttributeKey.valueOf("io.reactiveipc.link");

    /** Entries written per drain before yielding the event loop to other channels. */
    private static final int MAX_PER_DRAIN = 4096;
    private static final int FLUSH_EVERY = 256;
    /**
     * Frames read, within one read, after which what they made this link send goes out at once rather than when
     * the read is over. A read can hold hundreds of requests: answering each batch only after its read made the two
     * ends take turns (one decodes while the other waits), each core half idle; sending every 64 frames lets the
     * peer start on the first answers while the rest are decoded. Request/response at 256 in flight: +25% (README).
     */
    static final int SEND_DURING_READ_EVERY = 64;
    /** How long a refused peer has to take its error frame before its socket is closed anyway. */
    static final long REFUSE_GRACE_MS = 2000;

    private final Channel channel;
    private final IpcCodec codec;
    private final int maxFrameSize;
    private final int delimiterLength;
    private final IpcMetricsRecorder metrics;
    private static final AtomicIntegerFieldUpdater<NettyLink> SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(NettyLink.class, "scheduled");
    private static final AtomicIntegerFieldUpdater<NettyLink> RECEIVING =
            AtomicIntegerFieldUpdater.newUpdater(NettyLink.class, "receiving");
    private static final AtomicReferenceFieldUpdater<NettyLink, Object> CLOSE_ACTION =
            AtomicReferenceFieldUpdater.newUpdater(NettyLink.class, Object.class, "closeAction");
    private static final Object CLOSED = new Object();

    /** Emitted once, from channelInactive on the event loop: no serializing wrapper needed. */
    private final Sinks.Empty<Void> closed = Sinks.unsafe().empty();
    /** Event-loop confined: entries handed to the channel, not yet reported written, oldest first. */
    private final ArrayDeque<OutboundQueue.Entry> inflight = new ArrayDeque<>(3); // grows once per link under load
    /** 1 while a drain is scheduled. Fields, not AtomicBooleans: every idle connection carries them. */
    private volatile int scheduled;
    private final Runnable signal = this::schedule;
    /** The promise of every write: each success is the oldest entry in flight written. */
    private final WriteTracker tracker;
    /** Event-loop confined. */
    private @Nullable OutboundQueue queue;

    private volatile int receiving;
    /** Read once, when first asked (the socket must be connected). */
    private volatile @Nullable Optional<PeerCredentials> credentials;
    /** Null, the action of {@link #whenClosed}, or {@link #CLOSED} once channelInactive ran. */
    private volatile @Nullable Object closeAction;
    /** Event-loop confined, the receiving side: the subscriber of receive(), its demand, what waits for it. */
    private @Nullable CoreSubscriber<? super Message> receiver;
    private Consumer<IpcProtocolException> protocolErrors = e -> { };
    private long demand;
    private @Nullable ArrayDeque<Object> received;
    private int receivedWip;
    private boolean inputDone;
    /** Event-loop confined: refuse() ran; nothing more is read or taken from the queue. */
    private boolean refused;
    private @Nullable Throwable inputError;
    /** Event-loop confined: frames read since the last drain, see {@link #SEND_DURING_READ_EVERY}. */
    private int readSinceDrain;
    /** Event-loop confined: frames reported written, for {@link SlowPeerHandler}'s write timer. */
    private long framesWritten;
    /** Why {@link SlowPeerHandler} closed it, if it did. */
    private volatile @Nullable Throwable closeCause;
    /** See {@link Link#quietSince()}: written on the event loop, read by the server's accept on another. */
    private volatile long quietSince = System.nanoTime();

    NettyLink(Channel channel, IpcCodec codec, int delimiterLength, int maxFrameSize, IpcMetricsRecorder metrics) {
        this.channel = channel;
        this.metrics = metrics;
        this.codec = codec;
        this.delimiterLength = delimiterLength;
        this.maxFrameSize = maxFrameSize;
        this.tracker = new WriteTracker(channel, this);
        // Nothing is read before receive() is subscribed with demand: a client's new socket may wait behind an old
        // one whose messages nobody takes yet. (Reactor Netty turns autoRead off too, but later, when it creates
        // the connection's operations.)
        channel.config().setAutoRead(false);
    }

    /**
     * Frames go from the decoder straight to the subscriber, on the event loop, without Reactor Netty's receive
     * queue: a message the subscriber has asked for is delivered in the read that decoded it. Without demand,
     * decoded messages wait here and the channel stops reading.
     */
    @Override
    public Flux<Message> receive(Consumer<IpcProtocolException> protocolErrors) {
        return new Flux<>() {
            @Override
            public void subscribe(CoreSubscriber<? super Message> actual) {
                if (!RECEIVING.compareAndSet(NettyLink.this, 0, 1)) {
                    Operators.error(actual, new IllegalStateException("a link's receive() is subscribed once"));
                    return;
                }
                onLoop(() -> attach(actual, protocolErrors));
            }
        };
    }

    private void attach(CoreSubscriber<? super Message> actual, Consumer<IpcProtocolException> errors) {
        receiver = actual;
        protocolErrors = errors;
        actual.onSubscribe(new Subscription() {
            @Override
            public void request(long n) {
                if (Operators.validate(n)) {
                    onLoop(() -> {
                        demand = Operators.addCap(demand, n);
                        drainReceived();
                    });
                }
            }

            @Override
            public void cancel() {
                onLoop(() -> {
                    receiver = null;
                    received = null;
                    inputDone = true;
                    read(false);
                });
            }
        });
        drainReceived();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (inputDone) {
            ReferenceCountUtil.release(msg); // cancelled: nobody will read it
            return;
        }
        CoreSubscriber<? super Message> r = receiver;
        if (msg instanceof Message m && r != null && demand > 0 && receivedWip == 0
                && (received == null || received.isEmpty())) {
            demand--;
            receivedWip = 1;
            r.onNext(m);
            if (--receivedWip != 0) {
                receivedWip = 0;
                drainReceived(); // the subscriber requested or cancelled while taking it
            } else if (demand == 0) {
                read(false);
            }
            frameRead();
            return;
        }
        if (received == null) {
            received = new ArrayDeque<>();
        }
        received.add(msg);
        drainReceived();
        frameRead();
    }

    /** One more frame read: every {@link #SEND_DURING_READ_EVERY}, what is queued to send goes now. */
    private void frameRead() {
        if (++readSinceDrain == SEND_DURING_READ_EVERY) { // a look every 64 frames, not a volatile read each
            if (scheduled != 0) {
                drain(); // what the frames read so far made us send: the scheduled drain will find it gone
            } else {
                readSinceDrain = 0;
            }
        }
    }

    /** Event loop only: hands out what was decoded, as demand allows; bad frames are reported in their place. */
    private void drainReceived() {
        if (receivedWip++ != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            CoreSubscriber<? super Message> r = receiver;
            ArrayDeque<Object> q = received;
            if (r != null) {
                Object o;
                while (q != null && (o = q.peek()) != null) {
                    if (o instanceof IpcProtocolException e) {
                        q.poll();
                        protocolErrors.accept(e);
                    } else if (demand > 0) {
                        q.poll();
                        demand--;
                        r.onNext((Message) o);
                        if (receiver == null) {
                            break;
                        }
                    } else {
                        break;
                    }
                }
                if (receiver != null && (q == null || q.isEmpty()) && inputDone) {
                    receiver = null;
                    Throwable e = inputError;
                    if (e != null) {
                        r.onError(e);
                    } else {
                        r.onComplete();
                    }
                } else if (receiver != null) {
                    read(demand > 0);
                }
            }
            missed = receivedWip -= missed;
            if (missed == 0) {
                return;
            }
        }
    }

    private void read(boolean on) {
        if (channel.config().isAutoRead() != on && (!on || channel.isActive())) {
            channel.config().setAutoRead(on);
        }
    }

    private void onLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            channel.eventLoop().execute(task);
        }
    }

    /** A reset or broken pipe is the end of the input; anything else fails it. Either way the channel closes. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException) && !inputDone && inputError == null) {
            inputError = cause;
        }
        ctx.close();
    }

    @Override
    public void startWriting(OutboundQueue queue) {
        channel.eventLoop().execute(() -> {
            if (!channel.isActive()) {
                return; // channelInactive has run or will not find a queue: nothing was taken from it
            }
            this.queue = queue;
            queue.attach(signal);
        });
    }

    private void schedule() {
        if (SCHEDULED.compareAndSet(this, 0, 1)) {
            channel.eventLoop().execute(this::drain);
        }
    }

    private void drain() {
        scheduled = 0;
        readSinceDrain = 0;
        if (!refused) {
            writeQueued();
        }
    }

    private void writeQueued() {
        OutboundQueue q = queue;
        if (q == null || !channel.isActive()) {
            return;
        }
        int written = 0;
        int unflushed = 0;
        OutboundQueue.Entry entry;
        while (channel.isWritable() && (entry = q.poll()) != null) {
            ByteBuf frame = encode(q, entry);
            if (frame == null) {
                continue;
            }
            inflight.add(entry);
            channel.write(frame, tracker);
            if (++unflushed == FLUSH_EVERY) {
                channel.flush();
                unflushed = 0;
            }
            if (++written == MAX_PER_DRAIN) {
                schedule();
                break;
            }
        }
        if (unflushed > 0) {
            channel.flush();
        }
        if (q.isCompleting() && q.isEmpty() && inflight.isEmpty()) {
            q.completed();
        }
    }

    private @Nullable ByteBuf encode(OutboundQueue q, OutboundQueue.Entry entry) {
        ByteBuf buf = channel.alloc().ioBuffer();
        Message message = entry.message();
        try {
            Frames.encode(codec, message, new ByteBufOutputStream(buf), buf::readableBytes,
                    delimiterLength, maxFrameSize);
            metrics.messageSent(message.type());
            metrics.bytesSent(buf.readableBytes());
            return buf;
        } catch (IpcException e) {
            buf.release();
            q.failed(entry, e);
            return null;
        }
    }

    /** On the event loop, in write order. */
    @Override
    public void written() {
        framesWritten++;
        OutboundQueue.Entry entry = inflight.poll();
        if (entry != null) {
            OutboundQueue.written(entry);
            OutboundQueue q = queue;
            if (q != null && inflight.isEmpty() && q.isCompleting() && q.isEmpty()) {
                q.completed();
            }
        }
    }

    /**
     * On the event loop, in write order. A write the socket could not finish (an I/O error, the channel closing)
     * stays in flight: channelInactive hands it back to the queue, to go out on the next socket. Any other failure
     * is a handler's verdict on that frame ({@code WriteTimeoutHandler}'s timeout, say): its send fails with it.
     */
    @Override
    public void failed(Throwable cause) {
        if (cause instanceof IOException) {
            return;
        }
        OutboundQueue.Entry entry = inflight.poll();
        OutboundQueue q = queue;
        if (entry != null && q != null) {
            q.failed(entry, new IpcException("the frame was not written: " + cause, cause));
            if (inflight.isEmpty() && q.isCompleting() && q.isEmpty()) {
                q.completed();
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && queue != null) {
            schedule();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inputDone = true;
        drainReceived();
        OutboundQueue q = queue;
        queue = null;
        if (q != null) {
            q.detach(signal);
            List<OutboundQueue.Entry> unwritten = new ArrayList<>(inflight);
            inflight.clear();
            q.returnUnwritten(unwritten);
        }
        try {
            if (CLOSE_ACTION.getAndSet(this, CLOSED) instanceof Runnable action) {
                action.run();
            }
        } finally {
            closed.tryEmitEmpty();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void close() {
        channel.close();
    }

    /** Netty closes the channel when the peer's end of stream arrives (half closure is not allowed). */
    @Override
    public void closeOutput() {
        onLoop(() -> {
            SslHandler ssl = NettyTls.handler(channel);
            if (ssl != null) {
                ssl.closeOutbound(); // close_notify; the peer answers with its own and closes
            } else if (channel instanceof DuplexChannel duplex) {
                if (!duplex.isOutputShutdown()) {
                    ReadToEndOnWriteFailure.shutdownOutput(duplex); // no failed write: no 1 s limit on the drain
                }
            } else {
                channel.close();
            }
        });
    }

    /**
     * Stops reading and writing from the queue at once, writes the error frame after what the channel holds, and
     * closes when it is flushed or after {@link #REFUSE_GRACE_MS} if the peer does not read.
     */
    @Override
    public void refuse(Message error) {
        onLoop(() -> refuseNow(error, true));
    }

    /**
     * A frame that never finished ({@link SlowPeerHandler}), already passed on in its place after what was decoded
     * before it: {@code cause} becomes the reason the connection closed, and the peer is answered with the error
     * frame whatever the protocol-error policy (skipping would mean reading on through a frame whose end may never
     * come). What was decoded before it is kept for the subscriber. Event loop only.
     */
    void refuseBecause(IpcProtocolException cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        refuseNow(ProtocolErrors.answer(cause), false);
    }

    private void refuseNow(Message error, boolean dropDecoded) {
        if (refused || !channel.isActive()) {
            return;
        }
        refused = true;
        inputDone = true;
        if (dropDecoded && received != null) {
            received.clear(); // decoded after the bad frame: dropped, as the peer was told (no ByteBufs in it)
        }
        read(false);
        // The answers to what was decoded before the bad frame are made as it is delivered, after this read:
        // they are written first (what is queued by then, up to MAX_PER_DRAIN), then the error frame.
        channel.eventLoop().execute(() -> {
            writeQueued();
            writeRefusal(error);
        });
    }

    private void writeRefusal(Message error) {
        if (!channel.isActive()) {
            return;
        }
        ByteBuf frame = channel.alloc().ioBuffer();
        try {
            Frames.encode(codec, error, new ByteBufOutputStream(frame), frame::readableBytes, delimiterLength,
                    maxFrameSize);
        } catch (RuntimeException unencodable) {
            frame.release();
            channel.close();
            return;
        }
        Future<?> grace = channel.eventLoop().schedule(() -> channel.close(), REFUSE_GRACE_MS, TimeUnit.MILLISECONDS);
        channel.writeAndFlush(frame).addListener(f -> {
            grace.cancel(false);
            channel.close();
        });
    }

    @Override
    public Mono<Void> onClose() {
        return closed.asMono();
    }

    @Override
    public void whenClosed(Runnable action) {
        if (!CLOSE_ACTION.compareAndSet(this, null, action)) {
            if (closeAction != CLOSED) {
                throw new IllegalStateException("a link has one close action");
            }
            action.run();
        }
    }

    long framesWritten() {
        return framesWritten;
    }

    /** A complete frame arrived: the peer is not quiet. */
    void frameReceived(long nanoTime) {
        quietSince = nanoTime;
    }

    @Override
    public long quietSince() {
        return quietSince;
    }

    /** Closes the channel, with {@code cause} as the reason its pending sends and events carry. */
    void closeBecause(Throwable cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        channel.close();
    }

    @Override
    public @Nullable Throwable closeCause() {
        return closeCause;
    }

    @Override
    public Optional<PeerCredentials> peerCredentials() {
        Optional<PeerCredentials> known = credentials;
        if (known == null) {
            if (!channel.isActive()) {
                return Optional.empty(); // not connected yet, or gone
            }
            known = Optional.empty();
            if (channel instanceof EpollDomainSocketChannel unix) {
                try {
                    io.netty.channel.unix.PeerCredentials c = unix.peerCredentials(); // getsockopt: does not block
                    int[] gids = c.gids();
                    known = Optional.of(new PeerCredentials(c.uid(), gids.length > 0 ? gids[0] : -1, c.pid()));
                } catch (IOException e) {
                    // the socket is gone: nobody to credit
                }
            }
            credentials = known;
        }
        return known;
    }

    @Override
    public String remote() {
        Object remote = channel.remoteAddress();
        return remote == null ? channel.toString() : remote.toString();
    }

    @Override
    public String toString() {
        return "NettyLink{" + channel + "}";
    }
}
