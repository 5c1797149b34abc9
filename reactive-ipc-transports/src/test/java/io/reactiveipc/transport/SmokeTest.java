package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.internal.Transports;
import io.reactiveipc.test.IpcTestAddresses;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SmokeTest {

    @ParameterizedTest
    @ValueSource(strings = {"unix-epoll", "unix-nio", "tcp-epoll", "tcp-nio"})
    void echo(String kind) {
        NettyTransport t = new NettyTransport(kind.endsWith("epoll"));
        IpcAddress a = kind.startsWith("unix") ? IpcTestAddresses.unix() : IpcTestAddresses.tcp();
        IpcServer server = Transports.bindServer(t, a, IpcConfig.defaults()).block(Duration.ofSeconds(5));
        server.on("message").flatMap(in -> in.reply("message", in.message().data(String.class) + " world!")).subscribe();
        IpcClient client = Transports.connectClient(t, "world", server.address(), IpcConfig.defaults());
        client.emit("message", "hello").subscribe();
        Message reply = client.on("message").blockFirst(Duration.ofSeconds(5));
        assertThat(reply.data(String.class)).isEqualTo("hello world!");
        client.disposeNow(Duration.ofSeconds(5));
        server.disposeNow(Duration.ofSeconds(5));
    }
}
