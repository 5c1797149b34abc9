package io.reactiveipc.interop;

import static io.reactiveipc.interop.Interop.QUIET;
import static io.reactiveipc.interop.Interop.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.test.IpcTestAddresses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Where node-ipc 10 and 14 behave differently (shared/node-ipc-behaviour.md 1.1), each cell states the difference
 * and checks what that version really does, so a change on either side shows up here.
 */
class NodeIpcDifferencesTest {

    /** node-ipc echoes what it received; what it sends for null and "" depends on the version. */
    JsonNode echoThroughNode(String version, Message message) {
        IpcAddress address = IpcTestAddresses.unix();
        IpcServer server = IpcServer.bind(address, QUIET).block(T);
        try (NodePeer peer = NodePeer.start(version, "client", "unix", Interop.nodeAddress(address), "n")) {
            IpcConnection c = server.connections().blockFirst(T);
            peer.await("connected", Interop.START);
            Mono<Message> back = c.on("echo").next().cache();
            back.subscribe();
            c.send(message).block(T);
            return back.block(T).data();
        } finally {
            server.disposeNow(T);
        }
    }

    @Test
    void nodeIpc14SendsNullAndEmptyStringAsTheyAre() {
        assertThat(echoThroughNode("14", Message.of("echo", null)).isNull()).isTrue();
        assertThat(echoThroughNode("14", Message.of("echo", "")).asString()).isEmpty();
    }

    @Test
    void nodeIpc10SendsAnEmptyObjectForNullAndForEmptyString() {
        assertThat(echoThroughNode("10", Message.of("echo", null)).toString()).isEqualTo("{}");
        assertThat(echoThroughNode("10", Message.of("echo", "")).toString()).isEqualTo("{}");
    }

    @ParameterizedTest(name = "node-ipc {0}")
    @ValueSource(strings = {"14", "10"})
    void bothKeepZeroFalseAndEmptyArrays(String version) {
        assertThat(echoThroughNode(version, Message.ofJson("echo", "[0,false,[],{}]")).toString())
                .isEqualTo("[0,false,[],{}]");
    }

    /** A raw TCP client, so the test decides where the chunks end. */
    static String readFrames(InputStream in, int frames) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        int seen = 0;
        while (seen < frames) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            got.write(b);
            if (b == '\f') {
                seen++;
            }
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    @Test
    void nodeIpc14DeliversACompleteFrameAtOnceEvenWhenTheReadEndsInsideTheNextOne() throws IOException {
        IpcAddress.Tcp address = IpcTestAddresses.freeTcpPort();
        try (NodePeer peer = NodePeer.start("14", "server", "tcp", Interop.nodeAddress(address), "world")) {
            peer.await("ready", Interop.START);
            try (Socket s = new Socket(address.host(), address.port())) {
                s.setTcpNoDelay(true);
                s.setSoTimeout((int) T.toMillis());
                OutputStream out = s.getOutputStream();
                out.write("{\"type\":\"echo\",\"data\":\"A\"}\f{\"type\":\"echo\",\"da".getBytes(StandardCharsets.UTF_8));
                out.flush();
                // A comes back while B is still incomplete
                assertThat(readFrames(s.getInputStream(), 1)).isEqualTo("{\"type\":\"echo\",\"data\":\"A\"}\f");
                out.write("ta\":\"B\"}\f".getBytes(StandardCharsets.UTF_8));
                assertThat(readFrames(s.getInputStream(), 1)).isEqualTo("{\"type\":\"echo\",\"data\":\"B\"}\f");
            }
        }
    }

    @Test
    void nodeIpc10HoldsACompleteFrameBackUntilAReadEndsOnADelimiter() throws IOException {
        IpcAddress.Tcp address = IpcTestAddresses.freeTcpPort();
        try (NodePeer peer = NodePeer.start("10", "server", "tcp", Interop.nodeAddress(address), "world")) {
            peer.await("ready", Interop.START);
            try (Socket s = new Socket(address.host(), address.port())) {
                s.setTcpNoDelay(true);
                OutputStream out = s.getOutputStream();
                out.write("{\"type\":\"echo\",\"data\":\"A\"}\f{\"type\":\"echo\",\"da".getBytes(StandardCharsets.UTF_8));
                out.flush();
                // The only way to show "held back" is to wait a while for nothing: node-ipc 14 answers the
                // same bytes within milliseconds (the test above), node-ipc 10 not at all until B completes.
                s.setSoTimeout(500);
                boolean answered;
                try {
                    answered = s.getInputStream().read() >= 0;
                } catch (SocketTimeoutException heldBack) {
                    answered = false;
                }
                assertThat(answered).as("node-ipc 10 answered A before the read ended on a delimiter").isFalse();
                s.setSoTimeout((int) T.toMillis());
                out.write("ta\":\"B\"}\f".getBytes(StandardCharsets.UTF_8));
                assertThat(readFrames(s.getInputStream(), 2))
                        .isEqualTo("{\"type\":\"echo\",\"data\":\"A\"}\f{\"type\":\"echo\",\"data\":\"B\"}\f");
            }
        }
    }
}
