package io.reactiveipc.benchmark;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import java.time.Duration;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** Reactive IPC as a user writes it: the public API only. */
final class IpcWorker {

    /** Room for the idle scenario's 1,000 connections (node-ipc's default, and ours, is 100). */
    static final IpcConfig CONFIG = metrics(IpcConfig.builder().silent(true).retry(50).maxConnections(2000))
            .delivery(Boolean.getBoolean("bench.ack") ? io.reactiveipc.Delivery.ACKNOWLEDGED
                    : io.reactiveipc.Delivery.PLAIN).build();
    private static final Duration T = Duration.ofMinutes(5);

    private IpcWorker() {
    }

    /** {@code -Dbench.metrics=true} (the "reactive-ipc-metrics" cells): Micrometer meters in a simple registry. */
    private static IpcConfig.Builder metrics(IpcConfig.Builder config) {
        return Boolean.getBoolean("bench.metrics")
                ? config.metrics(io.reactiveipc.micrometer.MicrometerIpcMetrics.recorder(
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry()))
                : config;
    }

    static void server(IpcAddress address) {
        IpcServer server = (Worker.TLS ? IpcServer.bind(BenchTls.transport("server"), address, CONFIG)
                : IpcServer.bind(address, CONFIG)).block(T);
        long[] count = {0};
        java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
        server.connections().subscribe(c -> {
            open.incrementAndGet();
            c.onDispose().subscribe(null, null, open::decrementAndGet);
        });
        // the request itself is the answer: an echo without parsing the data, the cheapest a user can write
        server.handle("echo", in -> Mono.just(in.message()));
        server.inbound().subscribe(in -> {
            Message m = in.message();
            if (m.isType("m")) {
                count[0]++; // one event loop per connection; the benchmark has one client
            } else if (m.isType("ping")) {
                in.connection().outbound().tryEmitNext(m.withType("pong"));
            } else if (m.isType("sync")) {
                in.connection().outbound().tryEmitNext(Message.of("ack", count[0]));
            } else if (m.isType("fanout")) {
                // a stream with back pressure, a new message each time (the baseline encodes each one too)
                int n = m.data().get("n").asInt();
                server.broadcast(Flux.range(0, n).map(i -> Message.of("b", Protocol.PAYLOAD))).subscribe();
            } else if (m.isType("mem")) {
                Map<String, Object> reply = new java.util.HashMap<>(Protocol.memoryReply());
                reply.put("connections", open.get());
                in.connection().outbound().tryEmitNext(Message.of("mem", reply));
            } else if (m.isType("stats")) {
                in.connection().outbound().tryEmitNext(Message.of("stats", Map.of("rssKb", Protocol.peakRssKb())));
            }
        });
        System.out.println("{\"event\":\"ready\"}");
        server.onDispose().block();
    }

