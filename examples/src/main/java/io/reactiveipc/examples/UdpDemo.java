package io.reactiveipc.examples;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcDatagramSocket.Datagram;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * node-ipc's UDP: every end binds a socket ({@code serveNet(host, port, 'udp4')}); "world" answers each ping to its
 * sender, then broadcasts to every peer it has heard from. Run: {@code UdpDemo}.
 *
 * <p>UDP promises nothing: any datagram may be lost (on a busy machine, even over loopback, when a socket's receive
 * buffer is full), and nothing tells the sender. So each end does what a UDP program must: it asks again until
 * answered. A peer sends its ping every {@link #ASK_AGAIN} until world's pong for it arrives; world broadcasts its
 * news every {@link #ASK_AGAIN} until both peers have said thanks. Copies are harmless: world answers every ping it
 * gets, and an answer is taken by its content, once.
 */
public final class UdpDemo {

    private static final Duration T = Duration.ofSeconds(10);
    /** How long an end waits for an answer before it sends again. */
    static final Duration ASK_AGAIN = Duration.ofMillis(200);
    /** Sends of one message before giving up (5 s at {@link #ASK_AGAIN}). */
    static final int ATTEMPTS = 25;

    private UdpDemo() {
    }

    /** What the two peers received, in order, as "peer: type data". */
    public static List<String> run() {
        IpcConfig config = IpcConfig.builder().silent(true).build();
        IpcDatagramSocket world = IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", 0), config).block(T);
        IpcDatagramSocket hello = IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", 0), config).block(T);
        IpcDatagramSocket other = IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", 0), config).block(T);
        try {
            InetSocketAddress w = world.address();
            System.out.println("udp: world on " + w + ", hello on " + hello.address() + ", other on "
                    + other.address());
            // node-ipc's server.on('ping', (data, socket) => server.emit(socket, 'pong', data)): every copy answered
            world.on("ping").flatMap(d -> world.emit(d.sender(), "pong", d.data(String.class) + " world!")).subscribe();
            // the peers that said thanks for the news, whichever copy they got
            Set<InetSocketAddress> both = Set.of(hello.address(), other.address());
            Mono<Set<InetSocketAddress>> thanked = world.on("thanks").map(Datagram::sender).filter(both::contains)
                    .scan((Set<InetSocketAddress>) new HashSet<InetSocketAddress>(), (seen, peer) -> {
                        seen.add(peer);
                        return seen;
                    })
                    .filter(seen -> seen.size() == both.size()).next().cache();
            thanked.subscribe();
            // each peer thanks world for every copy of the news (a thanks may be lost too) and keeps the first
            Mono<String> helloNews = news(hello, w);
            Mono<String> otherNews = news(other, w);

            List<String> got = new ArrayList<>();
            for (String s : List.of("a", "b", "c")) {
                got.add("hello: pong " + ask(hello, w, s).block(T));
            }
            got.add("other: pong " + ask(other, w, "I am here").block(T));
            // world has heard from both: a broadcast reaches them, and is sent again until both have thanked
            System.out.println("udp: world's peers " + world.peers());
            world.broadcast("news", "to every peer heard from")
                    .then(thanked.timeout(ASK_AGAIN))
                    .doOnError(e -> System.out.println("udp: not every peer thanked for the news yet, sending it again"))
                    .retry(ATTEMPTS - 1)
                    .block(T);
            got.add("hello: news " + helloNews.block(T));
            got.add("other: news " + otherNews.block(T));
            got.forEach(line -> System.out.println("udp: " + line));
            return got;
        } finally {
            world.disposeNow(T);
            hello.disposeNow(T);
            other.disposeNow(T);
        }
    }

    /** Sends a ping from {@code from} until {@code to}'s pong for it arrives; the pong's text. */
    static Mono<String> ask(IpcDatagramSocket from, InetSocketAddress to, String text) {
        String expected = text + " world!";
        // listening first, then sending: the pong cannot come before anyone waits for it
        Mono<String> pong = from.on("pong").filter(d -> d.sender().equals(to)).map(d -> d.data(String.class))
                .filter(expected::equals).next();
        return Mono.zip(pong, from.emit(to, "ping", text).thenReturn(true), (answer, sent) -> answer)
                .timeout(ASK_AGAIN)
                .doOnError(e -> System.out.println("udp: no pong for " + text + " yet, asking again"))
                .retry(ATTEMPTS - 1);
    }

    /** The first news {@code peer} gets from {@code world}; it thanks world for every copy. */
    private static Mono<String> news(IpcDatagramSocket peer, InetSocketAddress world) {
        Mono<String> first = peer.on("news").filter(d -> d.sender().equals(world)).map(d -> d.data(String.class))
                .next().cache();
        first.subscribe();
        peer.on("news").filter(d -> d.sender().equals(world))
                .flatMap(d -> peer.emit(world, "thanks", "got it"))
                .subscribe();
        return first;
    }

    public static void main(String[] args) {
        run();
    }
}
