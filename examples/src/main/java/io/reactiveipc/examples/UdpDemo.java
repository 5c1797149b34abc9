package io.reactiveipc.examples;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcDatagramSocket.Datagram;
import io.reactiveipc.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * node-ipc's UDP: every end binds a socket ({@code serveNet(host, port, 'udp4')}); "world" answers each ping to its
 * sender, then broadcasts to every peer it has heard from. Run: {@code UdpDemo}.
 */
public final class UdpDemo {

    private static final Duration T = Duration.ofSeconds(10);

    private UdpDemo() {
    }

    /** What the two peers received, in order, as "peer: type data". */
    public static List<String> run() {
        IpcConfig config = IpcConfig.builder().silent(true).build();
        IpcDatagramSocket world = IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", 0), config).block(T);
        IpcDatagramSocket hello = IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", 0), config).block(T);
        IpcDatagramSocket other = IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", 0), config).block(T);
        try {
            System.out.println("udp: world on " + world.address() + ", hello on " + hello.address()
                    + ", other on " + other.address());
            // node-ipc's server.on('ping', (data, socket) => server.emit(socket, 'pong', data))
            world.on("ping").flatMap(d -> world.emit(d.sender(), "pong", d.data(String.class) + " world!")).subscribe();
            // what world receives, to know when both have been heard from
            Mono<List<Datagram>> worldHeard = world.inbound().take(4).collectList().cache();
            worldHeard.subscribe();

            List<String> got = new ArrayList<>();
            Mono<List<String>> helloGot = hello.inbound().map(d -> "hello: " + d.type() + " " + d.data(String.class))
                    .take(4).collectList().cache();
            helloGot.subscribe();
            Mono<Datagram> otherGot = other.on("news").next().cache();
            otherGot.subscribe();

            // a stream of pings, each answered to its sender, and a hello from the other peer
            hello.send(world.address(), Flux.just("a", "b", "c").map(s -> Message.of("ping", s))).block(T);
            other.emit(world.address(), "hi", "I am here").block(T);
            worldHeard.block(T);
            System.out.println("udp: world's peers " + world.peers());
            world.broadcast("news", "to every peer heard from").block(T);

            got.addAll(helloGot.block(T));
            Datagram news = otherGot.block(T);
            got.add("other: " + news.type() + " " + news.data(String.class));
            got.forEach(line -> System.out.println("udp: " + line));
            return got;
        } finally {
            world.disposeNow(T);
            hello.disposeNow(T);
            other.disposeNow(T);
        }
    }

    public static void main(String[] args) {
        run();
    }
}
