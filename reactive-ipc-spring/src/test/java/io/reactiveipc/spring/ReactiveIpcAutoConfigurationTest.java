package io.reactiveipc.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
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
}
