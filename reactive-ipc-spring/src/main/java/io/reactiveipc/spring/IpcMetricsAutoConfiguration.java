package io.reactiveipc.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.reactiveipc.IpcServer;
import io.reactiveipc.micrometer.MicrometerIpcMetrics;
import io.reactiveipc.spi.IpcMetricsRecorder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;

/**
 * An {@link IpcMetricsRecorder} bean writing to the application's {@link MeterRegistry}, when
 * {@code reactive-ipc-micrometer} is on the class path and there is a registry (Spring Boot's actuator makes one);
 * {@link ReactiveIpcAutoConfiguration}'s {@code IpcConfig} takes it, so the server and client beans are measured:
 * {@code /actuator/metrics/reactive.ipc.server.messages} and the rest ({@link MicrometerIpcMetrics} lists them).
 * A config you declare yourself takes it with {@code .metrics(recorder)}.
 *
 * <pre>{@code
 * reactive-ipc.metrics.enabled=true          # default; false: no recorder bean
 * reactive-ipc.metrics.message-types=false   # default; true: message counters tagged by type
 * reactive-ipc.metrics.max-types=100         # distinct type tag values per server or client, then "other"
 * }</pre>
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnClass({IpcServer.class, MicrometerIpcMetrics.class, MeterRegistry.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "reactive-ipc.metrics.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IpcMetricsAutoConfiguration.Properties.class)
class IpcMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    IpcMetricsRecorder reactiveIpcMetrics(MeterRegistry registry, Properties properties) {
        return MicrometerIpcMetrics.recorder(registry,
                o -> o.messageTypes(properties.messageTypes()).maxTypes(properties.maxTypes()));
    }

    /**
     * {@code reactive-ipc.metrics.*}.
     *
     * @param enabled false: no recorder (default true)
     * @param messageTypes true: message counters get a {@code type} tag (default false)
     * @param maxTypes distinct {@code type} tag values per server or client, later ones {@code "other"} (100)
     */
    @ConfigurationProperties("reactive-ipc.metrics")
    record Properties(@DefaultValue("true") boolean enabled, @DefaultValue("false") boolean messageTypes,
            @DefaultValue("100") int maxTypes) {
    }
}
