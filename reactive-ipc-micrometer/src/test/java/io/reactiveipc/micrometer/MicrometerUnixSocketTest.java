package io.reactiveipc.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.test.IpcExpect;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcFixtures;
import io.reactiveipc.test.RawConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The same meters over a real Unix socket, where bytes are the socket's. */
@ExtendWith(IpcExtension.class)
class MicrometerUnixSocketTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final IpcConfig config = IpcFixtures.TEST_CONFIG.toBuilder().identify(false)
            .metrics(MicrometerIpcMetrics.recorder(registry)).build();

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Test
    void countsMessagesAndTheBytesOfTheirFrames(IpcFixtures ipc) {
        IpcServer server = ipc.server(config);
        IpcClient client = ipc.client(server.address(), config);
        client.connected().block(WAIT);
        long frames = 0;
        for (int i = 0; i < 500; i++) {
            frames += ("{\"type\":\"tick\",\"data\":" + i + "}\f").getBytes(StandardCharsets.UTF_8).length;
        }
        client.send(Flux.range(0, 500).map(i -> Message.of("tick", i))).block(WAIT);
        server.inbound().take(500).blockLast(WAIT);

        assertThat(count("reactive.ipc.client.messages", "direction", "out")).isEqualTo(500);
        assertThat(count("reactive.ipc.server.messages", "direction", "in")).isEqualTo(500);
        assertThat(count("reactive.ipc.client.data", "direction", "out")).isEqualTo(frames);
        assertThat(count("reactive.ipc.server.data", "direction", "in")).isEqualTo(frames);
        assertThat(registry.get("reactive.ipc.server.data").tags("uri", "unix", "direction", "in").counter()
                .getId().getBaseUnit()).isEqualTo("bytes");
    }

    @Test
    void aBadFrameIsCountedWithItsCodeAndTheConnectionReadsOn(IpcFixtures ipc) {
        // reading on after a bad frame is SKIP's; the default (CLOSE, since the protocol-errors merge) closes
        IpcServer server = ipc.server(config.toBuilder().onProtocolError(io.reactiveipc.IpcConfig.OnProtocolError.SKIP).build());
        Mono<IpcEvent> failure = server.events()
                .filter(IpcExpect.protocolFailure(IpcProtocolException.Reason.MALFORMED_JSON)).next().cache();
        failure.subscribe();
        Mono<?> ok = server.inbound().next().cache(); // subscribed before the write: "ok" may arrive before block()
        ok.subscribe();
        try (RawConnection raw = RawConnection.to(server.address())) {
            raw.write("not json\f{\"type\":\"ok\",\"data\":1}\f");
            ok.block(WAIT);
            failure.block(WAIT);
        }
        assertThat(count("reactive.ipc.server.protocol.errors", "code", "MALFORMED_JSON")).isEqualTo(1);
        assertThat(count("reactive.ipc.server.protocol.errors", "code", "INVALID_MESSAGE")).isZero();
        assertThat(count("reactive.ipc.server.messages", "direction", "in")).isEqualTo(1);
    }

    @Test
    void theQueueGaugeShowsWhatAClientHoldsWhileNobodyListens(IpcFixtures ipc) {
        IpcClient client = ipc.client(ipc.address(), config.toBuilder().retry(60_000).build());
        for (int i = 0; i < 7; i++) {
            client.outbound().tryEmitNext(Message.of("later", i));
        }
        assertThat(registry.get("reactive.ipc.client.queue.size").gauge().value()).isEqualTo(7);
        assertThat(registry.get("reactive.ipc.client.queue.max").gauge().value()).isEqualTo(7);
        client.dispose();
        client.onDispose().block(WAIT);
        assertThat(registry.get("reactive.ipc.client.queue.size").gauge().value()).isZero();
    }
}
