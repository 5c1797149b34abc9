package io.reactiveipc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.internal.Frames;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;

/**
 * One bound UDP channel as an {@link IpcDatagramSocket}. Datagrams are split into frames and decoded on the channel's
 * event loop, which alone touches the partial frames; the peers are shared with callers of {@link #peers()} under the
 * map's lock (held for a few map operations, never contended for long).
 */
@ChannelHandler.Sharable
final class NettyDatagramSocket extends ChannelInboundHandlerAdapter implements IpcDatagramSocket {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.reactiveipc");
    /** Failures held for a slow or absent subscriber of {@link #failures()}. */
    private static final int FAILURES_KEPT = 256;

    private final IpcAddress.Udp requested;
    private final IpcCodec codec;
    /** The codec's delimiter; empty for raw buffers, where each datagram is one message. */
    private final byte[] delimiter;
    private final int maxDatagram;
    private final int maxFrameSize;
    private final int maxPeers;
    private final long peerExpiryNanos;
    private final long partialExpiryNanos;
    /** The slowest subscriber's backlog; overflow is a drop, counted (UDP cannot push back). Event-loop emitted. */
    private final Sinks.Many<Datagram> inbound;
    private final Sinks.Many<Failure> failures = Sinks.many().multicast().onBackpressureBuffer(FAILURES_KEPT, false);
    /** Peer -> when last heard (nanoTime), least recently heard first. Guarded by itself. */
    private final LinkedHashMap<InetSocketAddress, Long> peers = new LinkedHashMap<>(16, 0.75f, true);
    /** Senders with a frame waiting for its end, least recently heard first. Event-loop confined. */
    private final LinkedHashMap<InetSocketAddress, Partial> partials = new LinkedHashMap<>(16, 0.75f, true);
    /** Written on the event loop only. */
    private volatile long dropped;
    /** Event-loop confined: true from a drop until the next delivery, so a run of drops is reported once. */
    private boolean dropping;
    /** Set once, when bound. */
    private volatile @Nullable Connection connection;
    private volatile @Nullable Channel channel;
    private volatile @Nullable InetSocketAddress address;
    private final boolean silent;

    /** Nanoseconds, as {@link System#nanoTime()}; tests pass their own to move time on. */
    private final java.util.function.LongSupplier clock;

    NettyDatagramSocket(IpcAddress.Udp requested, IpcConfig config, java.util.function.LongSupplier clock) {
        this.requested = requested;
        this.clock = clock;
        this.codec = config.codec();
        this.delimiter = codec.delimiter();
        this.maxDatagram = requested.ipv6() ? MAX_UDP6_PAYLOAD : MAX_UDP4_PAYLOAD;
        this.maxFrameSize = config.maxFrameSize();
        this.maxPeers = config.maxConnections();
        this.peerExpiryNanos = PEER_EXPIRY.toNanos();
        this.partialExpiryNanos = config.requestTimeout().toNanos();
        this.inbound = Sinks.many().multicast().onBackpressureBuffer(config.maxQueuedMessages(), false);
        this.silent = config.silent();
    }

    /** Once, when bound: before the socket is handed to anyone. */
    NettyDatagramSocket bound(Connection connection) {
        this.connection = connection;
        this.channel = connection.channel();
        this.address = (InetSocketAddress) connection.channel().localAddress();
        Channel ch = connection.channel();
        ch.closeFuture().addListener(f -> {
            inbound.tryEmitComplete();
            failures.tryEmitComplete();
        });
        // Reactor Netty's receive side turns reading off until its own receive() is subscribed; this handler reads
        // every datagram itself, before it.
        ch.config().setAutoRead(true);
        return this;
    }

