package io.reactiveipc.interop;

import static io.reactiveipc.interop.Interop.QUIET;
import static io.reactiveipc.interop.Interop.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.interop.Interop.Transport;
import io.reactiveipc.test.MessageAssert;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** A Java server, node-ipc clients: each scenario x node-ipc 14 and 10 x Unix socket and TCP. */
class JavaServerNodeClientTest {

    final List<AutoCloseable> open = new ArrayList<>();
    IpcServer server;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (server != null) {
            server.disposeNow(T);
        }
    }

    /** A Java server and {@code clients} node-ipc clients connected to it; returns their connections. */
    List<IpcConnection> serve(String version, Transport transport, int clients) {
        IpcAddress address = transport.address();
        server = IpcServer.bind(address, QUIET).block(T);
        Mono<List<IpcConnection>> connections = server.connections().take(clients).collectList().cache();
        connections.subscribe();
        for (int i = 0; i < clients; i++) {
            NodePeer peer = NodePeer.start(version, "client", transport.arg(), Interop.nodeAddress(address), "n" + i);
            open.add(peer);
            peer.await("connected", Interop.START);
        }
        return connections.block(T);
    }


    @ParameterizedTest(name = "node-ipc {0} client, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void smallJson(String version, Transport transport) {
        IpcConnection c = serve(version, transport, 1).get(0);
        Message sent = Message.ofJson("echo", "{\"a\":1,\"b\":[true,false,null,-2.5e3],\"o\":{\"k\":\"v\"},\"s\":\"x\"}");
        // JavaScript has one number type: -2.5e3 comes back as -2500; MessageAssert compares numbers by value
        MessageAssert.assertThat(Interop.echo(c, sent)).hasType("echo").hasData(sent.data());
    }

    @ParameterizedTest(name = "node-ipc {0} client, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void unicodeAndEscapesIncludingAFormFeedInsideAString(String version, Transport transport) {
        IpcConnection c = serve(version, transport, 1).get(0);
        Message sent = Message.of("echo", java.util.Map.of("text", Interop.UNICODE, Interop.UNICODE, "as a key"));
        JsonNode back = Interop.echo(c, sent).data();
        assertThat(back.get("text").asString()).isEqualTo(Interop.UNICODE);
        assertThat(back.get(Interop.UNICODE).asString()).isEqualTo("as a key");
    }

    @ParameterizedTest(name = "node-ipc {0} client, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void payloadOf512KiB(String version, Transport transport) {
        IpcConnection c = serve(version, transport, 1).get(0);
        String big = "0123456789abcdef".repeat(512 * 1024 / 16);
        assertThat(Interop.echo(c, Message.of("echo", big)).data(String.class)).isEqualTo(big);
    }

    @ParameterizedTest(name = "node-ipc {0} client, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void tenThousandMessagesInABurstEachWay(String version, Transport transport) {
        Interop.burstEachWay(serve(version, transport, 1).get(0));
    }

    @ParameterizedTest(name = "node-ipc {0} clients, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void broadcastToSeveralClients(String version, Transport transport) {
        serve(version, transport, 3);
        Mono<List<JsonNode>> acks = server.on("news-ack").map(in -> in.message().data()).take(3).collectList()
                .cache();
        acks.subscribe();
        server.broadcast("news", "to everyone").block(T);
        List<JsonNode> got = acks.block(T);
        assertThat(got).extracting(n -> n.get("id").asString()).containsExactlyInAnyOrder("n0", "n1", "n2");
        assertThat(got).extracting(n -> n.get("data").asString("")).containsOnly("to everyone");
    }
}
