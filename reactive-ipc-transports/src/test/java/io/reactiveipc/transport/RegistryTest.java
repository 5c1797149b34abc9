package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.Ipc;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.internal.Transports;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.test.IpcTestAddresses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** node-ipc's ipc object: default paths, ipc.of, disconnect, serve/serveNet, all through the ServiceLoader. */
class RegistryTest {

    static final Duration T = Duration.ofSeconds(10);

    @Test
    void theTransportFoundByTheServiceLoaderIsNativeEpollOnLinuxX86() {
        NettyTransport t = (NettyTransport) Transports.forAddress(IpcAddress.unix(Path.of("/x")));
        assertThat(t.isNative()).as("netty-transport-native-epoll loads on this machine").isTrue();
    }

    @Test
    void aTransportGivenAsAValueIsUsedAndOneThatCannotServeTheAddressIsAClearError() {
        NettyTransport nio = NettyTransport.builder().nativeTransport(false).build();
        assertThat(nio.isNative()).isFalse();
        IpcConfig quiet = IpcConfig.builder().silent(true).build();
        IpcServer server = IpcServer.bind(nio, IpcTestAddresses.unix(), quiet,
                s -> s.handle("m", in -> Mono.just("nio"))).block(T);
        IpcClient client = IpcClient.connect(nio, "s", server.address(), quiet);
        assertThat(client.request("m", 1).block(T).data(String.class)).isEqualTo("nio");
        client.disposeNow(T);
        server.disposeNow(T);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> IpcServer.bind(nio, IpcAddress.local("x"), quiet)
                .block(T)).isInstanceOf(io.reactiveipc.IpcException.class).hasMessageContaining("does not serve");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> IpcClient.connect(nio, "x", IpcAddress.local("x"),
                quiet)).isInstanceOf(io.reactiveipc.IpcException.class).hasMessageContaining("does not serve");
    }

    @Test
    void serveAndConnectToUseSocketRootAppspaceIdAndOfKeepsTheClient() {
        Path root = IpcTestAddresses.freshDirectory();
        IpcConfig config = IpcConfig.builder().socketRoot(root + "/").appspace("test.").id("world").silent(true)
                .build();
        Ipc worldSide = Ipc.create(config);
        IpcServer server = worldSide.serve().block(T);
        assertThat(Files.exists(root.resolve("test.world"))).isTrue();
        server.handle("message", in -> Mono.just(in.data(String.class) + " world!"));

        Ipc helloSide = Ipc.create(config.toBuilder().id("hello").build());
        IpcClient world = helloSide.connectTo("world");
        assertThat(helloSide.of("world")).containsSame(world);
        assertThat(helloSide.connectTo("world")).as("an existing client is reused").isSameAs(world);
        world.emit("message", "hello").block(T);
        assertThat(world.on("message").blockFirst(T).data(String.class)).isEqualTo("hello world!");

        helloSide.disconnect("world").block(T);
        assertThat(helloSide.of("world")).isEmpty();
        assertThat(world.isDisposed()).isTrue();
        worldSide.dispose();
        server.onDispose().block(T);
        assertThat(Files.exists(root.resolve("test.world"))).isFalse();
    }

    @Test
    void serveNetOnAFreePortAndConnectToNet() {
        Ipc ipc = Ipc.create(IpcConfig.builder().silent(true).build());
        IpcServer server = ipc.serveNet(0).block(T);
        int port = ((IpcAddress.Tcp) server.address()).port();
        assertThat(port).isPositive();
        IpcClient client = ipc.connectToNet("net", port);
        client.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);
        assertThat(client.isConnected()).isTrue();
        ipc.dispose();
        client.onDispose().block(T);
        server.onDispose().block(T);
    }
}
