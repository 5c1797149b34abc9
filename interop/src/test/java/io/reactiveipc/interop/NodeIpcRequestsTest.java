package io.reactiveipc.interop;

import static io.reactiveipc.interop.Interop.QUIET;
import static io.reactiveipc.interop.Interop.START;
import static io.reactiveipc.interop.Interop.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcRemoteException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.interop.Interop.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

/**
 * Requests across node-ipc 14 and 10, both ways. node-ipc cannot see or write the request id, so the node side of
 * these cells answers with node-peers/answer-requests.mjs (the peer's "answer" flag): node-ipc 14 through its
 * parser hook, node-ipc 10 by reading its socket first. A node-ipc peer that only emits and listens is answered by
 * a Java handler with a plain message of the same type.
 */
class NodeIpcRequestsTest {

    final List<AutoCloseable> open = new ArrayList<>();
    IpcServer server;

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    NodePeer peer(String version, String role, Transport transport, IpcAddress address, String... flags) {
        NodePeer peer = NodePeer.start(version, role, transport.arg(), Interop.nodeAddress(address),
                role.equals("server") ? "world" : "n", flags);
        open.add(peer);
        return peer;
    }

    /** A Java server answering add, and the connection of the one node-ipc client started with {@code flags}. */
    IpcConnection javaServerAndNodeClient(String version, Transport transport, NodePeer[] peer, String... flags) {
        IpcAddress address = transport.address();
        server = IpcServer.bind(address, QUIET).block(T);
        IpcServer s = server;
        open.add(() -> s.disposeNow(T));
        server.handle("add", in -> Mono.just(in.data(Sum.class).sum()));
        server.handle("count", in -> Flux.range(0, in.data(Count.class).n()));
        Mono<IpcConnection> accepted = server.connections().next().cache();
        accepted.subscribe();
        peer[0] = peer(version, "client", transport, address, flags);
        peer[0].await("connected", START);
        return accepted.block(T);
    }

    static final String BIG = "0123456789abcdef".repeat(512 * 1024 / 16);

    record Sum(int a, int b) {
        int sum() {
            return a + b;
        }
    }

    record Count(int n) {
    }

    static Map<String, Object> add(int a, int b) {
        return Map.of("a", a, "b", b);
    }

