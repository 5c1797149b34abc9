package io.reactiveipc.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.PeerCredentials;
import io.reactiveipc.PeerLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

class ReactiveIpcAutoConfigurationTest {

    private static final Duration T = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ReactiveIpcAutoConfiguration.class, IpcHealthAutoConfiguration.class))
            .withPropertyValues("reactive-ipc.config.silent=true", "reactive-ipc.config.retry=50ms");

    private Path dir;
    private String address;

    @BeforeEach
    void socketDir() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "ipc-spring");
        address = "unix:" + dir.resolve("app.sock");
    }

    @AfterEach
    void removeDir() throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    record Upper(String text) {
    }

    @Configuration(proxyBeanMethods = false)
    static class Handlers {
        @Bean
        IpcServerCustomizer upper() {
            return server -> server.handle("upper",
                    in -> Mono.just(in.data(Upper.class).text().toUpperCase(Locale.ROOT)));
        }
    }

    @Test
    void propertiesMakeAServerWithItsHandlersAndAClientThatReachesIt() {
        runner.withUserConfiguration(Handlers.class)
                .withPropertyValues("reactive-ipc.server.address=" + address,
                        "reactive-ipc.client.address=" + address, "reactive-ipc.client.name=world",
                        "reactive-ipc.config.id=web")
                .run(context -> {
                    IpcServer server = context.getBean(IpcServer.class);
                    IpcClient client = context.getBean(IpcClient.class);
                    assertThat(server.address()).isEqualTo(IpcAddress.unix(dir.resolve("app.sock")));
                    assertThat(client.id()).isEqualTo("world");
                    StepVerifier.create(client.request("upper", new Upper("hello")))
                            .assertNext(m -> assertThat(m.data(String.class)).isEqualTo("HELLO"))
                            .expectComplete()
                            .verify(T);
                    // the client announced the configured id (reactive-ipc.config.id)
                    StepVerifier.create(server.connection("web")).expectNextCount(1).expectComplete().verify(T);
                });
    }

    @Test
    void noAddressNoBeans() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(IpcConfig.class);
            assertThat(context).doesNotHaveBean(IpcServer.class);
            assertThat(context).doesNotHaveBean(IpcClient.class);
        });
    }

    record Point(int fooBar) {
    }

    @Test
    void dataBindsWithSpringsJsonMapper() {
        runner.withBean(JsonMapper.class, () -> JsonMapper.builder()
                        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build())
                .withPropertyValues("reactive-ipc.server.address=" + address, "reactive-ipc.client.address=" + address)
                .run(context -> {
                    IpcServer server = context.getBean(IpcServer.class);
                    IpcClient client = context.getBean(IpcClient.class);
                    var received = server.on("point").next().map(in -> in.data(Point.class));
                    StepVerifier.create(received)
                            .then(() -> client.emit("point", Map.of("foo_bar", 7)).subscribe())
                            .assertNext(p -> assertThat(p.fooBar()).isEqualTo(7))   // 0 with a default mapper
                            .expectComplete()
                            .verify(T);
                });
    }

    @Test
    void configOptionsReachIpcConfig() {
        runner.withPropertyValues("reactive-ipc.config.max-queued-messages=100",
                        "reactive-ipc.config.request-timeout=2s", "reactive-ipc.config.appspace=demo.")
                .run(context -> {
                    IpcConfig config = context.getBean(IpcConfig.class);
                    assertThat(config.maxQueuedMessages()).isEqualTo(100);
                    assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(config.appspace()).isEqualTo("demo.");
                });
    }

    @Test
    void hardeningOptionsReachIpcConfig() {
        int me = 4242;
        runner.withPropertyValues("reactive-ipc.config.on-protocol-error=skip",
                        "reactive-ipc.config.create-directories=true", "reactive-ipc.config.allow-peers=" + me + ",7",
                        "reactive-ipc.config.delivery.mode=acknowledged", "reactive-ipc.config.delivery.replay-limit=100",
                        "reactive-ipc.config.delivery.ack-every=8", "reactive-ipc.config.delivery.ack-delay=5ms",
                        "reactive-ipc.config.delivery.ack-timeout=2s", "reactive-ipc.config.delivery.session-limit=16",
                        "reactive-ipc.config.delivery.session-expiry=1m",
                        "reactive-ipc.config.delivery.replay-budget=1000")
                .run(context -> {
                    IpcConfig config = context.getBean(IpcConfig.class);
                    assertThat(config.onProtocolError()).isEqualTo(IpcConfig.OnProtocolError.SKIP);
                    assertThat(config.createDirectories()).isTrue();
                    assertThat(config.allowPeers()).isNotNull();
                    assertThat(config.allowPeers().test(new PeerCredentials(me, 0, 1))).isTrue();
                    assertThat(config.allowPeers().test(new PeerCredentials(7, 0, 1))).isTrue();
                    assertThat(config.allowPeers().test(new PeerCredentials(8, 0, 1))).isFalse();
                    Delivery d = config.delivery();
                    assertThat(d.isAcknowledged()).isTrue();
                    assertThat(d.replayLimit()).isEqualTo(100);
                    assertThat(d.ackEvery()).isEqualTo(8);
                    assertThat(d.ackDelay()).isEqualTo(Duration.ofMillis(5));
                    assertThat(d.ackTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(d.sessionLimit()).isEqualTo(16);
                    assertThat(d.sessionExpiry()).isEqualTo(Duration.ofMinutes(1));
                    assertThat(d.replayBudget()).isEqualTo(1000);
                });
    }

    @Test
    void unsetHardeningOptionsKeepTheLibrarysDefaults() {
        runner.run(context -> {
            IpcConfig config = context.getBean(IpcConfig.class);
            assertThat(config.onProtocolError()).isEqualTo(IpcConfig.OnProtocolError.CLOSE);
            assertThat(config.createDirectories()).isFalse();
            assertThat(config.allowPeers()).isNull();
            assertThat(config.delivery().toString()).isEqualTo(Delivery.PLAIN.toString());
        });
    }

    @Test
    void createDirectoriesLetsTheServerBindUnderADirectoryThatIsNotThereYet() {
        Path socket = dir.resolve("run/app/app.sock");
        runner.withPropertyValues("reactive-ipc.server.address=unix:" + socket,
                        "reactive-ipc.config.create-directories=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(socket).exists();
                });
        runner.withPropertyValues("reactive-ipc.server.address=unix:" + dir.resolve("other/app.sock"))
                .run(context -> assertThat(context).hasFailed());
    }

    @Test
    void peerLimitsReachIpcConfig() {
        runner.withPropertyValues("reactive-ipc.config.peer-limits.frame-timeout=250ms",
                        "reactive-ipc.config.peer-limits.partial-frame-budget=4MB",
                        "reactive-ipc.config.peer-limits.write-timeout=3s",
                        "reactive-ipc.config.peer-limits.slow-consumer=skip",
                        "reactive-ipc.config.peer-limits.idle-timeout=2m",
                        "reactive-ipc.config.peer-limits.evict-quiet-after=0s")
                .run(context -> {
                    PeerLimits limits = context.getBean(IpcConfig.class).peerLimits();
                    assertThat(limits.frameTimeout()).isEqualTo(Duration.ofMillis(250));
                    assertThat(limits.partialFrameBudget()).isEqualTo(4L << 20);
                    assertThat(limits.writeTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(limits.slowConsumer()).isEqualTo(PeerLimits.SlowConsumer.SKIP);
                    assertThat(limits.idleTimeout()).isEqualTo(Duration.ofMinutes(2));
                    assertThat(limits.evictQuietAfter()).isZero();
                });
        runner.withPropertyValues("reactive-ipc.config.peer-limits.partial-frame-budget=1000")
                .run(context -> assertThat(context.getBean(IpcConfig.class).peerLimits().partialFrameBudget())
                        .as("a bare number is bytes").isEqualTo(1000));
    }

    @Test
    void unsetPeerLimitsKeepTheLibrarysDefaults() {
        runner.withPropertyValues("reactive-ipc.config.peer-limits.write-timeout=3s").run(context -> {
            PeerLimits limits = context.getBean(IpcConfig.class).peerLimits();
            PeerLimits defaults = PeerLimits.defaults();
            assertThat(limits.frameTimeout()).isEqualTo(defaults.frameTimeout());
            assertThat(limits.partialFrameBudget()).isEqualTo(defaults.partialFrameBudget());
            assertThat(limits.slowConsumer()).isEqualTo(defaults.slowConsumer());
            assertThat(limits.idleTimeout()).isEqualTo(defaults.idleTimeout());
            assertThat(limits.evictQuietAfter()).isEqualTo(defaults.evictQuietAfter());
        });
    }

    @Test
    void aPeerLimitTheLibraryRefusesFailsTheStartNamingTheProperty() {
        runner.withPropertyValues("reactive-ipc.config.peer-limits.frame-timeout=0s")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining(
                            "reactive-ipc.config.peer-limits.frame-timeout: frameTimeout must be positive, was PT0S");
                });
        runner.withPropertyValues("reactive-ipc.config.peer-limits.partial-frame-budget=0B")
                .run(context -> assertThat(context.getStartupFailure()).hasStackTraceContaining(
                        "reactive-ipc.config.peer-limits.partial-frame-budget: partialFrameBudget must be positive,"
                                + " was 0"));
        runner.withPropertyValues("reactive-ipc.config.peer-limits.slow-consumer=drop")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .hasStackTraceContaining("reactive-ipc.config.peer-limits.slow-consumer");
                });
    }

    @Test
    void anUnknownDeliveryModeOrProtocolErrorPolicyFailsTheStart() {
        runner.withPropertyValues("reactive-ipc.config.delivery.mode=exactly-once")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure()).hasStackTraceContaining("reactive-ipc.config.delivery.mode");
                });
        runner.withPropertyValues("reactive-ipc.config.on-protocol-error=ignore")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .hasStackTraceContaining("reactive-ipc.config.on-protocol-error");
                });
    }

    @Test
    void aBadAddressFailsTheStartWithTheFormsItTakes() {
        runner.withPropertyValues("reactive-ipc.server.address=/tmp/x.sock").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("'/tmp/x.sock' is not an address: use unix:/path/to.sock, tcp:host:port");
        });
    }

    @Test
    void addressForms() {
        assertThat(ReactiveIpcAutoConfiguration.parseAddress("unix:/tmp/a.sock"))
                .isEqualTo(IpcAddress.unix(Path.of("/tmp/a.sock")));
        assertThat(ReactiveIpcAutoConfiguration.parseAddress("tcp:localhost:8000"))
                .isEqualTo(IpcAddress.tcp("localhost", 8000));
        assertThat(ReactiveIpcAutoConfiguration.parseAddress("tcp://[::1]:8000"))
                .isEqualTo(IpcAddress.tcp("::1", 8000));
        assertThatThrownBy(() -> ReactiveIpcAutoConfiguration.parseAddress("tcp:localhost"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReactiveIpcAutoConfiguration.parseAddress("udp4:localhost:1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void healthIsUpWhileBoundAndConnectedAndDownWhenTheClientHasNoServer() {
        runner.withPropertyValues("reactive-ipc.server.address=" + address, "reactive-ipc.client.address=" + address)
                .run(context -> {
                    IpcClient client = context.getBean(IpcClient.class);
                    StepVerifier.create(client.events().filter(IpcEvent.Connected.class::isInstance).next())
                            .expectNextCount(1).expectComplete().verify(T);
                    HealthIndicator health = context.getBean("ipcHealthIndicator", HealthIndicator.class);
                    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
                    assertThat(health.health().getDetails()).containsEntry("client.connected", true)
                            .containsEntry("server.bound", true);
                });
        runner.withPropertyValues("reactive-ipc.client.address=unix:" + dir.resolve("nobody.sock"))
                .run(context -> {
                    HealthIndicator health = context.getBean("ipcHealthIndicator", HealthIndicator.class);
                    assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.health().getDetails()).containsEntry("client.connected", false);
                });
    }

    @Test
    void noHealthIndicatorWithoutServerOrClient() {
        runner.run(context -> assertThat(context).doesNotHaveBean("ipcHealthIndicator"));
    }

    /** Stands where the web server stops (its phase): it must still find the client and the server alive. */
    static final class WebServerStandIn implements SmartLifecycle {
        final List<String> seenAtStop = new ArrayList<>();
        private final IpcServer server;
        private final IpcClient client;
        private volatile boolean running;

        WebServerStandIn(IpcServer server, IpcClient client) {
            this.server = server;
            this.client = client;
        }

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            seenAtStop.add("client disposed " + client.isDisposed());
            seenAtStop.add("server disposed " + server.isDisposed());
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return SmartLifecycle.DEFAULT_PHASE - 2048;   // Boot's WebServerStartStopLifecycle
        }
    }

    @Test
    void closingTheApplicationDisposesClientAndServerAfterTheWebServerStops() {
        Path socket = dir.resolve("app.sock");
        List<String> seen = new ArrayList<>();
        IpcServer[] server = new IpcServer[1];
        IpcClient[] client = new IpcClient[1];
        runner.withPropertyValues("reactive-ipc.server.address=" + address, "reactive-ipc.client.address=" + address)
                .withBean(WebServerStandIn.class)
                .run(context -> {
                    server[0] = context.getBean(IpcServer.class);
                    client[0] = context.getBean(IpcClient.class);
                    assertThat(socket).exists();
                    WebServerStandIn web = context.getBean(WebServerStandIn.class);
                    context.close();
                    seen.addAll(web.seenAtStop);
                });
        assertThat(seen).containsExactly("client disposed false", "server disposed false");
        assertThat(client[0].isDisposed()).isTrue();
        assertThat(server[0].isDisposed()).isTrue();
        assertThat(socket).doesNotExist();   // the server removed its socket file
    }

    /**
     * An application slower than its peers: 1 ms per message, so the server holds 256 and stops reading, and the rest
     * waits in the socket buffers (or the client's queue) when the application stops.
     */
    private static Mono<Long> slowlyCounted(IpcServer server, int n) {
        Mono<Long> counted = server.on("n").delayElements(Duration.ofMillis(1)).take(n).count().cache();
        counted.subscribe();
        return counted;
    }

    @Test
    void whatAClientWroteBeforeTheApplicationStoppedIsDeliveredToTheServer() {
        int n = 2_000;   // ~50 KB: fits the socket buffers, so the peer's send completes with most of it unread
        List<Long> received = new ArrayList<>();
        runner.withPropertyValues("reactive-ipc.server.address=" + address, "reactive-ipc.shutdown-timeout=25s")
                .run(context -> {
                    Mono<Long> counted = slowlyCounted(context.getBean(IpcServer.class), n);
                    IpcClient peer = IpcClient.connect("app", IpcAddress.unix(dir.resolve("app.sock")),
                            IpcConfig.builder().silent(true).stopRetrying(0).build());
                    try {
                        peer.send(Flux.range(0, n).map(i -> Message.of("n", i))).block(T);
                        context.close();   // returns once the lifecycle stopped (or shutdown-timeout passed)
                        // on() ends with the server: the count is what was delivered
                        received.add(counted.block(T));
                    } finally {
                        peer.dispose();
                    }
                });
        assertThat(received).as("messages delivered").containsExactly((long) n);
    }

    @Test
    void whatTheApplicationsClientQueuedBeforeStoppingIsWrittenToItsServer() {
        int n = 2_000;
        String kilobyte = "x".repeat(1024);   // 2 MB in all: more than the socket buffers, the rest stays queued
        Path other = dir.resolve("other.sock");
        IpcServer server = IpcServer.bind(IpcAddress.unix(other), IpcConfig.builder().silent(true).build(), s -> {
        }).block(T);
        Mono<Long> received = slowlyCounted(server, n);
        try {
            runner.withPropertyValues("reactive-ipc.client.address=unix:" + other, "reactive-ipc.shutdown-timeout=25s")
                    .run(context -> {
                        IpcClient client = context.getBean(IpcClient.class);
                        StepVerifier.create(client.events().filter(IpcEvent.Connected.class::isInstance).next())
                                .expectNextCount(1).expectComplete().verify(T);
                        for (int i = 0; i < n; i++) {
                            client.emit("n", kilobyte).subscribe(null, e -> { });   // queued, not awaited
                        }
                        context.close();
                    });
            assertThat(received.block(T)).as("messages delivered").isEqualTo(n);
        } finally {
            server.disposeNow(T);
        }
    }
}
