package io.reactiveipc.benchmark;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.DelimiterBasedFrameDecoder;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.reactiveipc.IpcAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The floor: plain Reactor Netty with the same framing and the same JSON work per message (Jackson encode of
 * {type, data}, Jackson readTree to learn the type), written the way the Reactor Netty docs show.
 */
final class NettyWorker {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration T = Duration.ofMinutes(5);
    private static final boolean NATIVE = LoopResources.hasNativeSupport();
    private static final LoopResources LOOPS = LoopResources.create("bench", 2, true);

    private NettyWorker() {
    }

    record Envelope(String type, Object data) {
    }

    /** A request/response frame: node-ipc's envelope with a correlation member, rid on requests, re on replies. */
    record Request(String type, Object data, long rid) {
    }

    record Reply(String type, Object data, long re) {
    }

    static ByteBuf encode(Channel ch, String type, Object data) {
        return encode(ch, new Envelope(type, data));
    }

    static ByteBuf encode(Channel ch, Record frame) {
        ByteBuf b = ch.alloc().ioBuffer();
        try {
            MAPPER.writeValue((java.io.OutputStream) new ByteBufOutputStream(b), frame);
        } catch (RuntimeException e) {
            b.release();
            throw e;
        }
        return b.writeByte('\f');
    }

    static JsonNode decode(ByteBuf frame) {
        return MAPPER.readTree((java.io.InputStream) new ByteBufInputStream(frame));
    }

    static DelimiterBasedFrameDecoder framing() {
        return new DelimiterBasedFrameDecoder(1 << 20, Unpooled.wrappedBuffer(new byte[] {'\f'}));
    }

    /**
     * Writes on the channel's event loop and flushes once that loop has handled what it read: one write system call
     * for all the replies (or requests sent from replies) of a read, as Netty's echo examples flush on read
     * complete. Made on first use, kept as a channel attribute: connections that never use it carry nothing (the
     * idle scenario counts a handler in the pipeline, or a field in the server's handler, per connection).
     */
    static final class BatchFlush {

        private static final AttributeKey<BatchFlush> KEY = AttributeKey.valueOf("bench.batchFlush");

        private final Channel ch;
        private boolean scheduled;

        private BatchFlush(Channel ch) {
            this.ch = ch;
        }

        /** On the channel's event loop. */
        static void write(Channel ch, ByteBuf frame) {
            Attribute<BatchFlush> a = ch.attr(KEY);
            BatchFlush f = a.get();
            if (f == null) {
                f = new BatchFlush(ch);
                a.set(f);
            }
            f.write(frame);
        }

        private void write(ByteBuf frame) {
            ch.write(frame);
            if (!scheduled) {
                scheduled = true;
                ch.eventLoop().execute(this::flush);
            }
        }

        private void flush() {
            scheduled = false;
            ch.flush();
        }
    }

    static SocketAddress socketAddress(IpcAddress address) {
        if (address instanceof IpcAddress.Unix u) {
            return NATIVE ? new DomainSocketAddress(u.path().toString()) : UnixDomainSocketAddress.of(u.path());
        }
        IpcAddress.Tcp t = (IpcAddress.Tcp) address;
        return new InetSocketAddress(t.host(), t.port());
    }

    static void server(IpcAddress address) {
        long[] count = {0};
        io.netty.channel.group.ChannelGroup group =
                new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
        TcpServer tcp = TcpServer.create().runOn(LOOPS, NATIVE).bindAddress(() -> socketAddress(address));
        if (Worker.TLS) {
            io.netty.handler.ssl.SslContext ctx = BenchTls.serverContext();
            tcp = tcp.secure(spec -> spec.sslContext(ctx));
        }
        tcp.doOnConnection(c -> c.addHandlerLast(framing()))
                .handle((in, out) -> {
                    AtomicReference<Channel> channel = new AtomicReference<>();
                    in.withConnection(c -> {
                        channel.set(c.channel());
                        group.add(c.channel());
                    });
                    return in.receive().doOnNext(frame -> {
                        JsonNode n = decode(frame);
                        Channel ch = channel.get();
                        switch (n.get("type").asString()) {
                            case "m" -> count[0]++;
                            case "ping" -> ch.writeAndFlush(encode(ch, "pong", n.get("data")));
                            case "echo" ->
                                BatchFlush.write(ch, encode(ch, new Reply("echo", n.get("data"), n.get("rid").asLong())));
                            case "sync" -> ch.writeAndFlush(encode(ch, "ack", count[0]));
                            case "stats" -> ch.writeAndFlush(encode(ch, "stats", Map.of("rssKb", Protocol.peakRssKb())));
                            case "mem" -> {
                                Map<String, Object> reply = new java.util.HashMap<>(Protocol.memoryReply());
                                reply.put("connections", group.size()); // a closed channel leaves the group
                                ch.writeAndFlush(encode(ch, "mem", reply));
                            }
                            case "fanout" -> {
                                // The Netty idiom: encode once, ChannelGroup writes a duplicate to each channel.
                                int times = n.get("data").get("n").asInt();
                                for (int i = 0; i < times; i++) {
                                    group.write(encode(ch, "b", Protocol.PAYLOAD));
                                    if (i % 256 == 255) {
                                        group.flush();
                                    }
                                }
                                group.flush();
                            }
                            default -> { }
                        }
                    }).then();
                })
                .bindNow(T);
        System.out.println("{\"event\":\"ready\"}");
        Mono.never().block();
    }

