package io.reactiveipc.interop;

import static io.reactiveipc.interop.Interop.QUIET;
import static io.reactiveipc.interop.Interop.START;
import static io.reactiveipc.interop.Interop.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcRemoteException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.interop.Interop.Transport;
import io.reactiveipc.test.RawConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Reactive IPC writes request ids, credits and relay addresses as top-level members beside {@code type} and
 * {@code data} (Envelope). Plain node-ipc 14 and 10 must not notice them: each cell reads the exact bytes the node
 * side received, what its handlers were given, and that the connection and the process are still up.
 */
class ExtraMembersTest {

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

    /** What a watching peer's handlers were given: "type data" per message, in order. */
    static List<String> got(NodePeer peer) {
        return peer.all("got").stream().map(e -> e.get("type").asString() + " " + e.get("data")).toList();
    }

    @ParameterizedTest(name = "node-ipc {0} server, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aNodeIpcServerGivesItsHandlersOnlyTypeAndDataOfWhatAJavaClientWrites(String version, Transport transport) {
        IpcAddress address = transport.address();
        NodePeer peer = open(NodePeer.start(version, "server", transport.arg(), Interop.nodeAddress(address),
                "world", "watch"));
        peer.await("ready", START);
        IpcClient client = IpcClient.connect("java-1", address, Interop.quietAs("java-1"));
        open(() -> client.disposeNow(T));
        List<IpcEvent> events = new CopyOnWriteArrayList<>();
        client.events().subscribe(events::add);
        Mono<List<String>> echoes = client.on("echo").map(m -> m.data(String.class)).take(5).collectList().cache();
        echoes.subscribe();

        // node-ipc answers a request with a plain echo: no "re", so the request itself is never answered
        Disposable request = client.request("echo", "request").subscribe();
        BaseSubscriber<Message> stream = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.request(3);
            }
        };
        client.requestStream("echo", "stream").subscribe(stream);
        // a stream cancelled before its request was written is never sent: cancel it once node-ipc has it
        peer.awaitBytes("\"credit\":3}\f", T);
        stream.request(2);
        stream.cancel();
        client.emitTo("someone", "echo", "to someone").block(T);
        client.broadcast("echo", "to everyone").block(T);
        client.emit("echo", "plain").block(T);

        assertThat(echoes.block(T)).containsExactly("request", "stream", "to someone", "to everyone", "plain");
        // a request that was written and is then cancelled is cancelled at the peer too: node-ipc takes it as a
        // plain message its handlers may ignore
        request.dispose();
        String frames = """
                {"type":"ipc.hello","data":{"id":"java-1"}}\f\
                {"type":"echo","data":"request","rid":1}\f\
                {"type":"echo","data":"stream","rid":2,"credit":3}\f\
                {"type":"ipc.more","data":2,"rid":2,"more":2}\f\
                {"type":"ipc.cancel","data":null,"rid":2,"cancel":true}\f\
                {"type":"echo","data":"to someone","to":"someone"}\f\
                {"type":"echo","data":"to everyone","to":"*"}\f\
                {"type":"echo","data":"plain"}\f\
                {"type":"ipc.cancel","data":null,"rid":1,"cancel":true}\f""";
        assertThat(peer.awaitBytes(frames, T)).as("the bytes node-ipc %s read", version).isEqualTo(frames);
        // a chunk is reported before node-ipc dispatches it: wait for the last dispatch too
        peer.seen("got", e -> got(peer).size() == 9, T);
        assertThat(got(peer)).as("what node-ipc %s gave its handlers", version).containsExactly(
                "ipc.hello {\"id\":\"java-1\"}", "echo \"request\"", "echo \"stream\"", "ipc.more 2",
                "ipc.cancel null", "echo \"to someone\"", "echo \"to everyone\"", "echo \"plain\"",
                "ipc.cancel null");

        // every member at once, and "from" (which only a server writes), from a raw socket
        try (RawConnection raw = RawConnection.to(address)) {
            raw.write("{\"type\":\"echo\",\"data\":{\"k\":[1,\"é\"]},\"rid\":9,\"credit\":2,\"more\":3,\"cancel\":true,"
                    + "\"re\":8,\"end\":true,\"error\":true,\"to\":\"*\",\"from\":\"someone\"}\f");
            assertThat(raw.readFrame(T)).isEqualTo("{\"type\":\"echo\",\"data\":{\"k\":[1,\"é\"]}}\f");
        }

        // still the same connection, and node-ipc never complained
        assertThat(Interop.echo(client, Message.of("echo", "after")).data(String.class)).isEqualTo("after");
        assertThat(events).hasSize(1).first().isInstanceOf(IpcEvent.Connected.class);
        peer.await("client-connected", T); // the Java client's, once
        peer.await("client-connected", T); // the raw socket's
        assertThat(peer.all("client-connected")).hasSize(2);
        assertThat(peer.all("error")).isEmpty();
        assertThat(peer.isAlive()).isTrue();
    }

    @ParameterizedTest(name = "node-ipc {0} client, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aNodeIpcClientGetsJavaAnswersAsPlainEventsOfTheirType(String version, Transport transport) {
        IpcAddress address = transport.address();
        IpcServer server = IpcServer.bind(address, QUIET).block(T);
        open(() -> server.disposeNow(T));
        server.handle("twice", in -> Mono.just(in.data(Integer.class) * 2));
        server.handle("nothing", in -> Mono.empty());
        server.handle("fail", in -> Mono.error(new IpcRemoteException("E_NOPE", "no such thing")));
        server.handle("count", in -> Flux.range(0, 3));
        Mono<IpcConnection> accepted = server.connections().next().cache();
        accepted.subscribe();
        NodePeer peer = open(NodePeer.start(version, "client", transport.arg(), Interop.nodeAddress(address), "n",
                "watch"));
        peer.await("connected", START);
        IpcConnection c = accepted.block(T);

        // the node-ipc client writes request frames itself (socket.write), and reads the answers with node-ipc
        c.emit("ask", Map.of("type", "twice", "data", 21, "rid", 1)).block(T);
        c.emit("ask", Map.of("type", "nothing", "data", Map.of(), "rid", 2)).block(T);
        c.emit("ask", Map.of("type", "fail", "data", Map.of(), "rid", 3)).block(T);
        c.emit("ask", Map.of("type", "count", "data", Map.of(), "rid", 4, "credit", 10)).block(T);

        for (String type : List.of("twice", "nothing", "fail")) {
            peer.seen("got", e -> e.get("type").asString().equals(type), T);
        }
        peer.seen("got", e -> e.get("type").asString().equals("count") && e.get("data").isNull(), T);
        String bytes = peer.bytes();
        assertThat(bytes).as("the answers node-ipc %s read", version)
                .contains("{\"type\":\"twice\",\"data\":42,\"re\":1}\f")
                .contains("{\"type\":\"nothing\",\"data\":null,\"re\":2,\"end\":true}\f")
                .containsPattern("\\{\"type\":\"fail\",\"data\":\\{[^}]*},\"re\":3,\"error\":true}\f")
                .contains("{\"type\":\"count\",\"data\":0,\"re\":4}\f{\"type\":\"count\",\"data\":1,\"re\":4}\f"
                        + "{\"type\":\"count\",\"data\":2,\"re\":4}\f{\"type\":\"count\",\"data\":null,\"re\":4,"
                        + "\"end\":true}\f");
        List<String> answers = got(peer).stream().filter(g -> !g.startsWith("ask ")).toList();
        assertThat(answers).as("what node-ipc %s gave its handlers", version)
                .filteredOn(g -> !g.startsWith("fail "))
                .containsExactlyInAnyOrder("twice 42", "nothing null", "count 0", "count 1", "count 2", "count null")
                .containsSubsequence("count 0", "count 1", "count 2", "count null");
        List<JsonNode> fail = peer.all("got").stream().filter(e -> e.get("type").asString().equals("fail")).toList();
        assertThat(fail).hasSize(1);
        assertThat(fail.get(0).get("data").get("code").asString()).isEqualTo("E_NOPE");
        assertThat(fail.get(0).get("data").get("message").asString()).isEqualTo("no such thing");

        // still connected, and node-ipc never complained
        assertThat(Interop.echo(c, Message.of("echo", "after")).data(String.class)).isEqualTo("after");
        assertThat(peer.all("disconnected")).isEmpty();
        assertThat(peer.all("error")).isEmpty();
        assertThat(server.connectionCount()).isOne();
        assertThat(peer.isAlive()).isTrue();
    }
}