    @ParameterizedTest(name = "node-ipc {0} server, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aJavaClientsRequestsAreAnsweredByANodeIpcServerThatEchoesTheRequestId(String version, Transport transport) {
        IpcAddress address = transport.address();
        peer(version, "server", transport, address, "answer").await("ready", START);
        IpcClient client = IpcClient.connect("java", address, Interop.quietAs("java"));
        open.add(() -> client.disposeNow(T));

        StepVerifier.create(client.request("add", add(2, 3)).map(m -> m.data(Integer.class)))
                .expectNext(5).verifyComplete();
        StepVerifier.create(client.request("echo", Interop.UNICODE).map(m -> m.data(String.class)))
                .expectNext(Interop.UNICODE).verifyComplete();
        StepVerifier.create(client.request("boom", null))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IpcRemoteException.class)
                        .extracting("code", "remoteMessage").containsExactly("E_NODE", "node-ipc says no"))
                .verify(T);
        StepVerifier.create(client.requestStream("count", Map.of("n", 3)).map(m -> m.data(Integer.class)))
                .expectNext(0, 1, 2).verifyComplete();
        // many in flight at once: each answer finds its own request
        List<Integer> sums = Flux.range(0, 200).flatMap(i -> client.request("add", add(i, 1000))
                .map(m -> m.data(Integer.class) - 1000 - i)).collectList().block(T);
        assertThat(sums).hasSize(200).containsOnly(0);
        assertThat(client.pendingRequests()).isZero();
        // a frame over many reads, then plain traffic: the reader of answer-requests.mjs splits and keeps order
        StepVerifier.create(client.request("echo", BIG).map(m -> m.data(String.class)))
                .expectNext(BIG).verifyComplete();
        Interop.burstEachWay(client);
    }

    @ParameterizedTest(name = "node-ipc {0} client, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aNodeIpcClientThatEmitsAndListensGetsAJavaHandlersValueAsAPlainMessage(String version,
            Transport transport) {
        NodePeer[] peer = new NodePeer[1];
        IpcConnection c = javaServerAndNodeClient(version, transport, peer, "watch");
        // the node-ipc client does ipc.of.world.emit('add', {a: 2, b: 3}) and listens on('add', ...)
        c.emit("send", Map.of("type", "add", "data", add(2, 3))).block(T);
        JsonNode got = peer[0].seen("got", e -> e.get("type").asString().equals("add"), T);
        assertThat(got.get("data").asInt()).isEqualTo(5);
        assertThat(peer[0].awaitBytes("{\"type\":\"add\",\"data\":5}\f", T)).endsWith("{\"type\":\"add\",\"data\":5}\f");
    }

    @ParameterizedTest(name = "node-ipc {0} client, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aNodeIpcClientSendsARequestFrameAndFindsItsIdInTheAnswer(String version, Transport transport) {
        NodePeer[] peer = new NodePeer[1];
        IpcConnection c = javaServerAndNodeClient(version, transport, peer, "answer");
        c.emit("ask", Map.of("type", "add", "data", add(2, 3), "rid", 7)).block(T);
        JsonNode sum = peer[0].seen("answer", e -> e.get("re").asLong() == 7, T);
        assertThat(sum.get("type").asString()).isEqualTo("add");
        assertThat(sum.get("data").asInt()).isEqualTo(5);
        assertThat(sum.has("end") || sum.has("error")).isFalse();

        c.emit("ask", Map.of("type", "nobody", "data", Map.of(), "rid", 8)).block(T);
        JsonNode refused = peer[0].seen("answer", e -> e.get("re").asLong() == 8, T);
        assertThat(refused.get("error").asBoolean()).isTrue();
        assertThat(refused.get("data").get("code").asString()).isEqualTo("E_NO_HANDLER");

        c.emit("ask", Map.of("type", "count", "data", Map.of("n", 3), "rid", 9, "credit", 3)).block(T);
        peer[0].seen("answer", e -> e.get("re").asLong() == 9 && e.has("end"), T);
        assertThat(peer[0].all("answer")).filteredOn(e -> e.get("re").asLong() == 9)
                .extracting(e -> e.get("data").toString()).containsExactly("0", "1", "2", "null");
    }

    @ParameterizedTest(name = "node-ipc {0} client, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aJavaServersRequestsAreAnsweredByANodeIpcClientThatEchoesTheRequestId(String version,
            Transport transport) {
        NodePeer[] peer = new NodePeer[1];
        IpcConnection c = javaServerAndNodeClient(version, transport, peer, "answer");
        StepVerifier.create(c.request("add", add(2, 3)).map(m -> m.data(Integer.class)))
                .expectNext(5).verifyComplete();
        // a node-ipc client does not announce itself: the server knows it by its number
        assertThat(c.id()).isEqualTo("1");
        StepVerifier.create(server.request("1", "echo", Interop.UNICODE).map(m -> m.data(String.class)))
                .expectNext(Interop.UNICODE).verifyComplete();
        StepVerifier.create(c.request("boom", Map.of()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IpcRemoteException.class)
                        .extracting("code").isEqualTo("E_NODE"))
                .verify(T);
        StepVerifier.create(c.requestStream("count", Map.of("n", 3)).map(m -> m.data(Integer.class)))
                .expectNext(0, 1, 2).verifyComplete();
        StepVerifier.create(c.request("echo", BIG).map(m -> m.data(String.class)))
                .expectNext(BIG).verifyComplete();
        List<Integer> expected = IntStream.range(0, 200).map(i -> i + i).boxed().toList();
        assertThat(Flux.range(0, 200).flatMapSequential(i -> c.request("add", add(i, i)))
                .map(m -> m.data(Integer.class)).collectList().block(T)).isEqualTo(expected);
    }
}
