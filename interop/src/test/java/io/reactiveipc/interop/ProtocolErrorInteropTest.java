package io.reactiveipc.interop;

import static io.reactiveipc.interop.Interop.QUIET;
import static io.reactiveipc.interop.Interop.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.IpcServer;
import io.reactiveipc.interop.Interop.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Our answer to a protocol error as node-ipc 14 and 10 see it, both ways: the node-ipc peer writes a malformed
 * frame on purpose (the peer's {@code raw} command) and receives {@code {"type":"error","data":{...}}}, which
 * node-ipc dispatches to its {@code error} listeners with the data object as the first argument; then our side
 * closes the socket. The same for a frame begun and never finished (frameTimeout, partialFrameBudget): node-ipc
 * writes whole frames, so the peer writes half of one with {@code raw}.
 */
class ProtocolErrorInteropTest {

    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    static void assertOurAnswer(JsonNode error) {
        assertOurAnswer(error, Reason.MALFORMED_JSON);
    }

    static void assertOurAnswer(JsonNode error, Reason reason) {
        JsonNode data = error.path("data");
        assertThat(data.path("code").asString()).as("%s", error).isEqualTo("E_PROTOCOL");
        assertThat(data.path("reason").asString()).isEqualTo(reason.name());
        assertThat(data.path("message").asString()).startsWith(reason.name() + ": ");
    }

    /** Half a frame, and nothing more: node-ipc writes whole frames, so only a raw write can do this. */
    static final String HALF = "{\"type\":\"half\",\"da";

    @ParameterizedTest(name = "node-ipc {0} client, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aNodeIpcClientThatSendsHalfAFrameAndStopsGetsAnErrorEventSayingFrameTimeoutThenIsDisconnected(
            String version, Transport transport) {
        IpcAddress address = transport.address();
        IpcServer server = IpcServer.bind(address, QUIET.toBuilder()
                .peerLimits(l -> l.frameTimeout(Duration.ofMillis(300))).build()).block(T);
        open.add(() -> server.disposeNow(T));
        Mono<IpcConnection> connection = server.connections().next().cache();
        connection.subscribe();
        Mono<IpcEvent> gone = server.events().filter(e -> e instanceof IpcEvent.Disconnected).next().cache();
        gone.subscribe();
        NodePeer peer = NodePeer.start(version, "client", transport.arg(), Interop.nodeAddress(address), "slow");
        open.add(peer);
        peer.await("connected", Interop.START);

        connection.block(T).emit("raw", HALF).block(T);

        JsonNode error = peer.await("error", T);
        assertOurAnswer(error, Reason.FRAME_TIMEOUT);
        assertThat(error.path("data").path("message").asString()).contains("frameTimeout 300 ms");
        peer.await("disconnected", T);
        assertThat(((IpcProtocolException) ((IpcEvent.Disconnected) gone.block(T)).cause()).reason())
                .isEqualTo(Reason.FRAME_TIMEOUT);
    }

    @ParameterizedTest(name = "node-ipc {0} client, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aNodeIpcClientWhosePartialFramePassesTheBudgetGetsAnErrorEventSayingSoThenIsDisconnected(String version,
            Transport transport) {
        IpcAddress address = transport.address();
        IpcServer server = IpcServer.bind(address, QUIET.toBuilder()
                .peerLimits(l -> l.partialFrameBudget(1000)).build()).block(T);
        open.add(() -> server.disposeNow(T));
        Mono<IpcConnection> connection = server.connections().next().cache();
        connection.subscribe();
        NodePeer peer = NodePeer.start(version, "client", transport.arg(), Interop.nodeAddress(address), "greedy");
        open.add(peer);
        peer.await("connected", Interop.START);

        connection.block(T).emit("raw", "{\"type\":\"big\",\"data\":\"" + "x".repeat(2000)).block(T);

        JsonNode error = peer.await("error", T);
        assertOurAnswer(error, Reason.PARTIAL_FRAME_BUDGET);
        assertThat(error.path("data").path("message").asString()).contains("partialFrameBudget of 1000 bytes");
        peer.await("disconnected", T);
    }

    @ParameterizedTest(name = "node-ipc {0} server, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aNodeIpcServerThatSendsHalfAFrameAndStopsGetsAnErrorEventSayingFrameTimeoutAndTheClientReconnects(
            String version, Transport transport) {
        IpcAddress address = transport.address();
        NodePeer peer = NodePeer.start(version, "server", transport.arg(), Interop.nodeAddress(address), "world");
        open.add(peer);
        peer.await("ready", Interop.START);
        IpcClient client = IpcClient.connect("world", address, QUIET.toBuilder()
                .peerLimits(l -> l.frameTimeout(Duration.ofMillis(300))).build());
        open.add(() -> client.disposeNow(T));
        Mono<List<IpcEvent>> twoConnects = client.events().filter(e -> e instanceof IpcEvent.Connected).take(2)
                .collectList().cache();
        twoConnects.subscribe();
        client.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);

        client.emit("raw", HALF).block(T);

        assertOurAnswer(peer.await("error", T), Reason.FRAME_TIMEOUT);
        assertThat(twoConnects.block(T)).as("closed, then reconnected by the retry policy").hasSize(2);
    }

    @ParameterizedTest(name = "node-ipc {0} client, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aNodeIpcClientThatSendsAMalformedFrameGetsAnErrorEventWithOurDataThenIsDisconnected(String version,
            Transport transport) {
        IpcAddress address = transport.address();
        IpcServer server = IpcServer.bind(address, QUIET).block(T);
        open.add(() -> server.disposeNow(T));
        Mono<IpcConnection> connection = server.connections().next().cache();
        connection.subscribe();
        Mono<IpcEvent> failure = server.events().filter(e -> e instanceof IpcEvent.Failure).next().cache();
        failure.subscribe();
        NodePeer peer = NodePeer.start(version, "client", transport.arg(), Interop.nodeAddress(address), "bad");
        open.add(peer);
        peer.await("connected", Interop.START);

        connection.block(T).emit("raw", "{\"type\":\"oops\",\"data\":\f").block(T);

        assertOurAnswer(peer.await("error", T));
        peer.await("disconnected", T);
        assertThat(((IpcProtocolException) ((IpcEvent.Failure) failure.block(T)).error()).reason())
                .isEqualTo(Reason.MALFORMED_JSON);
    }

    @ParameterizedTest(name = "node-ipc {0} server, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void aNodeIpcServerThatSendsAMalformedFrameGetsAnErrorEventWithOurDataAndTheClientReconnects(String version,
            Transport transport) {
        IpcAddress address = transport.address();
        NodePeer peer = NodePeer.start(version, "server", transport.arg(), Interop.nodeAddress(address), "world");
        open.add(peer);
        peer.await("ready", Interop.START);
        IpcClient client = IpcClient.connect("world", address, QUIET);
        open.add(() -> client.disposeNow(T));
        Mono<List<IpcEvent>> twoConnects = client.events().filter(e -> e instanceof IpcEvent.Connected).take(2)
                .collectList().cache();
        twoConnects.subscribe();
        Mono<IpcEvent> failure = client.events().filter(e -> e instanceof IpcEvent.Failure).next().cache();
        failure.subscribe();
        client.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);

        client.emit("raw", "not json\f").block(T);

        assertOurAnswer(peer.await("error", T));
        assertThat(((IpcProtocolException) ((IpcEvent.Failure) failure.block(T)).error()).reason())
                .isEqualTo(Reason.MALFORMED_JSON);
        assertThat(twoConnects.block(T)).as("closed, then reconnected by the retry policy").hasSize(2);
    }
}
