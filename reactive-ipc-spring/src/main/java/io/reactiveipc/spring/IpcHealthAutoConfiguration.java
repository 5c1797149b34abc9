package io.reactiveipc.spring;

import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcServer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * The {@code ipc} health indicator, when Boot's health support is on the class path and there is an
 * {@link IpcServer} or an {@link IpcClient} bean. After {@link ReactiveIpcAutoConfiguration}, so that its beans
 * are known when the condition is evaluated.
 */
@AutoConfiguration(after = ReactiveIpcAutoConfiguration.class)
@ConditionalOnClass({IpcServer.class, HealthIndicator.class})
@ConditionalOnEnabledHealthIndicator("ipc")
@Conditional(IpcHealthAutoConfiguration.OnServerOrClient.class)
class IpcHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "ipcHealthIndicator")
    HealthIndicator ipcHealthIndicator(ObjectProvider<IpcServer> server, ObjectProvider<IpcClient> client) {
        return new IpcHealthIndicator(server.getIfUnique(), client.getIfUnique());
    }

    static final class OnServerOrClient extends AnyNestedCondition {

        OnServerOrClient() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnBean(IpcServer.class)
        static final class Server {
        }

        @ConditionalOnBean(IpcClient.class)
        static final class Client {
        }
    }
}
