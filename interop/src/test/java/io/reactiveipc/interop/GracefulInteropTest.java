package io.reactiveipc.interop;

import static io.reactiveipc.interop.Interop.QUIET;
import static io.reactiveipc.interop.Interop.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcServer;
import io.reactiveipc.interop.Interop.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * disposeGracefully with real node-ipc clients: the server's half-close is node-ipc's 'end', on which it finishes
 * its writes and closes (allowHalfOpen false); so what it sent until then is delivered and the drain ends well
 * before the timeout.
 */
class GracefulInteropTest {

    @ParameterizedTest(name = "node-ipc {0} client, {1}")
    @MethodSource("io.reactiveipc.interop.Interop#matrix")
    void whatANodeIpcClientSentBeforeTheEndIsDelivered(String version, Transport transport) throws Exception {
        IpcAddress address = transport.address();
        IpcServer server = IpcServer.bind(address, QUIET).block(T);
        try (NodePeer peer = NodePeer.start(version, "client", transport.arg(), Interop.nodeAddress(address), "n0",
                "watch")) {
            peer.await("connected", Interop.START);
            IpcConnection c = server.connections().blockFirst(T);
            CompletableFuture<List<Integer>> got = server.on("n").map(in -> in.message().data(Integer.class))
                    .collectList().toFuture();
            // node-ipc answers 'burst' with 2,000 emits of its own, written as it reads the burst: before the end.
            c.outbound().tryEmitNext(io.reactiveipc.Message.of("burst", Map.of("n", 2_000)));
            server.disposeGracefully(Duration.ofSeconds(60)).block(Duration.ofSeconds(20));
            List<Integer> n = got.get(T.toSeconds(), TimeUnit.SECONDS);
            assertThat(n).hasSize(2_000);
            for (int i = 0; i < n.size(); i++) {
                if (n.get(i) != i) {
                    assertThat(n.get(i)).as("message %d", i).isEqualTo(i);
                }
            }
            peer.await("disconnected", T);
        } finally {
            server.disposeNow(T);
        }
    }
}
