package io.reactiveipc.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcRemoteException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.IpcTimeoutException;
import io.reactiveipc.Message;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

/** What a user reads from the meters, over the in-JVM transport. */
class MicrometerIpcMetricsTest {

    @RegisterExtension
    static final IpcExtension IPC = IpcExtension.inJvm();

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final IpcConfig config = IpcFixtures.TEST_CONFIG.toBuilder().identify(false)
            .metrics(MicrometerIpcMetrics.recorder(registry)).build();

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    @Test
    void countsEachMessageInAndOutAndTheConnectionsOpenNow(IpcFixtures ipc) {
        IpcServer server = ipc.server(config);
        IpcClient client = ipc.client(server.address(), config);
        client.connected().block(WAIT);
        for (int i = 0; i < 100; i++) {
            client.emit("tick", i).block(WAIT);
        }
        server.inbound().take(100).blockLast(WAIT);

        assertThat(count("reactive.ipc.client.messages", "direction", "out")).isEqualTo(100);
        assertThat(count("reactive.ipc.server.messages", "direction", "in")).isEqualTo(100);
        assertThat(count("reactive.ipc.server.data", "direction", "in"))
                .isEqualTo(count("reactive.ipc.client.data", "direction", "out")).isGreaterThan(100 * 10);
        assertThat(gauge("reactive.ipc.server.connections.total")).isEqualTo(1);
        assertThat(gauge("reactive.ipc.client.connections.total")).isEqualTo(1);
        assertThat(registry.get("reactive.ipc.server.connections.total").tag("uri", "local")
                .tag("local.address", server.address().toString()).gauge()).isNotNull();

        Mono<IpcEvent> gone = server.events().filter(e -> e instanceof IpcEvent.Disconnected).next().cache();
        gone.subscribe();
        client.dispose();
        client.onDispose().block(WAIT);
        gone.block(WAIT);
        assertThat(gauge("reactive.ipc.client.connections.total")).isZero();
        assertThat(gauge("reactive.ipc.server.connections.total")).isZero();
    }

