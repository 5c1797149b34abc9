package io.reactiveipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.PeerLimits;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcTestAddresses;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The PeerLimits options: they reach the config, a bad value is a usage error naming the option, --help says them. */
class PeerLimitOptionsTest {

    private static final Duration T = Duration.ofSeconds(20);
    private static final IpcConfig RAW = IpcConfig.builder().rawBuffer(true).silent(true).retry(50).build();
    private static final String HALF = "{\"type\":\"half\",\"da";

    @RegisterExtension
    static final IpcExtension ipc = new IpcExtension();

    private final ExecutorService shell = Executors.newCachedThreadPool();

    @AfterEach
    void stopShell() throws InterruptedException {
        shell.shutdownNow();
        assertThat(shell.awaitTermination(20, TimeUnit.SECONDS)).as("commands ended").isTrue();
    }

    private static <T> T parse(T command, String... args) {
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return command;
    }

    /** What a raw peer read, up to the first error frame. */
    private static Mono<String> told(Flux<Message> reads) {
        return reads.map(m -> new String(m.data(byte[].class), StandardCharsets.UTF_8))
                .scan(String::concat)
                .filter(all -> all.contains("\"type\":\"error\"") && all.endsWith("\f"))
                .next()
                .cache();
    }

    @Test
    void serveTakesEveryLimit() {
        ServeCommand serve = parse(new ServeCommand(), "unix:/tmp/x.sock", "--frame-timeout", "250ms",
                "--write-timeout", "3s", "--idle-timeout", "2m", "--partial-frame-budget", "4MiB",
                "--slow-consumer", "skip", "--evict-quiet-after", "0s");

        PeerLimits limits = serve.config().peerLimits();

        assertThat(limits.frameTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(limits.writeTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(limits.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(limits.partialFrameBudget()).isEqualTo(4L << 20);
        assertThat(limits.slowConsumer()).isEqualTo(PeerLimits.SlowConsumer.SKIP);
        assertThat(limits.evictQuietAfter()).isZero();
    }

    @Test
    void clientsTakeTheLimitsAConnectionHasAndKeepTheOthersDefaults() {
        ListenCommand listen = parse(new ListenCommand(), "unix:/tmp/x.sock", "--frame-timeout", "1s",
                "--write-timeout", "4s", "--idle-timeout", "5s");
        ServeCommand plain = parse(new ServeCommand(), "unix:/tmp/x.sock", "--partial-frame-budget", "1000");

        PeerLimits limits = listen.options.config().peerLimits();
        PeerLimits defaults = PeerLimits.defaults();

        assertThat(limits.frameTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(limits.writeTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(limits.idleTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(limits.partialFrameBudget()).isEqualTo(defaults.partialFrameBudget());
        PeerLimits serveLimits = plain.config().peerLimits();
        assertThat(serveLimits.partialFrameBudget()).as("a bare number is bytes").isEqualTo(1000);
        assertThat(serveLimits.frameTimeout()).isEqualTo(defaults.frameTimeout());
        assertThat(serveLimits.writeTimeout()).isEqualTo(defaults.writeTimeout());
        assertThat(serveLimits.slowConsumer()).isEqualTo(defaults.slowConsumer());
        assertThat(serveLimits.evictQuietAfter()).isEqualTo(defaults.evictQuietAfter());
    }

    @Test
    void aLimitTheLibraryRefusesIsAUsageErrorNamingTheOption() {
        String at = "unix:" + IpcTestAddresses.unix().path();
        Cli zero = Cli.run("", "serve", at, "--frame-timeout", "0s");
        Cli size = Cli.run("", "serve", at, "--partial-frame-budget", "lots");
        Cli policy = Cli.run("", "serve", at, "--slow-consumer", "drop");
        Cli negative = Cli.run("", "listen", at, "--idle-timeout", "-1s");

        assertThat(zero.code()).as(zero.toString()).isEqualTo(IpcCli.USAGE);
        assertThat(zero.err()).contains("--frame-timeout: frameTimeout must be positive, was PT0S");
        assertThat(size.code()).isEqualTo(IpcCli.USAGE);
        assertThat(size.err()).contains("'lots' is not a size (1048576, 512KiB, 32MiB)");
        assertThat(policy.code()).isEqualTo(IpcCli.USAGE);
        assertThat(policy.err()).contains("--slow-consumer", "drop", "DISCONNECT", "SKIP");
        assertThat(negative.code()).as(negative.toString()).isEqualTo(IpcCli.USAGE);
        assertThat(negative.err()).contains("--idle-timeout: idleTimeout must not be negative");
    }

    @Test
    void helpSaysEachLimitWhereItApplies() {
        Cli serve = Cli.run("", "serve", "--help");
        Cli listen = Cli.run("", "listen", "--help");

        assertThat(serve.out()).contains("--frame-timeout", "--write-timeout", "--idle-timeout",
                "--partial-frame-budget", "--slow-consumer", "--evict-quiet-after", "FRAME_TIMEOUT");
        assertThat(listen.out()).contains("--frame-timeout", "--write-timeout", "--idle-timeout")
                .doesNotContain("--partial-frame-budget", "--slow-consumer", "--evict-quiet-after");
        for (String command : new String[] {"send", "request", "tail", "bench"}) {
            assertThat(Cli.run("", command, "--help").out()).as(command).contains("--frame-timeout");
        }
    }

    /** The peer writes bytes as they are (raw buffer mode) and gets every read back as a "data" message. */
    @Test
    void serveWithAFrameTimeoutTellsAPeerThatStopsMidFrame() throws Exception {
        IpcAddress.Unix at = IpcTestAddresses.unix();
        CompletableFuture<Cli> serve = CompletableFuture.supplyAsync(() -> Cli.run("", "serve", "unix:" + at.path(),
                "--frame-timeout", "300ms", "--count", "1", "--timeout", "20s"), shell);
        IpcClient peer = IpcClient.connect("serve", at, RAW);
        try {
            Mono<IpcEvent> again = peer.events().filter(e -> e instanceof IpcEvent.Connected).skip(1).next().cache();
            again.subscribe();
            Mono<String> told = told(peer.on("data"));
            told.subscribe();
            peer.emit("data", HALF).block(T);

            assertThat(told.block(T)).contains("\"reason\":\"FRAME_TIMEOUT\"", "frameTimeout 300 ms");
            again.block(T); // the peer reconnects; serve goes on
            peer.emit("data", "{\"type\":\"whole\",\"data\":1}\f").block(T);
            Cli run = serve.get(T.toSeconds() + 20, TimeUnit.SECONDS);
            assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.OK);
            assertThat(run.lines()).hasSize(1).allSatisfy(l -> assertThat(l).startsWith("{\"type\":\"whole\""));
        } finally {
            peer.dispose();
        }
    }

    @Test
    void listenWithAFrameTimeoutTellsAServerThatStopsMidFrame() throws Exception {
        IpcAddress.Unix at = IpcTestAddresses.unix();
        IpcServer server = IpcServer.bind(at, RAW).block(T);
        try {
            Mono<IpcConnection> first = server.connections().next().cache();
            first.subscribe();
            Mono<IpcConnection> second = server.connections().elementAt(1).cache();
            second.subscribe();
            Mono<String> told = told(server.on("data").map(in -> in.message())); // after our client's ipc.hello
            told.subscribe();
            CompletableFuture<Cli> listen = CompletableFuture.supplyAsync(() -> Cli.run("", "listen",
                    "unix:" + at.path(), "--frame-timeout", "300ms", "--retry", "50ms", "--count", "1",
                    "--timeout", "20s"), shell);

            first.block(T).emit("data", HALF).block(T);
            assertThat(told.block(T)).contains("\"reason\":\"FRAME_TIMEOUT\"", "frameTimeout 300 ms");
            second.block(T).emit("data", "{\"type\":\"whole\",\"data\":1}\f").block(T);
            Cli run = listen.get(T.toSeconds() + 20, TimeUnit.SECONDS);
            assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.OK);
            assertThat(run.lines()).containsExactly("{\"type\":\"whole\",\"data\":1}");
        } finally {
            server.disposeNow(T);
        }
    }
}
