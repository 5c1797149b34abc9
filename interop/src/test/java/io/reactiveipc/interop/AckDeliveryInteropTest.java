package io.reactiveipc.interop;

import static io.reactiveipc.interop.Interop.START;
import static io.reactiveipc.interop.Interop.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.interop.Interop.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Acknowledged delivery meets node-ipc, which has no acknowledgement: the extra members ({@code "seq"}, the
 * hello's {@code "session"}) pass unnoticed, node-ipc's handlers get plain {@code type} and {@code data}, and the
 * Java client, never acknowledged, falls back to plain delivery after its ack timeout and says so.
 */
class AckDeliveryInteropTest {

    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    <C extends AutoCloseable> C open(C c) {
        open.add(c);
        return c;
    }

    @ParameterizedTest(name = "node-ipc {0} server, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aNodeIpcServerSeesPlainFramesAndTheAcknowledgedClientFallsBackToPlain(String version, Transport transport) {
        IpcAddress address = transport.address();
        NodePeer peer = open(NodePeer.start(version, "server", transport.arg(), Interop.nodeAddress(address),
                "world", "watch"));
        peer.await("ready", START);
        IpcConfig config = Interop.quietAs("java-ack").toBuilder()
                .delivery(Delivery.ACKNOWLEDGED.ackTimeout(Duration.ofMillis(500))).build();
        IpcClient client = IpcClient.connect("java-ack", address, config);
        open(() -> client.disposeNow(T));
        List<IpcEvent> events = new CopyOnWriteArrayList<>();
        client.events().subscribe(events::add);
        Mono<List<String>> echoes = client.on("echo").map(m -> m.data(String.class)).take(3).collectList().cache();
        echoes.subscribe();

        // held until the ack timeout passes: node-ipc never acknowledges; then plain, nothing lost or doubled
        client.send(Flux.just(Message.of("echo", "a"), Message.of("echo", "b"))).block(T);
        assertThat(events.stream().filter(e -> e instanceof IpcEvent.Failure)
                .map(e -> ((IpcEvent.Failure) e).error().getMessage()).toList())
                .singleElement().asString().contains("not ack-capable");
        client.emit("echo", "c").block(T);
        assertThat(echoes.block(T)).containsExactly("a", "b", "c");

        peer.seen("got", e -> e.get("data").asString("").equals("c"), T);
        String bytes = peer.bytes();
        assertThat(bytes).as("the bytes node-ipc %s read", version)
                .containsPattern("^\\{\"type\":\"ipc.hello\",\"data\":\\{\"id\":\"java-ack\",\"session\":\"[0-9a-f-]{36}\",\"acks\":true}}\f")
                .contains("{\"type\":\"echo\",\"data\":\"a\",\"seq\":1}\f{\"type\":\"echo\",\"data\":\"b\",\"seq\":2}\f"
                        + "{\"type\":\"echo\",\"data\":\"c\",\"seq\":3}\f");
        assertThat(ExtraMembersTest.got(peer)).as("what node-ipc %s gave its handlers", version)
                .filteredOn(g -> g.startsWith("echo "))
                .containsExactly("echo \"a\"", "echo \"b\"", "echo \"c\"");
        assertThat(peer.all("error")).isEmpty();
        assertThat(peer.isAlive()).isTrue();
    }

    @ParameterizedTest(name = "node-ipc {0} client, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aNodeIpcClientOfAServerSetForAcknowledgedDeliveryGetsNoAckFrames(String version, Transport transport) {
        IpcAddress address = transport.address();
        // a replay budget of 1: what a node-ipc client gets is never held, so it never counts against it
        IpcServer server = IpcServer.bind(address, Interop.QUIET.toBuilder()
                .delivery(Delivery.ACKNOWLEDGED.replayBudget(1)).build()).block(T);
        open(() -> server.disposeNow(T));
        Mono<IpcConnection> accepted = server.connections().next().cache();
        accepted.subscribe();
        NodePeer peer = open(NodePeer.start(version, "client", transport.arg(), Interop.nodeAddress(address), "n",
                "watch"));
        peer.await("connected", START);
        IpcConnection c = accepted.block(T);
        assertThat(Interop.echo(c, Message.of("echo", "x")).data(String.class)).isEqualTo("x");
        assertThat(peer.awaitBytes("{\"type\":\"echo\",\"data\":\"x\"}\f", T)).as("node-ipc %s read no ack", version)
                .isEqualTo("{\"type\":\"echo\",\"data\":\"x\"}\f");
        // what the server sends it is plain too: node-ipc never said it acknowledges, so nothing is sequenced
        // or held (the sends complete when written, as in plain delivery)
        c.send(Flux.range(1, 3).map(i -> Message.of("tick", i))).block(T);
        c.emit("tick", 4).block(T);
        String ticks = "{\"type\":\"tick\",\"data\":1}\f{\"type\":\"tick\",\"data\":2}\f"
                + "{\"type\":\"tick\",\"data\":3}\f{\"type\":\"tick\",\"data\":4}\f";
        assertThat(peer.awaitBytes(ticks, T)).as("node-ipc %s read plain frames", version)
                .isEqualTo("{\"type\":\"echo\",\"data\":\"x\"}\f" + ticks);
        peer.seen("got", e -> e.get("type").asString("").equals("tick") && e.get("data").asInt(0) == 4, T);
        assertThat(ExtraMembersTest.got(peer)).as("what node-ipc %s dispatched", version)
                .filteredOn(g -> g.startsWith("tick ")).containsExactly("tick 1", "tick 2", "tick 3", "tick 4");
        assertThat(peer.all("error")).isEmpty();
    }
}
