package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.test.IpcTestAddresses;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The blocking conveniences for main methods and {@code connected()}, as a user's program meets them. */
class ConveniencesTest {

    private static final Duration T = Duration.ofSeconds(10);
    private static final IpcConfig FAST_RETRY = IpcConfig.builder().retry(Duration.ofMillis(50)).build();

    private IpcServer server;
    private IpcClient client;

    @AfterEach
    void close() {
        if (client != null) {
            client.disposeNow(T);
        }
        if (server != null) {
            server.disposeNow(T);
        }
    }

    @Test
    void connectedWaitsForTheServerThenCompletes() throws Exception {
        IpcAddress.Unix address = IpcTestAddresses.unix();
        client = IpcClient.connect("world", address, FAST_RETRY);
        CompletableFuture<Void> connected = client.connected().toFuture();
        client.events().ofType(IpcEvent.Failure.class).blockFirst(T); // an attempt failed: no server

        assertThat(connected).isNotDone();
        server = IpcServer.bindNow(address, IpcConfig.defaults(),
                s -> s.handle("message", in -> Mono.just(in.data(String.class) + " world!")), T);

        connected.get(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(client.isConnected()).isTrue();
        assertThat(client.request("message", "hello").block(T).data(String.class)).isEqualTo("hello world!");
        client.connected().block(T); // already connected: at once
    }

    @Test
    void connectedFailsWhenTheClientIsDisposedFirst() {
        client = IpcClient.connect("world", IpcTestAddresses.unix(), FAST_RETRY);
        CompletableFuture<Void> connected = client.connected().toFuture();

        client.disposeNow(T);

        assertThatThrownBy(() -> connected.get(T.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IpcClosedException.class).hasMessageContaining("disposed before it connected");
        assertThatThrownBy(() -> client.connected().block(T)).isInstanceOf(IpcClosedException.class);
    }

    @Test
    void connectedFailsWithTheLastErrorWhenRetriesRunOut() {
        client = IpcClient.connect("world", IpcTestAddresses.unix(),
                IpcConfig.builder().retry(Duration.ofMillis(10)).maxRetries(1).build());

        assertThatThrownBy(() -> client.connected().block(T))
                .isInstanceOf(IpcClosedException.class)
                .hasMessageContaining("gave up reconnecting")
                .hasCauseInstanceOf(IpcException.class);
    }

    @Test
    void connectedLeavesTheHistoryToTheFirstEventsSubscriber() {
        client = IpcClient.connect("world", IpcTestAddresses.unix(),
                IpcConfig.builder().retry(Duration.ofMillis(10)).maxRetries(1).build());
        assertThatThrownBy(() -> client.connected().block(T)).isInstanceOf(IpcClosedException.class);

        List<IpcEvent> events = client.events().collectList().block(T);

        assertThat(events).hasAtLeastOneElementOfType(IpcEvent.Failure.class);
        assertThat(events).last().isInstanceOf(IpcEvent.Destroyed.class);
    }

    @Test
    void bindNowThrowsTheBindError() {
        IpcAddress.Unix address = IpcTestAddresses.unix();
        server = IpcServer.bindNow(address, IpcConfig.defaults(), T);

        assertThat(server.address()).isEqualTo(address);
        assertThatThrownBy(() -> IpcServer.bindNow(address, IpcConfig.defaults(), T))
                .isInstanceOf(IpcException.class);
    }
}
