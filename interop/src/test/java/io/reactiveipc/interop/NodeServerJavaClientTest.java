package io.reactiveipc.interop;

import static io.reactiveipc.interop.Interop.QUIET;
import static io.reactiveipc.interop.Interop.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcEvent;
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

/** A node-ipc server, Java clients: each scenario x node-ipc 14 and 10 x Unix socket and TCP. */
class NodeServerJavaClientTest {

    final List<IpcClient> clients = new ArrayList<>();
    NodePeer peer;
    IpcAddress address;

    @AfterEach
    void close() {
        clients.forEach(c -> c.disposeNow(T));
        if (peer != null) {
            peer.close();
        }
    }

    void nodeServer(String version, Transport transport) {
        address = transport.address();
        peer = NodePeer.start(version, "server", transport.arg(), Interop.nodeAddress(address), "world");
        peer.await("ready", Interop.START);
    }

    IpcClient client() {
        IpcClient c = IpcClient.connect("world", address, QUIET);
        clients.add(c);
        c.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);
        return c;
    }


    @ParameterizedTest(name = "node-ipc {0} server, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void smallJson(String version, Transport transport) {
        nodeServer(version, transport);
        Message sent = Message.ofJson("echo", "{\"a\":1,\"b\":[true,false,null,-2.5e3],\"o\":{\"k\":\"v\"},\"s\":\"x\"}");
        // JavaScript has one number type: -2.5e3 comes back as -2500; MessageAssert compares numbers by value
        MessageAssert.assertThat(Interop.echo(client(), sent)).hasType("echo").hasData(sent.data());
    }

    @ParameterizedTest(name = "node-ipc {0} server, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void unicodeAndEscapesIncludingAFormFeedInsideAString(String version, Transport transport) {
        nodeServer(version, transport);
        Message sent = Message.of("echo", java.util.Map.of("text", Interop.UNICODE, Interop.UNICODE, "as a key"));
        JsonNode back = Interop.echo(client(), sent).data();
        assertThat(back.get("text").asString()).isEqualTo(Interop.UNICODE);
        assertThat(back.get(Interop.UNICODE).asString()).isEqualTo("as a key");
    }

    @ParameterizedTest(name = "node-ipc {0} server, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void payloadOf512KiB(String version, Transport transport) {
        nodeServer(version, transport);
        String big = "0123456789abcdef".repeat(512 * 1024 / 16);
        assertThat(Interop.echo(client(), Message.of("echo", big)).data(String.class)).isEqualTo(big);
    }

    @ParameterizedTest(name = "node-ipc {0} server, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void tenThousandMessagesInABurstEachWay(String version, Transport transport) {
        nodeServer(version, transport);
        Interop.burstEachWay(client());
    }

    @ParameterizedTest(name = "node-ipc {0} server, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void broadcastToSeveralClients(String version, Transport transport) {
        nodeServer(version, transport);
        List<IpcClient> three = List.of(client(), client(), client());
        for (int i = 0; i < 3; i++) {
            peer.await("client-connected", T);
        }
        List<Mono<Message>> news = three.stream().map(c -> c.on("news").next().cache()).toList();
        news.forEach(Mono::subscribe);
        three.get(0).emit("broadcast", "to everyone").block(T);
        for (Mono<Message> m : news) {
            assertThat(m.block(T).data(String.class)).isEqualTo("to everyone");
        }
    }
}