    @Test
    void timesRequestsByTypeAndOutcome(IpcFixtures ipc) {
        IpcServer server = ipc.server(config);
        server.handle("echo", in -> Mono.just(in.data(Integer.class)));
        server.handle("slow", in -> Mono.never());
        IpcClient client = ipc.client(server.address(),
                config.toBuilder().requestTimeout(Duration.ofMillis(200)).build());
        client.connected().block(WAIT);

        assertThat(client.request("echo", 7).block(WAIT).data(Integer.class)).isEqualTo(7);
        assertThatThrownBy(() -> client.request("slow", null).block(WAIT)).isInstanceOf(IpcTimeoutException.class);
        assertThatThrownBy(() -> client.request("nobody", null).block(WAIT)).isInstanceOf(IpcRemoteException.class);

        var ok = registry.get("reactive.ipc.client.requests").tags("type", "echo", "outcome", "success").timer();
        var late = registry.get("reactive.ipc.client.requests").tags("type", "slow", "outcome", "timeout").timer();
        assertThat(ok.count()).isEqualTo(1);
        assertThat(late.count()).isEqualTo(1);
        assertThat(late.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(150);
        assertThat(registry.get("reactive.ipc.client.requests").tags("type", "nobody", "outcome", "error").timer()
                .count()).isEqualTo(1);
        assertThat(registry.get("reactive.ipc.client.requests").tags("type", "slow", "outcome", "success").timer()
                .count()).isZero();
    }

    @Test
    void aCancelledRequestIsTimedAsCancel(IpcFixtures ipc) {
        IpcServer server = ipc.server(config);
        server.handle("slow", in -> Mono.never());
        IpcClient client = ipc.client(server.address(), config);
        client.connected().block(WAIT);
        client.request("slow", null).subscribe().dispose();
        assertThat(registry.get("reactive.ipc.client.requests").tags("type", "slow", "outcome", "cancel").timer()
                .count()).isEqualTo(1);
    }

    @Test
    void refusedConnectionsAreCountedWithTheirReason(IpcFixtures ipc) {
        IpcServer server = ipc.server(config.toBuilder().maxConnections(1).build());
        Mono<IpcEvent> rejected = server.events().filter(e -> e instanceof IpcEvent.Rejected).next().cache();
        rejected.subscribe();
        ipc.client(server.address(), config).connected().block(WAIT);
        ipc.client(server.address(), config.toBuilder().stopRetrying(true).build());
        rejected.block(WAIT);
        assertThat(count("reactive.ipc.server.connections.refused", "reason", "max.connections")).isEqualTo(1);
        assertThat(gauge("reactive.ipc.server.connections.total")).isEqualTo(1);
    }

    @Test
    void aClientThatConnectsAgainCountsAReconnect(IpcFixtures ipc) {
        IpcAddress address = ipc.address();
        IpcServer first = IpcServer.bind(address, config).block(WAIT);
        IpcClient client = ipc.client(address, config);
        List<IpcEvent> connects = new ArrayList<>();
        Mono<List<IpcEvent>> twice = client.events().filter(e -> e instanceof IpcEvent.Connected).take(2)
                .collectList().cache();
        twice.subscribe();
        client.connected().block(WAIT);
        first.dispose();
        first.onDispose().block(WAIT);
        ipc.server(address, config);
        connects.addAll(twice.block(WAIT));

        assertThat(connects).hasSize(2);
        assertThat(count("reactive.ipc.client.reconnects")).isEqualTo(1);
        assertThat(gauge("reactive.ipc.client.connections.total")).isEqualTo(1);
        assertThat(gauge("reactive.ipc.server.connections.total")).isEqualTo(1); // the new server, same address
    }

    @Test
    void meterCountDoesNotGrowWithConnections(IpcFixtures ipc) {
        IpcServer server = ipc.server(config);
        IpcClient one = ipc.client(server.address(), config);
        one.connected().block(WAIT);
        one.emit("tick", 1).block(WAIT);
        server.inbound().next().block(WAIT);
        Set<Meter.Id> before = ids();

        for (int i = 0; i < 20; i++) {
            IpcClient c = ipc.client(server.address(), config);
            c.connected().block(WAIT);
            c.emit("tick", i).block(WAIT);
            c.dispose();
            c.onDispose().block(WAIT);
        }
        assertThat(ids()).isEqualTo(before);
    }

    @Test
    void messageTypesAreTaggedOnlyWhenAskedAndBoundedThen(IpcFixtures ipc) {
        IpcConfig typed = config.toBuilder()
                .metrics(MicrometerIpcMetrics.recorder(registry, o -> o.messageTypes(true).maxTypes(2))).build();
        IpcServer server = ipc.server(typed);
        IpcClient client = ipc.client(server.address(), typed);
        client.connected().block(WAIT);
        for (String type : List.of("a", "b", "c", "d", "a")) {
            client.send(Message.of(type, null)).block(WAIT);
        }
        server.inbound().take(5).blockLast(WAIT);

        assertThat(count("reactive.ipc.server.messages", "direction", "in", "type", "a")).isEqualTo(2);
        assertThat(count("reactive.ipc.server.messages", "direction", "in", "type", "b")).isEqualTo(1);
        assertThat(count("reactive.ipc.server.messages", "direction", "in", "type", "other")).isEqualTo(2);
        assertThat(registry.find("reactive.ipc.server.messages").tag("type", "c").counter()).isNull();
        assertThat(registry.find("reactive.ipc.server.messages").counters().stream()
                .map(c -> c.getId().getTag("type")).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("a", "b", "other");
    }

    @Test
    void rejectsAPrefixThatWouldMakeOddNames() {
        assertThatThrownBy(() -> MicrometerIpcMetrics.recorder(registry, o -> o.prefix("ipc.")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private Set<Meter.Id> ids() {
        return registry.getMeters().stream().map(Meter::getId).collect(Collectors.toSet());
    }
}
