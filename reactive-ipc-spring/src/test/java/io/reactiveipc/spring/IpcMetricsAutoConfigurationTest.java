package io.reactiveipc.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcServer;
import io.reactiveipc.spi.IpcMetricsRecorder;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class IpcMetricsAutoConfigurationTest {

    private static final Duration T = Duration.ofSeconds(10);

    private final String address = "local:metrics-" + UUID.randomUUID();
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ReactiveIpcAutoConfiguration.class,
                    IpcMetricsAutoConfiguration.class))
            .withPropertyValues("reactive-ipc.config.silent=true", "reactive-ipc.config.identify=false",
                    "reactive-ipc.server.address=" + address, "reactive-ipc.client.address=" + address);

    @Configuration(proxyBeanMethods = false)
    static class Registry {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Test
    void aMeterRegistryBeanMeasuresTheServerAndClientBeans() {
        runner.withUserConfiguration(Registry.class).run(context -> {
            IpcServer server = context.getBean(IpcServer.class);
            IpcClient client = context.getBean(IpcClient.class);
            client.connected().block(T);
            client.emit("hello", 1).block(T);
            server.inbound().next().block(T);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("reactive.ipc.server.messages").tag("direction", "in").counter().count())
                    .isEqualTo(1);
            assertThat(registry.get("reactive.ipc.client.connections.total").gauge().value()).isEqualTo(1);
        });
    }

    @Test
    void messageTypeTagsAreAProperty() {
        runner.withUserConfiguration(Registry.class)
                .withPropertyValues("reactive-ipc.metrics.message-types=true", "reactive-ipc.metrics.max-types=1")
                .run(context -> {
                    IpcServer server = context.getBean(IpcServer.class);
                    IpcClient client = context.getBean(IpcClient.class);
                    client.connected().block(T);
                    client.emit("first", 1).then(client.emit("second", 2)).block(T);
                    server.inbound().take(2).blockLast(T);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.get("reactive.ipc.server.messages").tags("direction", "in", "type", "first")
                            .counter().count()).isEqualTo(1);
                    assertThat(registry.get("reactive.ipc.server.messages").tags("direction", "in", "type", "other")
                            .counter().count()).isEqualTo(1);
                });
    }

    @Test
    void withoutARegistryOrWhenDisabledThereIsNoRecorder() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(IpcMetricsRecorder.class);
            assertThat(context.getBean(IpcConfig.class).metrics()).isSameAs(IpcMetricsRecorder.NONE);
        });
        runner.withUserConfiguration(Registry.class).withPropertyValues("reactive-ipc.metrics.enabled=false")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(IpcMetricsRecorder.class);
                    assertThat(context.getBean(IpcConfig.class).metrics()).isSameAs(IpcMetricsRecorder.NONE);
                });
    }
}
