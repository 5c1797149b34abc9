package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcFixtures;
import io.reactiveipc.test.IpcTestAddresses;
import io.reactiveipc.test.RawConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** Acknowledged delivery over real sockets: the receiver's dedupe and ack timing, the sender's bounded buffer. */
@ExtendWith(IpcExtension.class)
class AckDeliveryTest {

    static final Duration T = Duration.ofSeconds(15);
    static final IpcConfig ACK = IpcFixtures.TEST_CONFIG.toBuilder()
            .delivery(Delivery.ACKNOWLEDGED.ackEvery(1)).build();

    static String frame(long seq, long data) {
        return "{\"type\":\"n\",\"data\":" + data + ",\"seq\":" + seq + "}\f";
    }

    static String ack(long n) {
        return "{\"type\":\"ipc.ack\",\"data\":null,\"ack\":" + n + "}\f";
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aServerAcksOnlyWhatItsSubscriberTookAndDropsReplayedDuplicatesAcrossConnections(String kind,
            IpcFixtures fx) {
        IpcAddress at = kind.equals("unix") ? IpcTestAddresses.unix() : IpcTestAddresses.tcp();
        IpcServer server = fx.server(at, ACK);
        List<Long> got = new CopyOnWriteArrayList<>();
        Sinks.Many<IpcConnection> accepted = Sinks.many().replay().all();
        server.connections().subscribe(accepted::tryEmitNext);
        BaseSubscriber<Message> app = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                // no demand yet: nothing is handed to the application, so nothing may be acknowledged
            }

            @Override
            protected void hookOnNext(Message m) {
                got.add(m.data(Long.class));
            }
        };
        try (RawConnection raw = RawConnection.to(server.address())) {
            raw.write("{\"type\":\"ipc.hello\",\"data\":{\"id\":\"raw\",\"session\":\"s-1\"}}\f");
            assertThat(raw.readFrame(T)).as("the answer to a session hello").isEqualTo(ack(0));
            accepted.asFlux().next().block(T).inbound().subscribe(app);
            raw.write(frame(1, 10) + frame(2, 20));
            app.request(1);
            assertThat(raw.readFrame(T)).as("only what the subscriber took").isEqualTo(ack(1));
            app.request(1);
            assertThat(raw.readFrame(T)).isEqualTo(ack(2));
            raw.write(frame(1, 10) + frame(2, 20) + frame(3, 30)); // a replay of 1 and 2
            app.request(10);
            assertThat(raw.readFrame(T)).isEqualTo(ack(3));
        }
        assertThat(got).containsExactly(10L, 20L, 30L);

        // the same session on a new socket (a reconnect): told where it stands, duplicates still dropped
        try (RawConnection raw = RawConnection.to(server.address())) {
            raw.write("{\"type\":\"ipc.hello\",\"data\":{\"id\":\"raw\",\"session\":\"s-1\"}}\f");
            assertThat(raw.readFrame(T)).isEqualTo(ack(3));
            accepted.asFlux().skip(1).next().block(T).inbound().subscribe(m -> got.add(m.data(Long.class)));
            raw.write(frame(3, 30) + frame(4, 40));
            assertThat(raw.readFrame(T)).isEqualTo(ack(4));
        }
        assertThat(got).containsExactly(10L, 20L, 30L, 40L);
    }

    @Test
    void aFullReplayBufferRefusesTheNextMessageAtOnceAndFreesRoomWhenAcknowledged(IpcFixtures fx) {
        IpcAddress.Unix at = IpcTestAddresses.unix();
        IpcClient client = fx.client(at, IpcFixtures.TEST_CONFIG.toBuilder()
                .delivery(Delivery.ACKNOWLEDGED.replayLimit(3)).build());
        Mono<Void> first = client.emit("n", 1).cache();
        first.subscribe(null, e -> { });
        assertThat(client.outbound().tryEmitNext(Message.of("n", 2))).isEqualTo(Sinks.EmitResult.OK);
        Mono<Void> third = client.emit("n", 3).cache();
        third.subscribe(null, e -> { });
        assertThatThrownBy(() -> client.emit("n", 4).block(T)).isInstanceOf(IpcOverflowException.class);
        assertThat(client.outbound().tryEmitNext(Message.of("n", 4))).isEqualTo(Sinks.EmitResult.FAIL_OVERFLOW);

        // written is not enough: only the server's ack frees room
        IpcServer server = fx.server(at, IpcFixtures.TEST_CONFIG);
        Mono<List<Long>> seen = server.inbound().map(in -> in.message().data(Long.class)).take(4).collectList()
                .cache();
        seen.subscribe();
        first.block(T);
        third.block(T);
        client.emit("n", 4).block(T);
        assertThat(seen.block(T)).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void acknowledgedDeliveryNeedsJsonFramesAnAnnouncementAndNoSync() {
        assertThatThrownBy(() -> IpcConfig.builder().delivery(Delivery.ACKNOWLEDGED).sync(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acknowledged delivery");
        assertThatThrownBy(() -> IpcConfig.builder().delivery(Delivery.ACKNOWLEDGED).identify(false).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("identify(true)");
        assertThatThrownBy(() -> IpcConfig.builder().delivery(Delivery.ACKNOWLEDGED).rawBuffer(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON frames");
        assertThatThrownBy(() -> Delivery.ACKNOWLEDGED.replayLimit(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
