package io.reactiveipc.benchmark;

import tools.jackson.databind.JsonNode;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcDatagramSocket.Datagram;
import io.reactiveipc.Message;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * UDP one-way with the public API: {@code ipc server udp4 <host:port>} counts {@code m} messages and answers
 * {@code sync {seq}} with {@code ack {seq, count, dropped}}; {@code ipc client udp4 <host:port> udp <count> <warmup>}
 * sends as fast as its socket takes them ({@code send(to, Flux)}), then syncs. UDP may drop (the kernel, when the
 * receiver's socket buffer is full; or the receiver's inbound buffer): the result is the delivered rate and the loss.
 * A sync may be lost too, so it is sent again every 20 ms until its ack arrives.
 */
final class UdpWorker {

    private static final IpcConfig CONFIG = IpcConfig.builder().silent(true).build();
    private static final Duration T = Duration.ofMinutes(5);
    private static final Duration SYNC_AGAIN = Duration.ofMillis(20);

    private UdpWorker() {
    }

    static void run(String[] args) {
        String[] hostPort = args[3].split(":");
        InetSocketAddress address = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
        if (args[1].equals("server")) {
            receiver(address);
        } else {
            // args[7]: the node-ipc client's own port, unused here (we bind port 0)
            sender(address, Integer.parseInt(args[5]), Integer.parseInt(args[6]),
                    args.length > 8 ? Integer.parseInt(args[8]) : 0);
        }
    }

    static void receiver(InetSocketAddress at) {
        IpcDatagramSocket s = IpcDatagramSocket.bind(IpcAddress.udp4(at.getHostString(), at.getPort()), CONFIG)
                .block(T);
        long[] count = {0};
        s.inbound().subscribe(d -> {
            Message m = d.message();
            if (m.isType("m")) {
                count[0]++; // on the socket's one event loop
            } else if (m.isType("sync")) {
                s.emit(d.sender(), "ack", Map.of("seq", m.data().get("seq").asLong(), "count", count[0],
                        "dropped", s.dropped())).subscribe();
            } else if (m.isType("stats")) {
                s.emit(d.sender(), "stats", Map.of("rssKb", Protocol.peakRssKb())).subscribe();
            }
        });
        System.out.println("{\"event\":\"ready\"}");
        s.onDispose().block();
    }

    /** {@code round}: 0 sends all at once; else rounds of that many, each synced before the next. */
    static void sender(InetSocketAddress to, int count, int warmup, int round) {
        IpcDatagramSocket s = IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", 0), CONFIG).block(T);
        long[] seq = {0};
        for (int left = warmup; left > 0; left -= Protocol.WARMUP_ROUND) {
            send(s, to, Math.min(left, Protocol.WARMUP_ROUND), round, seq).then(ask(s, to, "sync", seq)).block(T);
        }
        JsonNode before = ask(s, to, "sync", seq).block(T);
        long t0 = System.nanoTime();
        send(s, to, count, round, seq).block(T);
        double sendSeconds = (System.nanoTime() - t0) / 1e9;
        JsonNode after = ask(s, to, "sync", seq).block(T);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long delivered = after.get("count").asLong() - before.get("count").asLong();
        long serverRss = ask(s, to, "stats", seq).block(T).get("rssKb").asLong();
        System.out.println(String.format(Locale.ROOT,
                "{\"scenario\":\"udp\",\"round\":%d,\"messages\":%d,\"delivered\":%d,\"loss\":%.6f,"
                        + "\"seconds\":%.4f,\"rate\":%.0f,\"sendRate\":%.0f,\"inboundDropped\":%d,"
                        + "\"clientRssKb\":%d,\"serverRssKb\":%d}",
                round, count, delivered, 1 - (double) delivered / count, seconds, delivered / seconds,
                count / sendSeconds, after.get("dropped").asLong() - before.get("dropped").asLong(),
                Protocol.peakRssKb(), serverRss));
        s.disposeNow(T);
    }

    /** As one reactive chain: a paced round follows its sync's ack on the socket's thread, without a thread hop. */
    private static Mono<Void> send(IpcDatagramSocket s, InetSocketAddress to, int n, int round, long[] seq) {
        if (round == 0) {
            return s.send(to, Flux.range(0, n).map(i -> Message.of("m", Protocol.PAYLOAD)));
        }
        return Flux.range(0, (n + round - 1) / round)
                .concatMap(r -> s.send(to, Flux.range(0, Math.min(round, n - r * round))
                        .map(i -> Message.of("m", Protocol.PAYLOAD))).then(ask(s, to, "sync", seq)))
                .then();
    }

    /** {@code type {seq}}, sent again every 20 ms until the answer of the same type (ack for sync) with that seq. */
    private static Mono<JsonNode> ask(IpcDatagramSocket s, InetSocketAddress to, String type, long[] seq) {
        return Mono.defer(() -> {
            long id = ++seq[0];
            String answer = type.equals("sync") ? "ack" : type;
            Mono<Datagram> reply = s.on(answer)
                    .filter(d -> !answer.equals("ack") || d.message().data().get("seq").asLong() == id)
                    .next().cache();
            reply.subscribe();
            return Mono.defer(() -> s.emit(to, type, Map.of("seq", id)))
                    .then(reply.timeout(SYNC_AGAIN))
                    .retryWhen(Retry.indefinitely().filter(e -> e instanceof TimeoutException))
                    .map(d -> d.message().data());
        });
    }
}
