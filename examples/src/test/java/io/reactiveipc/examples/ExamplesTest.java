package io.reactiveipc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcServer;
import io.reactiveipc.test.IpcTestAddresses;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The examples do what README says they do. */
class ExamplesTest {

    @Test
    void helloAndWorldTalkOverAUnixSocket() {
        IpcServer server = WorldServer.start(IpcTestAddresses.unix());
        try {
            assertThat(HelloClient.hello(server.address(), "hello")).isEqualTo("hello world!");
            assertThat(HelloClient.hello(server.address(), "again")).isEqualTo("again world!");
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Test
    void helloAndWorldTalkOverTcp() {
        IpcServer server = WorldServer.start(IpcTestAddresses.tcp());
        try {
            assertThat(HelloClient.hello(server.address(), "hello")).isEqualTo("hello world!");
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Test
    void theQueueDemoDeliversEverythingEmittedBeforeTheServerExisted() {
        assertThat(QueueDemo.run(IpcTestAddresses.unix(), 5))
                .containsExactly("request 1", "request 2", "request 3", "request 4", "request 5");
    }

    @Test
    void argumentsFollowNodeIpcDefaults() {
        assertThat(Args.address(new String[0], "world")).isEqualTo(IpcAddress.unix(java.nio.file.Path.of(
                "/tmp/app.world")));
        assertThat(Args.address(new String[] {"tcp"}, "world")).isEqualTo(IpcAddress.tcp("127.0.0.1", 8000));
    }
}
