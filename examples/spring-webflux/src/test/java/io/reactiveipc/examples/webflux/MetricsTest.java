package io.reactiveipc.examples.webflux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The IPC meters as a user reads them: actuator's {@code /actuator/metrics/reactive.ipc...} after traffic. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"example.ticker-interval=0s", "reactive-ipc.config.silent=true"})
class MetricsTest {

    private static final Duration T = Duration.ofSeconds(30);

    @DynamicPropertySource
    static void socket(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ipc-metrics");
        dir.toFile().deleteOnExit();
        registry.add("reactive-ipc.server.address", () -> "unix:" + dir.resolve("hub.sock"));
    }

    @LocalServerPort
    int port;

    @Test
    void theActuatorShowsTheRequestAndTheMessagesItCaused() {
        WebTestClient web = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(T).build();
        web.get().uri("/api/upper?text={t}", "count me").exchange().expectStatus().isOk();
        web.post().uri("/api/news").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("from", "carol", "text", "one")).exchange().expectStatus().isAccepted();

        web.get().uri("/actuator/metrics/reactive.ipc.client.requests?tag=type:upper&tag=outcome:success")
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.baseUnit").isEqualTo("seconds")
                .jsonPath("$.measurements[?(@.statistic == 'COUNT')].value").isEqualTo(1.0);
        // the client sent its hello, the request and the news: the server's count reaches 3 once they are read
        web.get().uri("/actuator/metrics/reactive.ipc.client.messages?tag=direction:out")
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.measurements[0].value").isEqualTo(3.0);
        web.get().uri("/actuator/metrics/reactive.ipc.server.connections.total")
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.measurements[0].value").isEqualTo(1.0);
    }
}
