package io.reactiveipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.test.IpcTestAddresses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The command line against a real node-ipc 14.0.0 server: node-peers/peer.mjs (the interop suite's peer), on a
 * Unix socket. It answers {@code echo} with node-ipc's own emit, and with its "answer" flag echoes our request ids.
 */
class NodeIpcCliTest {

    private static final Path NODE_DIR = Path.of(System.getProperty("cli.node.dir", "../node-peers"));

    private Process peer;
    private String address;
    private BufferedReader events;

    @BeforeEach
    void startNodeIpc14() throws IOException {
        Path socket = IpcTestAddresses.unix().path();
        address = "unix:" + socket;
        peer = new ProcessBuilder("node", "peer.mjs", "14", "server", "unix", socket.toString(), "world", "answer")
                .directory(NODE_DIR.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        // its first line on stdout is {"event":"ready"}, once it listens: wait on that, not on time
        events = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
        assertThat(events.readLine()).as("node-ipc 14 server's first event").contains("\"ready\"");
    }

    @AfterEach
    void stop() throws InterruptedException {
        peer.destroy();
        assertThat(peer.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void requestIsAnsweredByNodeIpcEchoingTheRequestId() {
        Cli run = Cli.run("", "request", address, "add", "{\"a\":2,\"b\":40}", "--timeout", "20s");

        assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.OK);
        assertThat(run.lines()).containsExactly("{\"type\":\"add\",\"data\":42}");
    }

    @Test
    void listenSendsStdinToNodeIpcAndPrintsWhatItEmits() {
        // burst: node-ipc emits n messages of type "n" with its own emit; echo: answered with its own emit
        Cli run = Cli.run("{\"type\":\"burst\",\"data\":{\"n\":3}}\n{\"type\":\"echo\",\"data\":\"é✓ \\f\"}\n",
                "listen", address, "--count", "4", "--timeout", "20s");

        assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.OK);
        assertThat(run.lines()).containsExactly("{\"type\":\"n\",\"data\":0}", "{\"type\":\"n\",\"data\":1}",
                "{\"type\":\"n\",\"data\":2}", "{\"type\":\"echo\",\"data\":\"é✓ \\f\"}");
    }

    @Test
    void tailFollowsATopicOfANodeIpcServerWhileSendEmits() throws Exception {
        ExecutorService shell = Executors.newSingleThreadExecutor();
        try {
            Future<Cli> tail = shell.submit(() -> Cli.run("", "tail", address, "news", "--count", "1", "--timeout", "20s"));
            assertThat(events.readLine()).as("node-ipc 14 server's next event").contains("\"client-connected\"");

            // node-ipc's peer broadcasts "news" when it gets "broadcast"
            Cli send = Cli.run("", "send", address, "broadcast", "\"from send, through node-ipc\"");

            assertThat(send.code()).as(send.toString()).isZero();
            Cli run = tail.get(30, TimeUnit.SECONDS);
            assertThat(run.code()).as(run.toString()).isZero();
            assertThat(run.lines()).containsExactly("{\"type\":\"news\",\"data\":\"from send, through node-ipc\"}");
        } finally {
            shell.shutdownNow();
        }
    }

    @Test
    void listenPrintsNodeIpcsBroadcastBesideItsOwnEmits() {
        // "broadcast" makes node-ipc broadcast "news", "burst" emit n messages to this client alone
        Cli run = Cli.run("{\"type\":\"broadcast\",\"data\":\"from node\"}\n{\"type\":\"burst\",\"data\":{\"n\":2}}\n",
                "listen", address, "--count", "3", "--timeout", "20s");

        assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.OK);
        assertThat(run.lines()).contains("{\"type\":\"news\",\"data\":\"from node\"}");
        List<String> withoutNews = run.lines().stream().filter(l -> !l.contains("news")).toList();
        assertThat(withoutNews).containsExactly("{\"type\":\"n\",\"data\":0}", "{\"type\":\"n\",\"data\":1}");
    }
}
