package io.reactiveipc.examples.webflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The page in a real headless Chromium, driven by playwright-core ({@code browser/page-test.mjs}): live news
 * arrives, a message typed in the send box comes back over SSE, the request box gets the hub's answer; a
 * screenshot is left in {@code target/spring-webflux-page.png}. The build installs playwright-core and Debian's
 * Chromium ({@code browser/install.sh}); without a Chromium this test fails and says what to install.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"example.ticker-interval=500ms", "reactive-ipc.config.silent=true"})
class BrowserTest {

    @DynamicPropertySource
    static void socket(DynamicPropertyRegistry registry) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ipc-browser");
        dir.toFile().deleteOnExit();
        registry.add("reactive-ipc.server.address", () -> "unix:" + dir.resolve("hub.sock"));
    }

    @LocalServerPort
    int port;

    @Test
    void thePageShowsLiveNewsAndRoundTripsTheSendBox() throws Exception {
        Path browserDir = Path.of(System.getProperty("browser.dir", "browser"));
        String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
        if (!Files.isExecutable(Path.of(chromium))) {
            fail("No Chromium at " + chromium + ": browser/install.sh (run by the build) installs Debian's chromium"
                    + " when it runs as root; otherwise `sudo apt-get install chromium`, or set CHROMIUM=/path/to/chrome");
        }
        if (!Files.isDirectory(browserDir.resolve("node_modules/playwright-core"))) {
            fail("playwright-core is not installed in " + browserDir + ": run browser/install.sh (the build does)");
        }
        Path screenshot = Path.of(System.getProperty("screenshot.dir", "target")).resolve("spring-webflux-page.png");
        Files.deleteIfExists(screenshot);

        Process node = new ProcessBuilder("node", "page-test.mjs", "http://localhost:" + port + "/",
                screenshot.toAbsolutePath().toString(), chromium)
                .directory(browserDir.toFile())
                .redirectErrorStream(true)
                .start();
        node.getOutputStream().close();
        boolean done = node.waitFor(120, TimeUnit.SECONDS);
        if (!done) {
            node.destroyForcibly();
        }
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(done).as("the browser run did not end within 120 s:%n%s", output).isTrue();
        assertThat(node.exitValue()).as("the browser run failed:%n%s", output).isZero();
        assertThat(output).contains("live messages arrive", "send box round trip: hello from chromium",
                "request/response: PING OVER IPC");
        assertThat(screenshot).isNotEmptyFile();
    }
}
