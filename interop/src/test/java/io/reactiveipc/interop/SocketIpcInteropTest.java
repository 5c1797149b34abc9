package io.reactiveipc.interop;

import static io.reactiveipc.interop.Interop.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.test.IpcTestAddresses;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * Reactive IPC with the socket-ipc codec against a real @crussell52/socket-ipc 0.4.0 server and real socket-ipc
 * clients (node-peers/socket-ipc-peer.mjs), over Unix sockets, the only transport socket-ipc has. Topics are
 * socket-ipc's: a Java {@code on(type)} listens to a topic as {@code on('message.<topic>')} does; nothing is
 * subscribed on the wire and the server filters nothing (docs/socket-ipc-wire.md, section 2).
 */
class SocketIpcInteropTest {

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

    // ---- a socket-ipc server, Java clients --------------------------------------------------------------------

    NodePeer nodeServer(IpcAddress address, String... flags) {
        NodePeer peer = NodePeer.socketIpc("server", Interop.nodeAddress(address), "server", flags);
        open.add(peer);
        peer.await("ready", Interop.START);
        return peer;
    }

    IpcClient javaClient(IpcAddress address, String id) {
        IpcClient c = IpcClient.connect("server", address, Interop.socketIpc(id));
        clients.add(c);
        c.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);
        return c;
    }

    @Test
    void aJavaClientListensToTopicsAndGetsTheServersSendAndBroadcastAndSendsToTheServer() {
        IpcAddress address = IpcTestAddresses.unix();
        NodePeer peer = nodeServer(address, "watch");
        IpcClient client = javaClient(address, "java");
        Mono<Message> echo = client.on("echo").next().cache();
        Mono<Message> news = client.on("news").next().cache();
        echo.subscribe();
        news.subscribe();

        client.emit("echo", Map.of("text", Interop.UNICODE)).block(T);
        assertThat(echo.block(T).data().get("text").asString()).as("server.send(topic, message, clientId)")
                .isEqualTo(Interop.UNICODE);
        client.emit("broadcast", "to everyone").block(T);
        assertThat(news.block(T).data(String.class)).as("server.broadcast(topic, message)").isEqualTo("to everyone");

        // what the socket-ipc server read is socket-ipc's frame, and its listeners got topic and message
        String read = peer.awaitBytes("{\"topic\":\"broadcast\",\"message\":\"to everyone\"}\0\0", T);
        assertThat(read).contains("{\"topic\":\"echo\",\"message\":{\"text\":");
        assertThat(peer.seen("got", e -> e.path("topic").asString().equals("broadcast"), T).path("message").asString())
                .isEqualTo("to everyone");
    }

    @Test
    void theServersBroadcastReachesEveryJavaClientWhateverItListensToAndSendReachesOnlyOne() {
        IpcAddress address = IpcTestAddresses.unix();
        NodePeer peer = nodeServer(address);
        IpcClient first = javaClient(address, "first");
        peer.await("client-connected", T);
        IpcClient second = javaClient(address, "second");
        peer.await("client-connected", T);
        // socket-ipc's send to the first client only, then a broadcast, both asked for on the first client's
        // connection, so the server does them in that order: the second client's first message is the broadcast,
        // so it never got the first one's
        Mono<List<Message>> firstGot = first.inbound().take(2).collectList().cache();
        Mono<Message> secondGot = second.inbound().next().cache();
        firstGot.subscribe();
        secondGot.subscribe();
        first.emit("send-to", Map.of("id", "first", "topic", "only-you", "message", 1)).block(T);
        first.emit("broadcast", "all").block(T);
        assertThat(firstGot.block(T)).extracting(Message::type).containsExactly("only-you", "news");
        assertThat(secondGot.block(T).type()).isEqualTo("news");
    }

    @Test
    void aSendWithoutAMessageArrivesWithAbsentData() {
        IpcAddress address = IpcTestAddresses.unix();
        nodeServer(address);
        IpcClient client = javaClient(address, "java");
        Mono<Message> got = client.on("nothing").next().cache();
        got.subscribe();
        // server.send('nothing', undefined, id) writes {"topic":"nothing"}\0\0
        client.emit("send-to", Map.of("id", "first", "topic", "nothing")).block(T);
        Message m = got.block(T);
        assertThat(m.data()).isInstanceOf(MissingNode.class);
        assertThat(m.data(String.class)).isNull();
    }

    @Test
    void aPayloadOf512KiBAndTenThousandMessagesEachWay() {
        IpcAddress address = IpcTestAddresses.unix();
        nodeServer(address);
        IpcClient client = javaClient(address, "java");
        String big = "0123456789abcdef".repeat(512 * 1024 / 16);
        assertThat(Interop.echo(client, Message.of("echo", big)).data(String.class)).isEqualTo(big);
        Interop.burstEachWay(client);
    }

    // ---- a Java server, socket-ipc clients --------------------------------------------------------------------

    /** A Java server with the socket-ipc codec and socket-ipc clients connected to it; returns their connections. */
    List<IpcConnection> javaServer(IpcAddress address, List<NodePeer> peers, String... clientFlags) {
        server = IpcServer.bind(address, Interop.socketIpc("server")).block(T);
        Mono<List<IpcConnection>> connections = server.connections().take(clientFlags.length).collectList().cache();
        connections.subscribe();
        for (int i = 0; i < clientFlags.length; i++) {
            NodePeer peer = NodePeer.socketIpc("client", Interop.nodeAddress(address), "c" + i, clientFlags[i]);
            open.add(peer);
            peers.add(peer);
            peer.await("connected", Interop.START);
        }
        return connections.block(T);
    }

    @Test
    void socketIpcClientsSendToAJavaServerAndGetItsSendInSocketIpcsFrame() {
        List<NodePeer> peers = new ArrayList<>();
        IpcConnection c = javaServer(IpcTestAddresses.unix(), peers, "watch").get(0);
        Message sent = Message.of("echo", Map.of("text", Interop.UNICODE, "n", List.of(1, -2.5, true)));
        Message back = Interop.echo(c, sent);
        assertThat(back.data().get("text").asString()).isEqualTo(Interop.UNICODE);
        assertThat(back.data().get("n").toString()).isEqualTo("[1,-2.5,true]");
        // the socket-ipc client's own listener got topic "echo" and the message, from our bytes
        JsonNode got = peers.get(0).seen("got", e -> e.path("topic").asString().equals("echo"), T);
        assertThat(got.path("message").path("text").asString()).isEqualTo(Interop.UNICODE);
        assertThat(peers.get(0).bytes()).startsWith("{\"topic\":\"echo\",\"message\":{");
    }

    @Test
    void aJavaBroadcastReachesEverySocketIpcClientAsSocketIpcsServerWould() {
        List<NodePeer> peers = new ArrayList<>();
        // two clients listen to topic news (on('message.news')), one does not: like socket-ipc's server, ours
        // sends the topic to all three; the third reads and drops it
        javaServer(IpcTestAddresses.unix(), peers, "watch,news", "watch,news", "watch");
        Mono<List<JsonNode>> acks = server.on("news-ack").map(in -> in.message().data()).take(2).collectList().cache();
        acks.subscribe();
        server.broadcast("news", "to everyone").block(T);
        assertThat(acks.block(T)).extracting(a -> a.path("id").asString()).containsExactlyInAnyOrder("c0", "c1");
        assertThat(acks.block(T)).allSatisfy(a -> assertThat(a.path("message").asString()).isEqualTo("to everyone"));
        for (NodePeer peer : peers) {
            assertThat(peer.awaitBytes("{\"topic\":\"news\",\"message\":\"to everyone\"}\0\0", T)).isNotEmpty();
        }
    }

    @Test
    void aJavaServersEmitToOneConnectionReachesThatSocketIpcClientOnly() {
        List<NodePeer> peers = new ArrayList<>();
        List<IpcConnection> connections = javaServer(IpcTestAddresses.unix(), peers, "watch", "watch");
        server.emit(connections.get(0), "only-you", 1).block(T);
        server.broadcast("after", 2).block(T);
        // each client reports in order: the one addressed got only-you then after, the other after first
        for (NodePeer peer : peers) {
            peer.seen("got", e -> e.path("topic").asString().equals("after"), T);
        }
        List<String> topics = new ArrayList<>();
        for (NodePeer peer : peers) {
            topics.add(String.join(",", peer.all("got").stream().map(e -> e.path("topic").asString()).toList()));
        }
        assertThat(topics).containsExactlyInAnyOrder("only-you,after", "after");
    }

    @Test
    void tenThousandMessagesEachWayWithSocketIpcClients() {
        List<NodePeer> peers = new ArrayList<>();
        Interop.burstEachWay(javaServer(IpcTestAddresses.unix(), peers, "").get(0));
    }

    @Test
    void aJavaServerReclaimsTheSocketFileOfACrashedSocketIpcServerAndItsClientsReconnectToIt() {
        IpcAddress address = IpcTestAddresses.unix();
        NodePeer nodeServer = nodeServer(address);
        NodePeer client = NodePeer.socketIpc("client", Interop.nodeAddress(address), "c0", "watch");
        open.add(client);
        client.await("connected", Interop.START);
        nodeServer.kill();
        client.await("disconnected", T);
        assertThat(((IpcAddress.Unix) address).path()).as("the crashed server's socket file").exists();

        server = IpcServer.bind(address, Interop.socketIpc("server")).block(T);
        Mono<IpcConnection> reconnected = server.connections().next().cache();
        reconnected.subscribe();
        client.await("connected", T); // socket-ipc's own reconnect, now to us
        reconnected.block(T);
        server.broadcast("news", "new server").block(T);
        assertThat(client.seen("got", e -> e.path("topic").asString().equals("news"), T).path("message").asString())
                .isEqualTo("new server");
    }

    /** The answer in socket-ipc's own frames, then that connection closed; the others go on. */
    @Test
    void aFrameSocketIpcWouldCrashOnIsAnsweredInSocketIpcFramesThenClosedAndOthersGoOn() throws IOException {
        List<NodePeer> peers = new ArrayList<>();
        IpcAddress address = IpcTestAddresses.unix();
        IpcConnection good = javaServer(address, peers, "").get(0);
        Mono<IpcEvent.Failure> failure = server.events().ofType(IpcEvent.Failure.class).next().cache();
        failure.subscribe();
        try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(((IpcAddress.Unix) address).path()));
            // malformed JSON (a socket-ipc process dies of a ReferenceError on it), then a frame that is not read
            raw.write(ByteBuffer.wrap("{\"topic\":\"t\",\"message\":\0\0{\"topic\":\"after\",\"message\":1}\0\0"
                    .getBytes(StandardCharsets.UTF_8)));
            IpcEvent.Failure f = failure.block(T);
            assertThat(f.error()).isInstanceOf(IpcProtocolException.class)
                    .hasMessageContaining("MALFORMED_JSON");
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (raw.read(buf.clear()) >= 0) { // blocking: the server closes after its answer (2 s at most)
                answer.write(buf.array(), 0, buf.position());
            }
            assertThat(answer.toString(StandardCharsets.UTF_8)).startsWith(
                    "{\"topic\":\"error\",\"message\":{\"code\":\"E_PROTOCOL\",\"reason\":\"MALFORMED_JSON\"")
                    .endsWith("}}\0\0");
        }
        assertThat(Interop.echo(good, Message.of("echo", "still here")).data(String.class)).isEqualTo("still here");
    }
}