    static void fanout(IpcAddress address, int count, int warmup, int clients) {
        java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong goal = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        java.util.concurrent.atomic.AtomicReference<Sinks.Empty<Void>> reached =
                new java.util.concurrent.atomic.AtomicReference<>(Sinks.empty());
        Sinks.Many<JsonNode> replies = Sinks.many().multicast().onBackpressureBuffer();
        java.util.List<Connection> all = new java.util.ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Connection conn = TcpClient.newConnection().runOn(LOOPS, NATIVE).remoteAddress(() -> socketAddress(address))
                    .doOnConnected(c -> c.addHandlerLast(framing()))
                    .connectNow(T);
            conn.inbound().receive().subscribe(frame -> {
                JsonNode n = decode(frame);
                if (n.get("type").asString().equals("b")) {
                    if (received.incrementAndGet() == goal.get()) {
                        reached.get().tryEmitEmpty();
                    }
                } else {
                    synchronized (replies) {
                        replies.tryEmitNext(n);
                    }
                }
            });
            all.add(conn);
        }
        Channel ch = all.get(0).channel();
        Flux<JsonNode> inbound = replies.asFlux();
        java.util.function.IntConsumer phase = n -> {
            Sinks.Empty<Void> done = Sinks.empty();
            reached.set(done);
            goal.set(received.get() + (long) n * clients);
            ch.writeAndFlush(encode(ch, "fanout", Map.of("n", n)));
            done.asMono().block(T);
        };
        phase.accept(warmup);
        long t0 = System.nanoTime();
        phase.accept(count);
        double seconds = (System.nanoTime() - t0) / 1e9;
        String result = Protocol.fanoutJson(clients, count, seconds, Protocol.peakRssKb(),
                request(ch, inbound, "stats").get("rssKb").asLong());
        all.forEach(Connection::disposeNow);
        System.out.println(result);
    }

    /**
     * {@code connections} connections, each after one round trip, then idle: memory per connection. As many are
     * opened and closed once first (see IpcWorker.idle).
     */
    static void idle(IpcAddress address, int connections) {
        Sinks.Many<JsonNode> replies = Sinks.many().unicast().onBackpressureBuffer();
        Connection control = TcpClient.newConnection().runOn(LOOPS, NATIVE).remoteAddress(() -> socketAddress(address))
                .doOnConnected(c -> c.addHandlerLast(framing()))
                .connectNow(T);
        control.inbound().receive().subscribe(frame -> replies.tryEmitNext(decode(frame)));
        Flux<JsonNode> inbound = replies.asFlux().publish().autoConnect(0);
        Channel ch = control.channel();
        openIdle(address, connections).forEach(Connection::disposeNow);
        while (Protocol.memory(request(ch, inbound, "mem"))[3] != 1) {
            Thread.onSpinWait(); // each check is a round trip to the server
        }
        long[] serverBefore = Protocol.memory(request(ch, inbound, "mem"));
        long[] clientBefore = Protocol.memory();
        java.util.List<Connection> idle = openIdle(address, connections);
        long[] clientAfter = Protocol.memory();
        long[] serverAfter = Protocol.memory(request(ch, inbound, "mem"));
        System.out.println(Protocol.idleJson(connections, serverBefore, serverAfter, clientBefore, clientAfter));
        idle.forEach(Connection::disposeNow);
        control.disposeNow();
    }

    private static java.util.List<Connection> openIdle(IpcAddress address, int connections) {
        return Flux.range(0, connections)
                .flatMap(i -> TcpClient.newConnection().runOn(LOOPS, NATIVE).remoteAddress(() -> socketAddress(address))
                        .doOnConnected(c -> c.addHandlerLast(framing()))
                        .connect()
                        .flatMap(c -> {
                            Mono<JsonNode> pong = c.inbound().receive().map(NettyWorker::decode).next();
                            c.channel().writeAndFlush(encode(c.channel(), "ping", "hello"));
                            return pong.thenReturn(c);
                        }), 64)
                .collectList().block(T);
    }

    static void client(IpcAddress address, String scenario, int count, int warmup) {
        Sinks.Many<JsonNode> replies = Sinks.many().unicast().onBackpressureBuffer();
        TcpClient tcp = TcpClient.newConnection().runOn(LOOPS, NATIVE).remoteAddress(() -> socketAddress(address));
        if (Worker.TLS) {
            io.netty.handler.ssl.SslContext ctx = BenchTls.clientContext();
            tcp = tcp.secure(spec -> spec.sslContext(ctx));
        }
        Connection conn = tcp.doOnConnected(c -> c.addHandlerLast(framing()))
                .connectNow(T);
        Channel ch = conn.channel();
        PingPong pings = new PingPong(() -> ch.writeAndFlush(encode(ch, "ping", Protocol.PAYLOAD)));
        conn.inbound().receive().subscribe(frame -> {
            JsonNode n = decode(frame);
            if (n.get("type").asString().equals("pong")) {
                pings.pong();
            } else {
                replies.tryEmitNext(n);
            }
        });
        Flux<JsonNode> inbound = replies.asFlux().publish().autoConnect(0);
        String result;
        if (scenario.equals("throughput")) {
            for (int left = warmup; left > 0; left -= Protocol.WARMUP_ROUND) {
                send(conn, Math.min(left, Protocol.WARMUP_ROUND));
                request(ch, inbound, "sync");
            }
            long before = request(ch, inbound, "sync").asLong();
            long t0 = System.nanoTime();
            send(conn, count);
            long after = request(ch, inbound, "sync").asLong();
            double seconds = (System.nanoTime() - t0) / 1e9;
            result = Protocol.throughputJson(count, after - before, seconds, Protocol.peakRssKb(),
                    request(ch, inbound, "stats").get("rssKb").asLong());
        } else {
            result = RoundTrips.measure("rtt", pings, count, warmup,
                    () -> request(ch, inbound, "stats").get("rssKb").asLong());
        }
        conn.disposeNow();
        System.out.println(result);
    }

    /**
     * Request/response correlated by hand: each request carries a new rid, its MonoSink waits in a map until the
     * reply with that re arrives. Requests sent as a reply completes (on the event loop) are flushed together after
     * the read; the first ones, from the main thread, at once.
     */
    static void rr(IpcAddress address, String scenario, int count, int warmup, int inFlight) {
        Map<Long, MonoSink<JsonNode>> pending = new ConcurrentHashMap<>();
        AtomicLong rids = new AtomicLong();
        Sinks.Many<JsonNode> replies = Sinks.many().unicast().onBackpressureBuffer();
        Connection conn = TcpClient.newConnection().runOn(LOOPS, NATIVE).remoteAddress(() -> socketAddress(address))
                .doOnConnected(c -> c.addHandlerLast(framing()))
                .connectNow(T);
        Channel ch = conn.channel();
        conn.inbound().receive().subscribe(frame -> {
            JsonNode n = decode(frame);
            JsonNode re = n.get("re");
            if (re != null) {
                pending.remove(re.asLong()).success(n.get("data"));
            } else {
                replies.tryEmitNext(n);
            }
        });
        Flux<JsonNode> inbound = replies.asFlux().publish().autoConnect(0);
        Supplier<Mono<JsonNode>> echo = () -> Mono.create(sink -> {
            long rid = rids.incrementAndGet();
            pending.put(rid, sink);
            ByteBuf frame = encode(ch, new Request("echo", Protocol.PAYLOAD, rid));
            if (ch.eventLoop().inEventLoop()) {
                BatchFlush.write(ch, frame);
            } else {
                ch.writeAndFlush(frame);
            }
        });
        LongSupplier serverRss = () -> request(ch, inbound, "stats").get("rssKb").asLong();
        String result = scenario.equals("rr-rtt") ? RequestResponse.rtt(echo, count, warmup, serverRss)
                : RequestResponse.throughput(echo, count, warmup, inFlight, serverRss);
        conn.disposeNow();
        System.out.println(result);
    }

    /** Per-message writes through Reactor Netty's sendObject, which flushes in bursts. */
    private static void send(Connection conn, int n) {
        Channel ch = conn.channel();
        conn.outbound().sendObject(Flux.range(0, n).map(x -> encode(ch, "m", Protocol.PAYLOAD))).then().block(T);
    }

    private static JsonNode request(Channel ch, Flux<JsonNode> inbound, String type) {
        Mono<JsonNode> reply = inbound.next().cache();
        reply.subscribe();
        ch.writeAndFlush(encode(ch, type, Map.of()));
        return reply.block(T).get("data");
    }
}
