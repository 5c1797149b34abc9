package io.reactiveipc.examples.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The HTTP side, against the application on a random port, its hub on a fresh Unix socket. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"example.ticker-interval=0s", "example.sse-buffer=64", "reactive-ipc.config.silent=true"})
class NewsControllerTest {

    private static final Duration T = Duration.ofSeconds(30);
    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
    };

    @DynamicPropertySource
    static void socket(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ipc-webflux");
        dir.toFile().deleteOnExit();
        registry.add("reactive-ipc.server.address", () -> "unix:" + dir.resolve("hub.sock"));
    }

    @LocalServerPort
    int port;

    @Autowired
    IpcServer hub;

    @Autowired
    NewsController controller;

    WebTestClient web;

    @BeforeEach
    void client() {
        web = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(T).build();
    }

    /** The SSE stream of /api/news, from its first message (the ":subscribed" comment dropped). */
    private Flux<ServerSentEvent<String>> news() {
        return web.get().uri("/api/news").accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(SSE)
                .getResponseBody()
                .filter(e -> e.data() != null);
    }

    @Test
    void postedNewsComesBackOnTheStreamAsAnIpcMessage() {
        Flux<ServerSentEvent<String>> stream = news();   // subscribed to the topic once the headers are in
        web.post().uri("/api/news").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("from", "alice", "text", "hello everyone"))
                .exchange()
                .expectStatus().isAccepted();
        StepVerifier.create(stream.filter(e -> e.data().contains("alice")).take(1))
                .assertNext(e -> assertThat(e.data())
                        .isEqualTo("{\"type\":\"news\",\"data\":{\"from\":\"alice\",\"text\":\"hello everyone\"}}"))
                .expectComplete()
                .verify(T);
    }

    @Test
    void postEmitsOnTheIpcSocket() {
        StepVerifier.create(hub.on("news").next())
                .then(() -> web.post().uri("/api/news").contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("from", "bob", "text", "over the socket"))
                        .exchange()
                        .expectStatus().isAccepted())
                .assertNext(in -> {
                    assertThat(in.connection().id()).isEqualTo("web");   // the application's client
                    assertThat(in.data(WebfluxApplication.News.class))
                            .isEqualTo(new WebfluxApplication.News("bob", "over the socket"));
                })
                .expectComplete()
                .verify(T);
    }

    @Test
    void getAsksTheHubAndReturnsItsAnswer() {
        web.get().uri("/api/upper?text={t}", "hello ipc")
                .exchange()
                .expectStatus().isOk()
                .expectBody().json("{\"type\":\"upper\",\"data\":\"HELLO IPC\"}", true);
    }

    @Test
    void healthShowsTheIpcIndicator() {
        web.get().uri("/actuator/health")
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.components.ipc.status").isEqualTo("UP")
                .jsonPath("$.components.ipc.details['client.connected']").isEqualTo(true);
    }

    /**
     * A browser that stops reading (a socket that sends its GET and reads nothing) while 1,000 messages of 16 KiB
     * (16 MiB, more than the kernel buffers between it and the server hold) go through, sent in windows of 32 as
     * fast as another subscriber reads them: that one gets every message, in order, at its own pace; the stalled
     * one is not cut off (as the client's inbound hub cuts a subscriber 8192 messages behind), loses only its
     * oldest, and gets the newest when it reads again. Both read with plain sockets: Spring's SSE decoder reads
     * byte by byte, and under the paranoid leak detector every byte read of a Netty buffer records a stack trace.
     */
    @Test
    void aStalledSubscriberNeitherSlowsNorLosesTheOthers() throws IOException {
        int n = 1000;
        int window = 32;   // below example.sse-buffer (64): a subscriber that keeps up loses nothing
        String pad = "x".repeat(16 * 1024);
        java.util.function.IntFunction<Flux<Message>> batch = from -> Flux.range(from, window)
                .map(i -> Message.of("news", new WebfluxApplication.News("load", i + pad)));
        try (Socket slow = sse(); Socket fast = sse()) {
            BufferedReader slowIn = reader(slow);
            readUntil(slowIn, ":subscribed");   // its subscription to the topic is in place; now it stops reading
            BufferedReader fastIn = reader(fast);
            readUntil(fastIn, ":subscribed");
            long droppedBefore = controller.dropped();

            hub.broadcast(batch.apply(0)).subscribe();
            for (int i = 0; i < n; i++) {
                String line;
                try {
                    line = nextData(fastIn);
                } catch (IOException e) {
                    throw new AssertionError("message " + i + " did not arrive; dropped " + controller.dropped(), e);
                }
                assertThat(line).as("message %d", i).contains("\"text\":\"" + i + "x");   // every one, in order
                if ((i + 1) % window == 0 && i + 1 < n) {
                    hub.broadcast(batch.apply(i + 1)).subscribe();
                }
            }

            // the stalled one reads again: still connected, the newest message arrives, some older ones were dropped
            slow.setSoTimeout(60_000);   // ~5 MiB still in the kernel buffers, read on a machine that may be busy
            int received = 0;
            String last = "\"text\":\"" + (n - 1) + "x";
            String line;
            do {
                line = nextData(slowIn);
                received++;
            } while (!line.contains(last));
            assertThat(received).isLessThan(n);
            assertThat(controller.dropped() - droppedBefore).isEqualTo(n - received);
        }
    }

    private Socket sse() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(64 * 1024);
        socket.connect(new InetSocketAddress("localhost", port), 5000);
        socket.setSoTimeout((int) T.toMillis());
        OutputStream out = socket.getOutputStream();
        out.write("GET /api/news HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), 8192);
    }

    /** The next news message's JSON line (chunked: "data:", the JSON and the blank line come as chunks). */
    private static String nextData(BufferedReader in) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("{\"type\":\"news\"")) {
                return line;
            }
        }
        throw new AssertionError("the stream ended");
    }

    private static void readUntil(BufferedReader in, String marker) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.contains(marker)) {
                return;
            }
        }
        throw new IOException("stream ended before " + marker);
    }
}
