package io.reactiveipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcFixtures;
import io.reactiveipc.test.IpcTestAddresses;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

/** The command line against our own server, in this JVM, with captured stdin, stdout and stderr. */
class IpcCliTest {

    private static final Duration T = Duration.ofSeconds(20);

    @RegisterExtension
    static final IpcExtension ipc = new IpcExtension();

    /** Commands that run until an event (tail, serve) run here, on plain threads: the test thread waits on it. */
    private final ExecutorService shell = Executors.newCachedThreadPool();

    @AfterEach
    void stopShell() throws InterruptedException {
        shell.shutdownNow();
        assertThat(shell.awaitTermination(20, TimeUnit.SECONDS)).as("commands ended").isTrue();
    }

    private static String addr(IpcServer server) {
        return "unix:" + ((IpcAddress.Unix) server.address()).path();
    }

    private static IpcServer calculator(IpcFixtures fx) {
        IpcServer server = fx.server();
        server.handle("add", in -> {
            @SuppressWarnings("unchecked")
            Map<String, Integer> add = in.data(Map.class);
            return Mono.just(add.get("a") + add.get("b"));
        });
        return server;
    }

    @Test
    void requestPrintsTheAnswerAsAJsonLine(IpcFixtures fx) {
        IpcServer server = calculator(fx);

        Cli run = Cli.run("", "request", addr(server), "add", "{\"a\":2,\"b\":3}");

        assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.OK);
        assertThat(run.lines()).containsExactly("{\"type\":\"add\",\"data\":5}");
    }

    @Test
    void requestsFromStdinAreAnsweredInOrderAndAnErrorAnswerExits4(IpcFixtures fx) {
        IpcServer server = calculator(fx);

        Cli run = Cli.run("{\"type\":\"add\",\"data\":{\"a\":1,\"b\":1}}\n{\"type\":\"nobody\"}\n"
                + "{\"type\":\"add\",\"data\":{\"a\":20,\"b\":22}}\n", "request", addr(server));

        assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.ERROR_ANSWER);
        assertThat(run.lines()).containsExactly("{\"type\":\"add\",\"data\":2}", "{\"type\":\"add\",\"data\":42}");
        assertThat(run.err()).contains("'nobody' answered with an error: E_NO_HANDLER");
    }

    @Test
    void sendWritesStdinsLinesAndReportsTheOneThatIsNotAMessage(IpcFixtures fx) {
        IpcServer server = fx.server();
        Mono<List<Message>> received = server.inbound().map(in -> in.message()).take(2).collectList().cache();
        received.subscribe();

        Cli run = Cli.run("{\"type\":\"a\",\"data\":[1,\"é\"]}\n{\"type\":3}\n\n{\"type\":\"b\"}\n", "send",
                addr(server));

        assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.BAD_INPUT);
        assertThat(run.err()).contains("stdin line 2 skipped: no string \"type\"");
        List<Message> got = received.block(T);
        assertThat(got).extracting(Message::type).containsExactly("a", "b");
        assertThat(got.get(0).data().toString()).isEqualTo("[1,\"é\"]");
    }

    @Test
    void sendTakesDataAsJsonOrElseAsAString(IpcFixtures fx) {
        IpcServer server = fx.server();
        Mono<List<Message>> received = server.inbound().map(in -> in.message()).take(2).collectList().cache();
        received.subscribe();

        assertThat(Cli.run("", "send", addr(server), "n", "42").code()).isZero();
        assertThat(Cli.run("", "send", addr(server), "s", "hello world").code()).isZero();

        assertThat(received.block(T)).extracting(m -> m.data().toString()).containsExactly("42", "\"hello world\"");
    }

    @Test
    void tailPrintsOnlyItsTopicsUntilCount(IpcFixtures fx) throws Exception {
        IpcServer server = fx.server();
        // the CLI's client announces its id (--id, default reactive-ipc-cli) once connected
        Mono<IpcConnection> connected = server.connection("reactive-ipc-cli").cache();
        connected.subscribe();
        CompletableFuture<Cli> tail = CompletableFuture.supplyAsync(
                () -> Cli.run("", "tail", addr(server), "news", "weather", "--count", "3"), shell);

        connected.block(T);
        server.broadcast("news", "one").block(T);
        server.broadcast("sport", "not printed").block(T);
        server.broadcast("weather", Map.of("sky", "clear")).block(T);
        server.broadcast("news", "two").block(T);
        server.broadcast("news", "not printed either: after --count").block(T);

        Cli run = tail.get(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.OK);
        assertThat(run.lines()).containsExactly("{\"type\":\"news\",\"data\":\"one\"}",
                "{\"type\":\"weather\",\"data\":{\"sky\":\"clear\"}}", "{\"type\":\"news\",\"data\":\"two\"}");
    }

    @Test
    void tailWithDataPrintsTheDataAlone(IpcFixtures fx) throws Exception {
        IpcServer server = fx.server();
        // the CLI's client announces its id (--id, default reactive-ipc-cli) once connected
        Mono<IpcConnection> connected = server.connection("reactive-ipc-cli").cache();
        connected.subscribe();
        CompletableFuture<Cli> tail = CompletableFuture.supplyAsync(
                () -> Cli.run("", "tail", addr(server), "news", "--count", "1", "--data"), shell);

        connected.block(T);
        server.broadcast("news", Map.of("headline", "CLI ships")).block(T);

        assertThat(tail.get(T.toSeconds(), TimeUnit.SECONDS).lines()).containsExactly("{\"headline\":\"CLI ships\"}");
    }

    @Test
    void tailThatSeesTooFewByTimeoutExits3(IpcFixtures fx) {
        IpcServer server = fx.server();

        Cli run = Cli.run("", "tail", addr(server), "news", "--count", "1", "--timeout", "300ms");

        assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.TIMEOUT);
        assertThat(run.err()).contains("0 of 1 messages arrived");
    }

    @Test
    void aRequestNobodyAnswersExits3(IpcFixtures fx) {
        IpcServer server = fx.server();
        server.handle("slow", in -> Mono.never());

        Cli run = Cli.run("", "request", addr(server), "slow", "--timeout", "300ms");

        assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.TIMEOUT);
        assertThat(run.err()).contains("no answer within 300 ms");
    }

    @Test
    void nothingListeningExits2AndSaysWhere() {
        String nowhere = "unix:" + IpcTestAddresses.unix().path();

        Cli run = Cli.run("", "send", nowhere, "x", "--connect-timeout", "1s");

        assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.CONNECTION);
        assertThat(run.err()).contains("cannot connect to " + nowhere);
    }

    @Test
    void badArgumentsExit1WithTheReason() {
        Cli address = Cli.run("", "send", "/tmp/no-scheme", "x");
        Cli option = Cli.run("", "tail", "unix:/tmp/x");
        Cli duration = Cli.run("", "request", "unix:/tmp/x", "t", "--timeout", "soon");

        assertThat(address.code()).isEqualTo(IpcCli.USAGE);
        assertThat(address.err()).contains("'/tmp/no-scheme' is not an address: expected unix:/path");
        assertThat(option.code()).isEqualTo(IpcCli.USAGE);
        assertThat(option.err()).contains("TYPE");
        assertThat(duration.code()).isEqualTo(IpcCli.USAGE);
        assertThat(duration.err()).contains("'soon' is not a duration");
    }

    @Test
    void sendAcknowledgedExitsOnlyOnceTheServersApplicationTookEveryMessage(IpcFixtures fx) {
        IpcServer server = fx.server();
        String lines = "{\"type\":\"a\",\"data\":1}\n{\"type\":\"b\",\"data\":2}\n";

        // nobody takes the server's messages yet: written, held there, never acknowledged
        Cli unread = Cli.run(lines, "send", addr(server), "--acknowledged", "--timeout", "1s");
        Cli plain = Cli.run(lines, "send", addr(server), "--timeout", "1s");

        assertThat(unread.code()).as(unread.toString()).isEqualTo(IpcCli.TIMEOUT);
        assertThat(unread.err()).contains("not all acknowledged within 1000 ms");
        assertThat(plain.code()).as("plain send: written is sent\n" + plain).isEqualTo(IpcCli.OK);

        IpcServer reading = fx.server();
        Mono<List<String>> received = reading.inbound().map(in -> in.message().type()).take(2).collectList().cache();
        received.subscribe();
        Cli taken = Cli.run(lines, "send", addr(reading), "--acknowledged");
        assertThat(taken.code()).as(taken.toString()).isEqualTo(IpcCli.OK);
        assertThat(received.block(T)).containsExactly("a", "b");
    }

    @Test
    void sendAcknowledgedWithToIsAUsageError(IpcFixtures fx) {
        Cli run = Cli.run("", "send", addr(fx.server()), "x", "1", "--acknowledged", "--to", "bob");

        assertThat(run.code()).isEqualTo(IpcCli.USAGE);
        assertThat(run.err()).contains("--acknowledged: not with --to or --broadcast");
    }

    /** A peer that writes {@code bytes} as they are (raw buffer mode), connecting until serve listens. */
    private static IpcClient rawPeer(IpcAddress.Unix at) {
        return IpcClient.connect("serve", at, IpcConfig.builder().rawBuffer(true).silent(true).retry(50).build());
    }

    @Test
    void serveLenientSkipsABrokenFrameAndKeepsTheConnection() throws Exception {
        IpcAddress.Unix at = IpcTestAddresses.unix();
        CompletableFuture<Cli> serve = CompletableFuture.supplyAsync(() -> Cli.run("", "serve", "unix:" + at.path(),
                "--lenient", "--count", "2", "--timeout", "20s"), shell);
        IpcClient peer = rawPeer(at);
        try {
            peer.emit("data", "{\"type\":\"one\",\"data\":1}\f{not json\f{\"type\":\"two\",\"data\":2}\f").block(T);

            Cli run = serve.get(T.toSeconds() + 20, TimeUnit.SECONDS);
            assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.OK);   // the default closes: exit 3, "one" only
            assertThat(run.lines()).extracting(l -> l.substring(0, l.indexOf(",\"from\"")))
                    .containsExactly("{\"type\":\"one\",\"data\":1", "{\"type\":\"two\",\"data\":2");
        } finally {
            peer.dispose();
        }
    }

    @Test
    void serveCreatesTheSocketsDirectoriesOnlyWhenAsked() {
        java.nio.file.Path missing = IpcTestAddresses.unix().path().resolveSibling("not-yet").resolve("there");

        Cli refused = Cli.run("", "serve", "unix:" + missing.resolve("a.sock"), "--timeout", "100ms");
        Cli created = Cli.run("", "serve", "unix:" + missing.resolve("b.sock"), "--create-directories",
                "--timeout", "100ms");

        assertThat(refused.code()).as(refused.toString()).isEqualTo(IpcCli.CONNECTION);
        assertThat(refused.err()).contains("cannot bind");
        assertThat(created.code()).as(created.toString()).isEqualTo(IpcCli.OK);
        assertThat(created.err()).contains("listening on unix:" + missing.resolve("b.sock"));
    }

    @Test
    void serveAnswersPrintsAndSendsStdinToAClient() throws Exception {
        IpcAddress.Unix at = IpcTestAddresses.unix();
        PipedOutputStream stdin = new PipedOutputStream();
        PipedInputStream serveIn = new PipedInputStream(stdin);
        CompletableFuture<Cli> serve = CompletableFuture.supplyAsync(
                () -> Cli.run(serveIn, "serve", "unix:" + at.path(), "--echo", "ping", "--count", "2"), shell);
        IpcClient alice = IpcClient.connect("cli", at, IpcConfig.builder().id("alice").silent(true).retry(50).build());
        try {
            Mono<Message> toAlice = alice.on("hi").next().cache();
            toAlice.subscribe();

            assertThat(alice.request("ping", Map.of("n", 1)).block(T).data().toString()).isEqualTo("{\"n\":1}");
            stdin.write("{\"type\":\"hi\",\"data\":\"alice\",\"to\":\"alice\"}\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            assertThat(toAlice.block(T).data(String.class)).isEqualTo("alice");
            alice.emit("one", 1).block(T);
            alice.emit("two", List.of(2)).block(T);

            Cli run = serve.get(T.toSeconds(), TimeUnit.SECONDS);
            assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.OK);
            assertThat(run.lines()).containsExactly("{\"type\":\"one\",\"data\":1,\"from\":\"alice\"}",
                    "{\"type\":\"two\",\"data\":[2],\"from\":\"alice\"}");
            assertThat(run.err()).contains("listening on unix:" + at.path());
        } finally {
            alice.dispose();
            stdin.close();
        }
    }

    @Test
    void listenSendsStdinAndPrintsWhatComesBack(IpcFixtures fx) {
        IpcServer server = fx.server();
        server.handle("echo", in -> Mono.just(in.message().data()));

        Cli run = Cli.run("{\"type\":\"echo\",\"data\":\"a\"}\n{\"type\":\"echo\",\"data\":\"b\"}\n", "listen",
                addr(server), "--count", "2", "--timeout", "20s");

        assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.OK);
        assertThat(run.lines()).containsExactly("{\"type\":\"echo\",\"data\":\"a\"}", "{\"type\":\"echo\",\"data\":\"b\"}");
    }

    @Test
    void sendOverUdpReachesADatagramSocket() {
        IpcDatagramSocket udp = IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", 0), IpcFixtures.TEST_CONFIG)
                .block(T);
        try {
            Mono<Message> got = udp.on("ping").next().map(IpcDatagramSocket.Datagram::message).cache();
            got.subscribe();

            Cli run = Cli.run("", "send", "udp4:127.0.0.1:" + udp.address().getPort(), "ping", "{\"over\":\"udp\"}");

            assertThat(run.code()).as(run.toString()).isZero();
            assertThat(got.block(T).data().toString()).isEqualTo("{\"over\":\"udp\"}");
        } finally {
            udp.dispose();
        }
    }

    @Test
    void requestOverUdpIsAUsageError() {
        assertThat(Cli.run("", "request", "udp4:127.0.0.1:9", "t").code()).isEqualTo(IpcCli.USAGE);
    }

    @Test
    void benchReportsRequestsPerSecond(IpcFixtures fx) {
        IpcServer server = fx.server();
        server.handle("echo", in -> Mono.just(in.message().data()));

        Cli run = Cli.run("", "bench", addr(server), "--requests", "500", "--warmup", "100", "--in-flight", "8");

        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).contains("\"requests\":500", "\"inFlight\":8", "\"perSecond\":", "\"p99Micros\":");
    }
}
