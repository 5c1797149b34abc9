package io.reactiveipc.interop;

import static io.reactiveipc.interop.Interop.START;
import static io.reactiveipc.interop.Interop.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcServer;
import io.reactiveipc.test.IpcTestAddresses;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** node-ipc's raw buffer mode (rawBuffer: true) against ours, both directions, node-ipc 14 and 10. */
class RawBuffersTest {

    static final IpcConfig RAW = Interop.QUIET.toBuilder().rawBuffer(true).build();
    static final HexFormat HEX = HexFormat.of();

    /** Every byte that arrives, as hex, once {@code length} bytes are there. */
    static Mono<String> collect(Flux<byte[]> chunks, int length) {
        return chunks.scan("", (all, b) -> all + HEX.formatHex(b)).filter(s -> s.length() >= 2 * length).next()
                .cache();
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    @ParameterizedTest(name = "node-ipc {0}")
    @ValueSource(strings = {"14", "10"})
    void aJavaClientsBytesReachANodeIpcServerAndItsEchoComesBackUntouched(String version) {
        IpcAddress address = IpcTestAddresses.unix();
        try (NodePeer peer = NodePeer.script("raw-peer.mjs", version, "server", "unix", Interop.nodeAddress(address),
                "utf8")) {
            peer.await("ready", START);
            IpcClient client = IpcClient.connect("raw", address, RAW);
            try {
                byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, 0x41, 0x0c};
                // node-ipc 10 decodes what it reads as UTF-8 and encodes it again (measured: shared/
                // node-ipc-behaviour.md 1.2): each invalid byte becomes U+FFFD. 14 keeps the bytes.
                String atNode = version.equals("10") ? "efbfbdefbfbd410c" : "fffe410c";
                Mono<String> echoed = collect(client.on("data").map(m -> m.data(byte[].class)), atNode.length() / 2);
                echoed.subscribe();
                client.emit("data", notUtf8).block(T);
                peer.seen("total", e -> e.get("hex").asString().equals(atNode), T);
                assertThat(echoed.block(T)).as("what node-ipc wrote back, byte for byte").isEqualTo(atNode);

                // bytes that are UTF-8, many reads' worth, pass both versions intact
                byte[] large = "é✓ raw ".repeat(20_000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                String want = atNode + HEX.formatHex(large);
                Mono<String> all = collect(client.on("data").map(m -> m.data(byte[].class))
                        .startWith(HEX.parseHex(atNode)), want.length() / 2);
                all.subscribe();
                client.emit("data", large).block(T);
                assertThat(peer.seen("total", e -> e.get("hex").asString().length() >= want.length(), T)
                        .get("hex").asString()).isEqualTo(want);
                assertThat(all.block(T)).isEqualTo(want);
            } finally {
                client.dispose();
            }
        }
    }

    @ParameterizedTest(name = "node-ipc {0}")
    @ValueSource(strings = {"14", "10"})
    void aNodeIpcClientsBufferAndEncodedStringReachAJavaServerAsBytesAndOurBytesReachIt(String version) {
        IpcServer server = IpcServer.bind(IpcTestAddresses.unix(), RAW).block(T);
        try {
            Mono<String> got = collect(server.on("data").map(in -> in.message().data(byte[].class)), 7);
            got.subscribe();
            server.on("data").take(1)
                    .flatMap(in -> in.reply("data", new byte[] {(byte) 0x80, 0, (byte) 0xff, (byte) 0xfe}))
                    .subscribe();
            // hex-to-send goes as a Buffer; the string "c0ffee" is encoded by node-ipc with its encoding, hex
            try (NodePeer peer = NodePeer.script("raw-peer.mjs", version, "client", "unix",
                    Interop.nodeAddress(server.address()), "hex", "ff00fe41", "c0ffee")) {
                assertThat(got.block(T)).isEqualTo("ff00fe41c0ffee");
                peer.seen("total", e -> e.get("hex").asString().equals("8000fffe"), T);
            }
        } finally {
            server.dispose();
        }
    }
}
