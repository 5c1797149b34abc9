package io.reactiveipc.interop;

import static io.reactiveipc.interop.Interop.START;
import static io.reactiveipc.interop.Interop.T;
import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcDatagramSocket.Datagram;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;

/**
 * Java UDP sockets and node-ipc's {@code serveNet(host, port, 'udp4' | 'udp6')} (node-peers/udp-peer.mjs), both ways:
 * node-ipc 14 and 10 x udp4 on 127.0.0.1 and udp6 on ::1.
 */
class UdpInteropTest {

    static final IpcConfig QUIET = IpcConfig.builder().silent(true).build();

    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    static Stream<Arguments> matrix() {
        return Stream.of("14", "10").flatMap(v -> Stream.of("udp4", "udp6").map(f -> Arguments.of(v, f)));
    }

    static String host(String family) {
        return family.equals("udp6") ? "::1" : "127.0.0.1";
    }

    IpcDatagramSocket bind(String family) {
        IpcAddress.Udp address = family.equals("udp6") ? IpcAddress.udp6("::1", 0) : IpcAddress.udp4("127.0.0.1", 0);
        IpcDatagramSocket s = IpcDatagramSocket.bind(address, QUIET).block(T);
        open.add(() -> s.disposeNow(T));
        return s;
    }

    /** A node-ipc UDP peer on a port free now (node-ipc binds 8000 when given 0), bound when this returns. */
    InetSocketAddress node(String version, String family, IpcDatagramSocket target) {
        int port = freePort(family);
        String address = "[" + host(family) + "]:" + port;
        NodePeer peer = target == null ? NodePeer.script("udp-peer.mjs", version, family, address)
                : NodePeer.script("udp-peer.mjs", version, family, address,
                        "[" + host(family) + "]:" + target.address().getPort());
        open.add(peer);
        JsonNode ready = peer.await("ready", START);
        assertThat(ready.get("port").asInt()).isEqualTo(port);
        return new InetSocketAddress(host(family), port);
    }

    static int freePort(String family) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host(family)), 0))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Flux<Datagram> record(IpcDatagramSocket s) {
        return s.inbound().replay().autoConnect(0);
    }

    @ParameterizedTest(name = "node-ipc {0}, {1}")
    @MethodSource("matrix")
    void javaEmitsAndNodeIpcAnswersTheSender(String version, String family) {
        IpcDatagramSocket java = bind(family);
        Flux<Datagram> seen = record(java);
        InetSocketAddress node = node(version, family, null);
        Map<String, Object> data = Map.of("text", Interop.UNICODE, "n", List.of(1, 2.5, true));

        java.emit(node, "echo", data).block(T);

        Datagram back = seen.next().block(T);
        assertThat(back.sender()).isEqualTo(node);
        assertThat(back.type()).isEqualTo("echo");
        assertThat(back.message().data().get("text").asString()).isEqualTo(Interop.UNICODE);
        assertThat(back.message().data().get("n").toString()).isEqualTo("[1,2.5,true]");
    }

    @ParameterizedTest(name = "node-ipc {0}, {1}")
    @MethodSource("matrix")
    void theLargestDatagramBothWays(String version, String family) {
        IpcDatagramSocket java = bind(family);
        Flux<Datagram> seen = record(java);
        InetSocketAddress node = node(version, family, null);
        String largest = "x".repeat(java.maxDatagramSize() - "{\"type\":\"echo\",\"data\":\"\"}\f".length());

        java.emit(node, "echo", largest).block(T);

        assertThat(seen.next().block(T).data(String.class)).isEqualTo(largest);
    }

    @ParameterizedTest(name = "node-ipc {0}, {1}")
    @MethodSource("matrix")
    void nodeIpcEmitsToJava(String version, String family) {
        IpcDatagramSocket java = bind(family);
        Flux<Datagram> seen = record(java);
        InetSocketAddress node = node(version, family, java);

        Datagram hello = seen.next().block(T);
        assertThat(hello.sender()).isEqualTo(node);
        assertThat(hello.type()).isEqualTo("hello");
        assertThat(hello.message().data().get("from").asString()).isEqualTo("node-ipc " + version);
        assertThat(java.peers()).containsExactly(node);
    }

    @ParameterizedTest(name = "node-ipc {0}, {1}")
    @MethodSource("matrix")
    void javaBroadcastReachesEveryNodeIpcPeerItHeardFrom(String version, String family) {
        IpcDatagramSocket java = bind(family);
        Flux<Datagram> seen = record(java);
        InetSocketAddress first = node(version, family, java);
        InetSocketAddress second = node(version, family, java);
        assertThat(seen.take(2).map(Datagram::sender).collectList().block(T)).containsExactlyInAnyOrder(first, second);

        java.broadcast("echo", "to every peer").block(T);

        List<Datagram> echoes = seen.skip(2).take(2).collectList().block(T);
        assertThat(echoes).extracting(Datagram::sender).containsExactlyInAnyOrder(first, second);
        assertThat(echoes).extracting(d -> d.data(String.class)).containsOnly("to every peer");
    }

    /**
     * node-ipc 14 broadcasts to every peer it has heard from; node-ipc 10 to nobody (it loops from index 1 over a list
     * that holds only its own socket). The marker, emitted by node after the broadcast, shows what came before it.
     */
    @ParameterizedTest(name = "node-ipc {0}, {1}")
    @MethodSource("matrix")
    void nodeIpcBroadcastReachesEveryJavaPeerItHeardFromIn14AndNobodyIn10(String version, String family) {
        IpcDatagramSocket one = bind(family);
        IpcDatagramSocket two = bind(family);
        Flux<Datagram> seenOne = record(one);
        Flux<Datagram> seenTwo = record(two);
        InetSocketAddress node = node(version, family, null);
        // each is heard from (and answered) first
        two.emit(node, "echo", "two").block(T);
        assertThat(seenTwo.next().block(T).type()).isEqualTo("echo");

        one.emit(node, "broadcast", "to every peer").block(T);
        one.emit(node, "send", Map.of("address", host(family), "port", one.address().getPort(), "type", "marker",
                "data", 1)).block(T);
        two.emit(node, "send", Map.of("address", host(family), "port", two.address().getPort(), "type", "marker",
                "data", 2)).block(T);

        List<String> expected = version.equals("14") ? List.of("news", "marker") : List.of("marker");
        assertThat(seenOne.take(expected.size()).map(Datagram::type).collectList().block(T))
                .containsExactlyElementsOf(expected);
        assertThat(seenTwo.skip(1).take(expected.size()).map(Datagram::type).collectList().block(T))
                .containsExactlyElementsOf(expected);
    }
}