    /** {@code clients} connections in this process; the server broadcasts to all of them. */
    static void fanout(IpcAddress address, int count, int warmup, int clients) {
        java.util.List<IpcClient> all = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<long[]> goal = new java.util.concurrent.atomic.AtomicReference<>(
                new long[] {Long.MAX_VALUE});
        java.util.concurrent.atomic.AtomicReference<Sinks.Empty<Void>> reached =
                new java.util.concurrent.atomic.AtomicReference<>(Sinks.empty());
        for (int i = 0; i < clients; i++) {
            IpcClient c = IpcClient.connect("bench-" + i, address, CONFIG);
            c.on("b").subscribe(m -> {
                if (received.incrementAndGet() == goal.get()[0]) {
                    reached.get().tryEmitEmpty();
                }
            });
            all.add(c);
        }
        for (IpcClient c : all) {
            c.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);
        }
        IpcClient first = all.get(0);
        java.util.function.IntConsumer phase = n -> {
            Sinks.Empty<Void> done = Sinks.empty();
            reached.set(done);
            goal.set(new long[] {received.get() + (long) n * clients});
            emit(first, Message.of("fanout", Map.of("n", n)));
            done.asMono().block(T);
        };
        phase.accept(warmup);
        long t0 = System.nanoTime();
        phase.accept(count);
        double seconds = (System.nanoTime() - t0) / 1e9;
        String result = Protocol.fanoutJson(clients, count, seconds, Protocol.peakRssKb(), serverRss(first));
        all.forEach(c -> c.disposeNow(T));
        System.out.println(result);
    }

    /**
     * The throughput scenario for {@code seconds}: rounds of 1,000,000 messages, each checked against the server's
     * count (nothing lost), and every {@code sampleSeconds} a sample of memory after full collections on both sides.
     * Prints a JSON line per sample and one at the end.
     */
    static void soak(IpcAddress address, int seconds, int sampleSeconds) {
        IpcClient client = IpcClient.connect("bench", address, CONFIG);
        client.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);
        int round = 1_000_000;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long nextSample = start;
        long sent = 0;
        long lastSent = 0;
        long lastTime = start;
        long base = sync(client);
        long received = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= nextSample || now >= end) {
                long[] server = serverMemory(client);
                long[] mine = Protocol.memory();
                System.out.println(String.format(java.util.Locale.ROOT,
                        "{\"event\":\"sample\",\"seconds\":%.0f,\"messages\":%d,\"rate\":%.0f,"
                                + "\"serverHeapKb\":%d,\"serverRssKb\":%d,\"clientHeapKb\":%d,\"clientRssKb\":%d}",
                        (now - start) / 1e9, sent, (sent - lastSent) / Math.max((now - lastTime) / 1e9, 1e-9),
                        server[1], server[0], mine[1], mine[0]));
                lastSent = sent;
                lastTime = System.nanoTime();
                nextSample = now + sampleSeconds * 1_000_000_000L;
                if (now >= end) {
                    break;
                }
            }
            client.send(Flux.range(0, round).map(i -> Message.of("m", Protocol.PAYLOAD))).block(T);
            sent += round;
            received = sync(client) - base;
            if (received != sent) {
                throw new IllegalStateException("sent " + sent + ", the server counted " + received);
            }
        }
        System.out.println(String.format(java.util.Locale.ROOT,
                "{\"scenario\":\"soak\",\"messages\":%d,\"received\":%d,\"seconds\":%.0f}", sent, received,
                (System.nanoTime() - start) / 1e9));
        client.disposeNow(T);
    }

    /**
     * {@code connections} clients, each after one round trip, then idle: memory per connection on both sides. The
     * same number is opened and closed once first, so that what the first connections cost once (compiled code,
     * the allocator's arenas and chunks) is not counted per connection.
     */
    static void idle(IpcAddress address, int connections) {
        IpcClient control = IpcClient.connect("bench", address, CONFIG);
        control.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);
        openIdle(address, connections).forEach(c -> c.disposeNow(T));
        while (serverMemory(control)[3] != 1) {
            Thread.onSpinWait(); // each check is a round trip to the server
        }
        long[] serverBefore = serverMemory(control);
        long[] clientBefore = Protocol.memory();
        java.util.List<IpcClient> idle = openIdle(address, connections);
        long[] clientAfter = Protocol.memory();
        long[] serverAfter = serverMemory(control);
        if (serverAfter[3] != connections + 1) {
            throw new IllegalStateException("the server holds " + serverAfter[3] + " connections, not "
                    + (connections + 1));
        }
        System.out.println(Protocol.idleJson(connections, serverBefore, serverAfter, clientBefore, clientAfter));
        idle.forEach(c -> c.disposeNow(T));
        control.disposeNow(T);
    }

    private static java.util.List<IpcClient> openIdle(IpcAddress address, int connections) {
        java.util.List<IpcClient> idle = new java.util.ArrayList<>();
        for (int i = 0; i < connections; i++) {
            idle.add(IpcClient.connect("idle-" + i, address, CONFIG));
        }
        Flux.fromIterable(idle)
                // the pong is subscribed first; send(...) is a Mono<Void>, and zip with an empty Mono would end at once
                .flatMap(c -> Mono.zip(c.on("pong").next(), c.send(Message.of("ping", "hello")).thenReturn(c)), 64)
                .blockLast(T);
        return idle;
    }

    private static long[] serverMemory(IpcClient client) {
        Mono<Message> mem = client.on("mem").next().cache();
        mem.subscribe();
        emit(client, Message.of("mem"));
        return Protocol.memory(mem.block(T).data());
    }

    static void client(IpcAddress address, String scenario, int count, int warmup) {
        IpcClient client = Worker.TLS ? IpcClient.connect(BenchTls.transport("client"), "bench", address, CONFIG)
                : IpcClient.connect("bench", address, CONFIG);
        client.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);
        String result = scenario.equals("throughput") ? throughput(client, count, warmup) : rtt(client, count, warmup);
        client.disposeNow(T);
        System.out.println(result);
    }

    /** Request/response as a user writes it: {@code request} and the answer's data. */
    static void rr(IpcAddress address, String scenario, int count, int warmup, int inFlight) {
        IpcClient client = IpcClient.connect("bench", address, CONFIG);
        client.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);
        java.util.function.Supplier<Mono<tools.jackson.databind.JsonNode>> echo =
                () -> client.request("echo", Protocol.PAYLOAD).map(Message::data);
        java.util.function.LongSupplier serverRss = () -> serverRss(client);
        String result = scenario.equals("rr-rtt") ? RequestResponse.rtt(echo, count, warmup, serverRss)
                : RequestResponse.throughput(echo, count, warmup, inFlight, serverRss);
        client.disposeNow(T);
        System.out.println(result);
    }

    private static long sync(IpcClient client) {
        Mono<Message> ack = client.on("ack").next().cache();
        ack.subscribe();
        emit(client, Message.of("sync"));
        return ack.block(T).data(Long.class);
    }

    private static long serverRss(IpcClient client) {
        Mono<Message> stats = client.on("stats").next().cache();
        stats.subscribe();
        emit(client, Message.of("stats"));
        return stats.block(T).data().get("rssKb").asLong();
    }

    /** Fire and forget at full speed: when the queue is full, wait for room (the user's choice of policy). */
    private static void emit(IpcClient client, Message m) {
        Sinks.Many<Message> out = client.outbound();
        while (out.tryEmitNext(m) != Sinks.EmitResult.OK) {
            Thread.onSpinWait();
        }
    }

    private static String throughput(IpcClient client, int count, int warmup) {
        // A stream of new messages, as real traffic: nothing is encoded once and reused. send(Flux) is demand
        // driven, as the Reactor Netty baseline's sendObject(Flux): no producer thread spins on a full queue.
        for (int left = warmup; left > 0; left -= Protocol.WARMUP_ROUND) {
            client.send(Flux.range(0, Math.min(left, Protocol.WARMUP_ROUND)).map(i -> Message.of("m", Protocol.PAYLOAD)))
                    .block(T);
            sync(client);
        }
        long before = sync(client);
        long t0 = System.nanoTime();
        client.send(Flux.range(0, count).map(i -> Message.of("m", Protocol.PAYLOAD))).block(T);
        long after = sync(client);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return Protocol.throughputJson(count, after - before, seconds, Protocol.peakRssKb(), serverRss(client));
    }

    /** One ping in flight; the next leaves from the event loop that received the pong ({@link PingPong}). */
    private static String rtt(IpcClient client, int count, int warmup) {
        PingPong pings = new PingPong(() -> client.outbound().tryEmitNext(Message.of("ping", Protocol.PAYLOAD)));
        client.on("pong").subscribe(m -> pings.pong());
        return RoundTrips.measure("rtt", pings, count, warmup, () -> serverRss(client));
    }
}
