package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.Message;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcFixtures;
import io.reactiveipc.test.IpcTestAddresses;
import io.reactiveipc.testsupport.chaos.ChaosRecords;
import io.reactiveipc.testsupport.chaos.ChaosServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Acknowledged delivery against a server in another JVM that is SIGKILLed ({@code destroyForcibly}) and started
 * again three times during one {@code send(Publisher)} stream: the server's durable record holds every message
 * exactly once, in order. Each kill lands while part of a batch is written and not yet acknowledged (the server
 * has reported half of it), and the next batch is emitted while no server runs.
 */
@ExtendWith(IpcExtension.class)
class AckChaosTest {

    static final int BATCH = 2_000;
    static final int KILLS = 3;
    static final int N = BATCH * (KILLS + 1);
    static final Duration T = Duration.ofSeconds(30);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    @Timeout(90)
    void everyMessageReachesAServerKilledThreeTimesExactlyOnceInOrder(String kind, IpcFixtures fx) throws Exception {
        Path dir = IpcTestAddresses.freshDirectory();
        Path file = dir.resolve("log");
        IpcAddress address = kind.equals("unix") ? IpcAddress.unix(dir.resolve("s.sock"))
                : IpcTestAddresses.freeTcpPort();
        String where = kind.equals("unix") ? ((IpcAddress.Unix) address).path().toString()
                : String.valueOf(((IpcAddress.Tcp) address).port());
        ChaosServerProcess.Launch launch = new ChaosServerProcess.Launch(kind, where, file, N, 100,
                List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m"), T);
        ChaosServerProcess server = launch.start();
        try {
            IpcClient client = fx.client(address, IpcFixtures.TEST_CONFIG.toBuilder()
                    .delivery(Delivery.ACKNOWLEDGED).build());
            Sinks.Many<Message> source = Sinks.many().unicast().onBackpressureBuffer();
            Mono<Void> sent = client.send(source.asFlux()).cache();
            sent.subscribe(null, e -> { });
            long next = 1;
            for (int batch = 0; batch <= KILLS; batch++) {
                for (int i = 0; i < BATCH; i++) {
                    source.tryEmitNext(Message.of("n", next++)).orThrow();
                }
                if (batch < KILLS) {
                    server.awaitCount(batch * BATCH + BATCH / 2); // mid-batch: some written and not yet acked
                    server.kill();
                    server = launch.start();
                }
            }
            source.tryEmitComplete();
            sent.block(T); // every message acknowledged
        } finally {
            server.kill();
        }
        List<ChaosRecords.Entry> records = ChaosRecords.read(file);
        assertThat(records).as("records").hasSize(N);
        for (int i = 0; i < N; i++) {
            assertThat(records.get(i)).as("record %d", i).isEqualTo(new ChaosRecords.Entry(i + 1, i + 1));
        }
    }
}