    // ---------------------------------------------------------------- inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            ByteBuf content = packet.content();
            byte[] bytes = new byte[content.readableBytes()];
            content.getBytes(content.readerIndex(), bytes);
            receive(packet.sender(), bytes, clock.getAsLong());
        } finally {
            packet.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A datagram channel reports errors of one receive (e.g. ICMP unreachable on some systems) this way; the
        // socket stays open, so there is nothing to end, but it is not kept quiet.
        if (!silent) {
            LOG.warn("UDP socket " + address + ": " + cause, cause);
        }
    }

    /**
     * Splits {@code datagram} after each delimiter; the piece after the last one waits for the sender's next
     * datagram. With a partial frame waiting, it is searched with the new bytes behind it, so that a delimiter of
     * several bytes split across two datagrams is found too.
     */
    private void receive(InetSocketAddress sender, byte[] datagram, long now) {
        heard(sender, now);
        expirePartials(now);
        if (delimiter.length == 0) {
            deliver(sender, datagram, 0, datagram.length); // raw buffers: a datagram is a message, as in node-ipc
            return;
        }
        Partial partial = partials.remove(sender);
        byte[] bytes = datagram;
        int from = 0;
        boolean discarding = false;
        if (partial != null) {
            bytes = partial.followedBy(datagram);
            from = Math.max(0, partial.length - (delimiter.length - 1));
            discarding = partial.discarding;
        }
        int start = 0;
        for (int at; (at = Frames.indexOf(bytes, from, bytes.length, delimiter)) >= 0; ) {
            int length = at - start;
            if (discarding) {
                discarding = false; // the oversized frame ends here; it was reported when it crossed the limit
            } else if (length > maxFrameSize) {
                failure(sender, tooLarge(length, true), true);
            } else {
                deliver(sender, bytes, start, length);
            }
            start = from = at + delimiter.length;
        }
        int rest = bytes.length - start;
        if (rest == 0) {
            return;
        }
        Partial waiting = partial != null ? partial : new Partial();
        waiting.touched = now;
        if (!discarding && rest > maxFrameSize + delimiter.length - 1) {
            failure(sender, tooLarge(rest, false), true);
            discarding = true;
        }
        // skipping: only the tail that may begin a delimiter is kept
        waiting.hold(bytes, discarding ? bytes.length - Math.min(rest, delimiter.length - 1) : start, discarding);
        partials.put(sender, waiting);
        if (partials.size() > MAX_PARTIAL_SENDERS) {
            Iterator<Map.Entry<InetSocketAddress, Partial>> eldest = partials.entrySet().iterator();
            Map.Entry<InetSocketAddress, Partial> e = eldest.next();
            eldest.remove();
            truncated(e.getKey(), e.getValue(), "more than " + MAX_PARTIAL_SENDERS
                    + " senders had partial frames; the least recently heard one's was discarded");
        }
    }

    /** The one place frames are decoded. */
    private Message decode(byte[] frame, int offset, int length) {
        return codec.decode(frame, offset, length);
    }

    private void deliver(InetSocketAddress sender, byte[] bytes, int offset, int length) {
        Message message;
        try {
            message = decode(bytes, offset, length);
        } catch (IpcProtocolException e) {
            failure(sender, e, true);
            return;
        }
        Sinks.EmitResult r = inbound.tryEmitNext(new Datagram(sender, message));
        if (r.isSuccess()) {
            dropping = false;
        } else if (r == Sinks.EmitResult.FAIL_OVERFLOW || r == Sinks.EmitResult.FAIL_ZERO_SUBSCRIBER) {
            // the buffer is full: of a subscriber's backlog, or (zero subscribers) of what waits for the first
            dropped++; // single writer: the event loop
            if (!dropping) {
                dropping = true;
                failure(sender, new IpcOverflowException("inbound buffer full (" + inbound.currentSubscriberCount()
                        + " subscribers): messages received from now on are dropped until the slowest subscriber"
                        + " catches up; dropped() counts them"), false);
            }
        }
        // FAIL_TERMINATED, FAIL_CANCELLED: disposed meanwhile, nobody to deliver to
    }

    private void expirePartials(long now) {
        for (Iterator<Map.Entry<InetSocketAddress, Partial>> it = partials.entrySet().iterator(); it.hasNext();) {
            Map.Entry<InetSocketAddress, Partial> e = it.next();
            if (now - e.getValue().touched < partialExpiryNanos) {
                return;
            }
            it.remove();
            truncated(e.getKey(), e.getValue(), "its sender sent nothing more for " + partialExpiryNanos / 1_000_000
                    + " ms (requestTimeout); it was discarded");
        }
    }

    private void truncated(InetSocketAddress sender, Partial partial, String why) {
        if (!partial.discarding) {
            failure(sender, new IpcProtocolException(Reason.TRUNCATED_FRAME, "a partial frame of " + partial.length
                    + " bytes from " + sender + " never ended: " + why), true);
        }
    }

    private IpcProtocolException tooLarge(long bytes, boolean complete) {
        return new IpcProtocolException(Reason.FRAME_TOO_LARGE, (complete ? "frame of " + bytes + " bytes"
                : "frame of more than " + bytes + " bytes") + " exceeds maxFrameSize " + maxFrameSize
                + "; it was skipped up to the sender's next delimiter");
    }

    /** Publishes a failure; bad input ({@code tell}) is also reported to its sender, once, as an ipc.error frame. */
    private void failure(InetSocketAddress sender, IpcException error, boolean tell) {
        failures.tryEmitNext(new Failure(sender, error)); // FAIL_OVERFLOW: nobody reads failures; not kept
        Channel ch = channel;
        if (tell && ch != null && error instanceof IpcProtocolException p) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("code", "E_PROTOCOL");
            data.put("reason", p.reason().name());
            data.put("message", p.getMessage());
            ByteBuf frame;
            try {
                frame = frame(Message.of("ipc.error", data));
            } catch (IpcException unencodable) {
                return;
            }
            ch.writeAndFlush(new DatagramPacket(frame, sender), ch.voidPromise());
        }
    }

    private void heard(InetSocketAddress sender, long now) {
        synchronized (peers) {
            peers.put(sender, now);
            if (peers.size() > maxPeers) {
                Iterator<InetSocketAddress> eldest = peers.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
            expirePeers(now);
        }
    }

    /** Holding the peers' lock. */
    private void expirePeers(long now) {
        for (Iterator<Long> it = peers.values().iterator(); it.hasNext();) {
            if (now - it.next() < peerExpiryNanos) {
                return;
            }
            it.remove();
        }
    }

    // ---------------------------------------------------------------- outbound

    /** The one place frames are encoded: a new buffer holding the frame and its delimiter, checked to fit. */
    private ByteBuf frame(Message message) {
        ByteBuf buf = channel().alloc().buffer(256);
        try {
            Frames.encode(codec, message, new ByteBufOutputStream(buf), buf::readableBytes, delimiter.length,
                    maxFrameSize);
            if (buf.readableBytes() > maxDatagram) {
                throw new IpcProtocolException(Reason.FRAME_TOO_LARGE, "outbound message '" + message.type()
                        + "' is a frame of " + buf.readableBytes() + " bytes with its delimiter, over the "
                        + maxDatagram + " bytes of one " + requested.family() + " datagram; it was not sent");
            }
            return buf;
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    @Override
    public Mono<Void> emit(InetSocketAddress to, Message message) {
        check(to);
        java.util.Objects.requireNonNull(message, "message");
        return Mono.defer(() -> {
            Channel ch = channel();
            if (!ch.isActive()) {
                return Mono.error(closed(message));
            }
            ByteBuf frame = frame(message);
            return Mono.<Void>create(sink -> ch.writeAndFlush(new DatagramPacket(frame, to)).addListener(f -> {
                if (f.isSuccess()) {
                    sink.success();
                } else {
                    sink.error(ch.isActive() ? new IpcException("'" + message.type() + "' could not be sent to "
                            + to + ": " + f.cause(), f.cause()) : closed(message));
                }
            }));
        });
    }

    @Override
    public Mono<Void> send(InetSocketAddress to, Publisher<Message> messages) {
        check(to);
        java.util.Objects.requireNonNull(messages, "messages");
        return Mono.defer(() -> {
            Connection c = connection();
            if (!c.channel().isActive()) {
                return Mono.error(new IpcClosedException("the UDP socket " + address + " is closed; nothing was sent"));
            }
            // Reactor Netty's MonoSendMany: demand from the channel's writability, a flush per batch.
            return c.outbound().sendObject(Flux.from(messages).map(m -> new DatagramPacket(frame(m), to))).then();
        });
    }

    @Override
    public Mono<Void> broadcast(Message message) {
        java.util.Objects.requireNonNull(message, "message");
        return Mono.defer(() -> {
            Channel ch = channel();
            if (!ch.isActive()) {
                return Mono.error(closed(message));
            }
            ByteBuf frame = frame(message);
            return Mono.<Void>create(sink -> {
                try {
                    ch.eventLoop().execute(() -> broadcast(ch, frame, message.type(), sink));
                } catch (RejectedExecutionException e) {
                    frame.release();
                    sink.error(closed(message));
                }
            });
        });
    }

    /** On the event loop: one write per peer, one flush. */
    private void broadcast(Channel ch, ByteBuf frame, String type, MonoSink<Void> sink) {
        expirePartials(clock.getAsLong());
        List<InetSocketAddress> to = peers();
        int[] left = {to.size()};
        if (left[0] == 0) {
            frame.release();
            sink.success();
            return;
        }
        for (InetSocketAddress peer : to) {
            ch.write(new DatagramPacket(frame.retainedDuplicate(), peer)).addListener(f -> {
                if (!f.isSuccess()) {
                    failure(peer, new IpcException("broadcast '" + type + "' could not be sent to " + peer + ": "
                            + f.cause(), f.cause()), false);
                }
                if (--left[0] == 0) {
                    sink.success();
                }
            });
        }
        frame.release();
        ch.flush();
    }

    private void check(InetSocketAddress to) {
        java.util.Objects.requireNonNull(to, "to");
        if (to.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address " + to + ": resolve it first (a look-up may block)");
        }
        if (!requested.ipv6() && !(to.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("a udp4 socket cannot send to the IPv6 address " + to);
        }
    }

    private IpcClosedException closed(Message message) {
        return new IpcClosedException("the UDP socket " + address + " is closed; '" + message.type()
                + "' was not sent");
    }

    // ---------------------------------------------------------------- the rest

    @Override
    public InetSocketAddress address() {
        return java.util.Objects.requireNonNull(address);
    }

    @Override
    public int maxDatagramSize() {
        return maxDatagram;
    }

    @Override
    public Flux<Datagram> inbound() {
        return inbound.asFlux();
    }

    @Override
    public Flux<Failure> failures() {
        return failures.asFlux();
    }

    @Override
    public List<InetSocketAddress> peers() {
        synchronized (peers) {
            expirePeers(clock.getAsLong());
            return List.copyOf(new ArrayList<>(peers.keySet()));
        }
    }

    @Override
    public long dropped() {
        return dropped;
    }

    @Override
    public Mono<Void> onDispose() {
        // NIO: the port is free only once the selector dropped the channel, a moment after its close future.
        return connection().onDispose().then(NioRelease.released(channel()));
    }

    @Override
    public void dispose() {
        connection().dispose();
    }

    @Override
    public boolean isDisposed() {
        return connection().isDisposed();
    }

    private Channel channel() {
        return java.util.Objects.requireNonNull(channel);
    }

    private Connection connection() {
        return java.util.Objects.requireNonNull(connection);
    }

    @Override
    public String toString() {
        return "IpcDatagramSocket{" + requested.family() + ":" + address + "}";
    }

    /** The start of a frame from one sender, waiting for its delimiter in a later datagram. */
    private static final class Partial {
        private byte[] bytes = new byte[0];
        private int length;
        private long touched;
        /** Over maxFrameSize: skipped up to the sender's next delimiter; only a possible delimiter start is held. */
        private boolean discarding;

        /** What is held, then {@code datagram}, in a new array. */
        byte[] followedBy(byte[] datagram) {
            byte[] all = Arrays.copyOf(bytes, length + datagram.length);
            System.arraycopy(datagram, 0, all, length, datagram.length);
            return all;
        }

        /** Holds {@code from[start..]}, a copy: messages decoded from {@code from} keep that array. */
        void hold(byte[] from, int start, boolean discard) {
            bytes = Arrays.copyOfRange(from, start, from.length);
            length = bytes.length;
            discarding = discard;
        }
    }
}
