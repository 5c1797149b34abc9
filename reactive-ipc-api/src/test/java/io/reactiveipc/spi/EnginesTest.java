package io.reactiveipc.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcException;
import io.reactiveipc.Message;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class EnginesTest {

    private static final String MISSING_JAR = "io.reactiveipc:reactive-ipc-api";

    @Test
    void theEngineIsRegisteredForTheClassPathToo() throws IOException {
        // module-info's provides serves the module path; this file the class path (and shaded jars that keep it)
        try (InputStream in = IpcEngine.class.getClassLoader()
                .getResourceAsStream("META-INF/services/" + IpcEngine.class.getName())) {
            assertThat(in).as("META-INF/services/" + IpcEngine.class.getName()).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip())
                    .isEqualTo(IpcEngine.get().getClass().getName());
        }
        assertThat(IpcEngine.get()).isNotInstanceOf(Engines.Missing.class);
    }

    @Test
    void withoutAnEngineEveryFactoryFailsNamingTheJar() {
        // a loader that sees no provider: what a shaded jar without its services file looks like
        IpcEngine none = Engines.load(new URLClassLoader(new URL[0], null));
        assertThat(none).isInstanceOf(Engines.Missing.class);
        IpcAddress address = IpcAddress.unix(Path.of("/tmp/never-bound.sock"));
        IpcConfig config = IpcConfig.defaults();
        StepVerifier.create(none.bindServer(null, address, config, s -> { }))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IpcException.class)
                        .hasMessageContaining(MISSING_JAR)
                        .hasMessageContaining("META-INF/services/io.reactiveipc.spi.IpcEngine"))
                .verify(Duration.ofSeconds(5));
        assertThatThrownBy(() -> none.connectClient(null, "c", address, config))
                .isInstanceOf(IpcException.class).hasMessageContaining(MISSING_JAR);
        assertThatThrownBy(() -> none.nodeIpcCodec(none.defaultMapper(), new byte[] {'\f'}))
                .isInstanceOf(IpcException.class).hasMessageContaining(MISSING_JAR);
        // a forged accessor goes nowhere
        none.install(proxyParts());
        assertThat(Message.of("still", 1).data(Integer.class)).isEqualTo(1);
    }

    private static MessageParts proxyParts() {
        return (MessageParts) java.lang.reflect.Proxy.newProxyInstance(EnginesTest.class.getClassLoader(),
                new Class<?>[] {MessageParts.class}, (p, m, a) -> {
                    throw new AssertionError("used: " + m);
                });
    }
}
