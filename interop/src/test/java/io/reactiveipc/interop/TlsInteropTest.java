package io.reactiveipc.interop;

import static io.reactiveipc.interop.Interop.QUIET;
import static io.reactiveipc.interop.Interop.T;
import static io.reactiveipc.interop.InteropPki.PKI;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.interop.Interop.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * Mutual TLS with real node-ipc, both directions, with certificates made for the run. node-ipc's clients, 14 and
 * 10 alike, speak TLS only over TCP: over a Unix socket they connect in plain text whatever {@code tls} says
 * (measured: a Java TLS server sees no ClientHello and refuses the socket when its handshake times out), so the
 * client cells are TCP only. Both node-ipc servers speak TLS over TCP and over a Unix socket.
 */
class TlsInteropTest {

    final List<AutoCloseable> open = new ArrayList<>();
    final List<IpcClient> clients = new ArrayList<>();
    IpcServer server;

    @AfterEach
    void close() throws Exception {
        clients.forEach(c -> c.disposeNow(T));
        for (AutoCloseable c : open) {
            c.close();
        }
        if (server != null) {
            server.disposeNow(T);
        }
    }

    /** node-ipc clients over TLS: 14 and 10, over TCP. */
    static Stream<Arguments> nodeClients() {
        return Stream.of(Arguments.of("14", Transport.TCP), Arguments.of("10", Transport.TCP));
    }

    NodePeer nodeClient(String version, Transport transport, String cert, String id) {
        NodePeer peer = NodePeer.startTls(version, "client", transport.arg(), Interop.nodeAddress(server.address()),
                id, PKI.nodeTls(cert, false));
        open.add(peer);
        return peer;
    }

    @ParameterizedTest(name = "node-ipc {0} TLS client, {1}")
    @MethodSource("nodeClients")
    void nodeIpcTlsClientsTalkToAJavaTlsServer(String version, Transport transport) {
        server = IpcServer.bind(PKI.transport("server"), transport.address(), QUIET).block(T);
        Mono<IpcConnection> connection = server.connections().next().cache();
        connection.subscribe();
        nodeClient(version, transport, "client", "n0").await("connected", Interop.START);
        IpcConnection c = connection.block(T);
        Message sent = Message.of("echo", java.util.Map.of("text", Interop.UNICODE));
        assertThat(Interop.echo(c, sent).data().get("text").asText()).isEqualTo(Interop.UNICODE);
        String big = "0123456789abcdef".repeat(512 * 1024 / 16); // many TLS records per frame
        assertThat(Interop.echo(c, Message.of("echo", big)).data(String.class)).isEqualTo(big);
        Interop.burstEachWay(c);
    }

    @ParameterizedTest(name = "node-ipc {0} TLS server, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aJavaTlsClientTalksToNodeIpcTlsServers(String version, Transport transport) {
        IpcAddress address = transport.address();
        NodePeer peer = NodePeer.startTls(version, "server", transport.arg(), Interop.nodeAddress(address), "world",
                PKI.nodeTls("server", true));
        open.add(peer);
        peer.await("ready", Interop.START);
        IpcClient c = IpcClient.connect(PKI.transport("client"), "world", address, QUIET);
        clients.add(c);
        c.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);
        Message sent = Message.of("echo", java.util.Map.of("text", Interop.UNICODE));
        assertThat(Interop.echo(c, sent).data().get("text").asText()).isEqualTo(Interop.UNICODE);
        String big = "0123456789abcdef".repeat(512 * 1024 / 16);
        assertThat(Interop.echo(c, Message.of("echo", big)).data(String.class)).isEqualTo(big);
        Interop.burstEachWay(c);
    }

    @ParameterizedTest(name = "node-ipc {0} stranger refused, TCP")
    @ValueSource(strings = {"14", "10"})
    void anUnknownNodeIpcClientIsRefusedAndTheTrustedOneIsStillServed(String version) {
        server = IpcServer.bind(PKI.transport("server"), Transport.TCP.address(), QUIET).block(T);
        Mono<IpcConnection> connection = server.connections().next().cache();
        connection.subscribe();
        nodeClient(version, Transport.TCP, "client", "trusted").await("connected", Interop.START);
        IpcConnection trusted = connection.block(T);
        assertThat(Interop.echo(trusted, Message.of("echo", "before")).data(String.class)).isEqualTo("before");

        Mono<IpcEvent> rejected = server.events().filter(e -> e instanceof IpcEvent.Rejected).next().cache();
        rejected.subscribe();
        nodeClient(version, Transport.TCP, "stranger", "stranger");
        assertThat(((IpcEvent.Rejected) rejected.block(T)).reason())
                .startsWith("TLS handshake failed: certificate not trusted (unknown CA)");
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(Interop.echo(trusted, Message.of("echo", "after")).data(String.class)).isEqualTo("after");
    }
}
