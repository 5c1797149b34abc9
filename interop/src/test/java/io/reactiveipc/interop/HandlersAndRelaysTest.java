package io.reactiveipc.interop;

import static io.reactiveipc.interop.Interop.QUIET;
import static io.reactiveipc.interop.Interop.START;
import static io.reactiveipc.interop.Interop.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.Incoming;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcDataException;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.interop.Interop.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** A Java server's handlers and relays with node-ipc clients among its clients. */
class HandlersAndRelaysTest {

    final List<AutoCloseable> open = new ArrayList<>();
    IpcServer server;
    IpcAddress address;

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    void serve(Transport transport) {
        address = transport.address();
        server = IpcServer.bind(address, QUIET).block(T);
        IpcServer s = server;
        open.add(() -> s.disposeNow(T));
    }

    /** Starts a node-ipc client and returns its connection on the server. */
    IpcConnection nodeClient(String version, Transport transport, NodePeer[] peer, int index, String... flags) {
        int before = server.connectionCount();
        Mono<IpcConnection> accepted = server.connections().skip(before).next().cache();
        accepted.subscribe();
        peer[index] = NodePeer.start(version, "client", transport.arg(), Interop.nodeAddress(address), "n" + index,
                flags);
        open.add(peer[index]);
        peer[index].await("connected", START);
        return accepted.block(T);
    }

    static boolean isMessage(JsonNode got) {
        return got.get("type").asString().equals("message");
    }

    @ParameterizedTest(name = "node-ipc {0} clients, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void dataThatDoesNotBindFailsOneHandlerCallAndTheServerAnswersTheNextMessages(String version,
            Transport transport) {
        serve(transport);
        Mono<IpcEvent.Failure> failure = server.events().ofType(IpcEvent.Failure.class).next().cache();
        failure.subscribe();
        server.handle("message", in -> Mono.just(in.data(String.class) + " world!"));
        NodePeer[] peer = new NodePeer[2];
        IpcConnection a = nodeClient(version, transport, peer, 0, "watch");
        IpcConnection b = nodeClient(version, transport, peer, 1, "watch");

        // ipc.of.world.emit('message', {}): node-ipc's poison for a handler that expects a string
        a.emit("send", Map.of("type", "message", "data", Map.of())).block(T);
        IpcEvent.Failure f = failure.block(T);
        assertThat(f.connection()).isSameAs(a);
        assertThat(f.type()).isEqualTo("message");
        assertThat(f.error()).isInstanceOf(IpcDataException.class);

        a.emit("send", Map.of("type", "message", "data", "hello")).block(T);
        b.emit("send", Map.of("type", "message", "data", "hello")).block(T);
        for (NodePeer p : peer) {
            p.seen("got", HandlersAndRelaysTest::isMessage, T);
            // answers go out in order: had {} been answered, that answer would have come first
            assertThat(p.all("got")).filteredOn(HandlersAndRelaysTest::isMessage)
                    .extracting(g -> g.get("data").asString("")).containsExactly("hello world!");
            assertThat(p.all("disconnected")).isEmpty();
        }
        assertThat(server.connectionCount()).isEqualTo(2);
    }

    @ParameterizedTest(name = "node-ipc {0} clients, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aJavaClientReachesNodeIpcClientsThroughTheServerByBroadcastAndByNumber(String version,
            Transport transport) {
        serve(transport);
        NodePeer[] peer = new NodePeer[2];
        IpcConnection plain = nodeClient(version, transport, peer, 0, "watch");
        IpcConnection answering = nodeClient(version, transport, peer, 1, "watch", "answer");
        IpcClient java = IpcClient.connect("java", address, Interop.quietAs("java"));
        open.add(() -> java.disposeNow(T));
        server.connection("java").block(T);
        Mono<List<JsonNode>> acks = server.on("news-ack").map(in -> in.message().data()).take(2).collectList()
                .cache();
        acks.subscribe();

        // a broadcast from a Java client: node-ipc clients get the data intact and ignore "to" and "from"
        Map<String, Object> news = Map.of("text", Interop.UNICODE, "n", List.of(1, 2.5, true));
        java.broadcast("news", news).block(T);
        List<JsonNode> got = acks.block(T);
        assertThat(got).extracting(n -> n.get("id").asString()).containsExactlyInAnyOrder("n0", "n1");
        for (JsonNode ack : got) {
            assertThat(ack.get("data")).isEqualTo(Message.of("news", news).data());
        }
        // its output reaches us on another pipe than its ack: wait for it
        peer[0].seen("got", e -> e.get("type").asString().equals("news"), T);
        assertThat(peer[0].bytes()).containsPattern("(?s)\\{\"type\":\"news\",\"data\":\\{.*},\"to\":\"\\*\","
                + "\"from\":\"java\"}\f");

        // node-ipc clients do not announce themselves: a Java client reaches one by its number
        assertThat(List.of(plain.id(), answering.id())).containsExactly("1", "2");
        Mono<Incoming> echoed = server.on("echo").next().cache();
        echoed.subscribe();
        java.emitTo(plain.id(), "echo", "by number").block(T);
        Incoming echo = echoed.block(T);
        // plain node-ipc echoes to the server (it cannot see "from"), never back to the Java client
        assertThat(echo.connection()).isSameAs(plain);
        assertThat(echo.data(String.class)).isEqualTo("by number");

        // with answer-requests.mjs it answers the sender: "from" comes back as "to", relayed by the server
        Mono<Message> reply = java.on("echo").next().cache();
        reply.subscribe();
        java.emitTo(answering.id(), "echo", "answer me").block(T);
        Message back = reply.block(T);
        assertThat(back.data(String.class)).isEqualTo("answer me");
        assertThat(back.from()).isEqualTo(answering.id());
        assertThat(java.requestTo(answering.id(), "add", Map.of("a", 2, "b", 3)).block(T).data(Integer.class))
                .isEqualTo(5);

        // a node-ipc client that emits ipc.hello {id} itself is known by that name, as a Java client is
        answering.emit("send", Map.of("type", "ipc.hello", "data", Map.of("id", "node-b"))).block(T);
        assertThat(server.connection("node-b").block(T)).isSameAs(answering);
        assertThat(java.requestTo("node-b", "add", Map.of("a", 20, "b", 22)).block(T).data(Integer.class))
                .isEqualTo(42);
    }
}
