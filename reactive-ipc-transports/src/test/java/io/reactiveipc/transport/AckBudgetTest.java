package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcException;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * The server-wide {@link Delivery#replayBudget()}: clients that say {@code "acks":true} and never acknowledge (the
 * hostile case, played by raw sockets) cannot make a server hold more than the budget; the next message is refused
 * at once, or room is made by dropping the session away longest, or a connected one silent for ackTimeout, said
 * so; acks free room.
 */
@ExtendWith(IpcExtension.class)
class AckBudgetTest {

    static final Duration T = Duration.ofSeconds(30);

    static IpcAddress address(String kind) {
        return kind.equals("unix") ? IpcTestAddresses.unix() : IpcTestAddresses.tcp();
    }

    /** A budget of {@code messages}; a connected client is never taken as silent (these tests take seconds). */
    static IpcConfig budget(int messages) {
        return IpcFixtures.TEST_CONFIG.toBuilder()
                .delivery(Delivery.PLAIN.replayLimit(3).replayBudget(messages).ackTimeout(Duration.ofHours(1))).build();
    }

    /** Says hello as an acknowledging client that never acknowledges; returns the outbox's token from the welcome. */
    static String helloNeverAcking(RawConnection raw, String id) {
        raw.write("{\"type\":\"ipc.hello\",\"data\":{\"id\":\"" + id + "\",\"session\":\"s-" + id
                + "\",\"acks\":true}}\f");
        String welcome = raw.readFrame(T);
        assertThat(welcome).matches("\\{\"type\":\"ipc.ack\",\"data\":\"[0-9a-f-]{36}\",\"ack\":0}\f");
        return welcome.substring(welcome.indexOf("\"data\":\"") + 8, welcome.indexOf("\",\"ack\""));
    }

    static Mono<Void> started(Mono<Void> send) {
        Mono<Void> cached = send.cache();
        cached.subscribe(null, e -> { });
        return cached;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void sessionsThatNeverAcknowledgeSpendTheBudgetThenTheNextSendIsRefusedAtOnceAndAnAckFreesRoom(String kind,
            IpcFixtures fx) {
        IpcServer server = fx.server(address(kind), budget(4));
        try (RawConnection hostile1 = RawConnection.to(server.address());
                RawConnection hostile2 = RawConnection.to(server.address());
                RawConnection plain = RawConnection.to(server.address())) {
            String token1 = helloNeverAcking(hostile1, "h1");
            String token2 = helloNeverAcking(hostile2, "h2");
            IpcConnection c1 = server.connection("h1").block(T);
            IpcConnection c2 = server.connection("h2").block(T);
            Mono<Void> a = started(c1.emit("m", "a"));
            Mono<Void> b = started(c1.emit("m", "b"));
            Mono<Void> c = started(c1.emit("m", "c"));
            Mono<Void> d = started(c2.emit("m", "d")); // 4 held: the budget is spent
            assertThat(hostile2.readFrame(T)).isEqualTo("{\"type\":\"m\",\"data\":\"d\",\"seq\":1}\f");

            assertThatThrownBy(() -> c2.emit("m", "e").block(T)).isInstanceOf(IpcOverflowException.class)
                    .hasMessageContaining("replayBudget (4)");
            assertThat(c2.outbound().tryEmitNext(Message.of("m", "e"))).isEqualTo(Sinks.EmitResult.FAIL_OVERFLOW);
            AtomicBoolean cancelled = new AtomicBoolean();
            StepVerifier.create(c2.send(Flux.range(1, 10).map(i -> Message.of("m", i))
                            .doOnCancel(() -> cancelled.set(true))))
                    .expectError(IpcOverflowException.class).verify(T);
            assertThat(cancelled).as("the stream's source is cancelled").isTrue();
            assertThatThrownBy(() -> server.emit("h2", "m", "e").block(T)).isInstanceOf(IpcOverflowException.class);

            // a client that does not acknowledge what it gets holds nothing: plain frames, outside the budget
            plain.write("{\"type\":\"ipc.hello\",\"data\":{\"id\":\"p\",\"session\":\"s-p\"}}\f");
            assertThat(plain.readFrame(T)).isEqualTo("{\"type\":\"ipc.ack\",\"data\":null,\"ack\":0}\f");
            server.connection("p").block(T).emit("m", "plain").block(T);
            assertThat(plain.readFrame(T)).isEqualTo("{\"type\":\"m\",\"data\":\"plain\"}\f");

            hostile1.write("{\"type\":\"ipc.ack\",\"data\":\"" + token1 + "\",\"ack\":2}\f");
            a.block(T);
            b.block(T);
            Mono<Void> e = started(c2.emit("m", "e")); // room again: held, written
            assertThat(hostile2.readFrame(T)).isEqualTo("{\"type\":\"m\",\"data\":\"e\",\"seq\":2}\f");
            Mono<Void> f = started(c2.emit("m", "f"));
            assertThat(hostile2.readFrame(T)).isEqualTo("{\"type\":\"m\",\"data\":\"f\",\"seq\":3}\f");
            assertThatThrownBy(() -> c1.emit("m", "g").block(T)).as("spent again")
                    .isInstanceOf(IpcOverflowException.class).hasMessageContaining("replayBudget");

            hostile2.write("{\"type\":\"ipc.ack\",\"data\":\"" + token2 + "\",\"ack\":3}\f");
            d.block(T);
            e.block(T);
            f.block(T);
            assertThat(c.toFuture().isDone()).as("never acknowledged: still held").isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aSpentBudgetDropsTheSessionAwayLongestToMakeRoomAndSaysSo(String kind, IpcFixtures fx) {
        IpcServer server = fx.server(address(kind), budget(4));
        List<IpcEvent> events = new CopyOnWriteArrayList<>();
        server.events().subscribe(events::add);
        Mono<Void> lost1;
        Mono<Void> lost2;
        Mono<Void> kept;
        String oldToken;
        try (RawConnection away = RawConnection.to(server.address())) {
            oldToken = helloNeverAcking(away, "away");
            IpcConnection c = server.connection("away").block(T);
            lost1 = started(c.emit("m", 1));
            lost2 = started(c.emit("m", 2));
            away.close();
            c.onDispose().block(T);
        }
        try (RawConnection later = RawConnection.to(server.address())) {
            helloNeverAcking(later, "later");
            IpcConnection c = server.connection("later").block(T);
            kept = started(c.emit("m", 1));
            later.close();
            c.onDispose().block(T);
        }
        try (RawConnection live = RawConnection.to(server.address())) {
            helloNeverAcking(live, "live");
            IpcConnection c = server.connection("live").block(T);
            Mono<Void> first = started(c.emit("m", "first")); // 4 held: spent
            assertThat(live.readFrame(T)).isEqualTo("{\"type\":\"m\",\"data\":\"first\",\"seq\":1}\f");
            assertThat(lost1.toFuture().isDone()).isFalse();

            // the next one is held: the session away longest is dropped for it, its senders and events told
            Mono<Void> second = started(c.emit("m", "second"));
            assertThat(live.readFrame(T)).isEqualTo("{\"type\":\"m\",\"data\":\"second\",\"seq\":2}\f");
            StepVerifier.create(lost1).expectErrorSatisfies(err -> assertThat(err)
                    .isInstanceOf(IpcClosedException.class)
                    .hasMessageContaining("replay budget").hasMessageContaining("2 message(s)")).verify(T);
            StepVerifier.create(lost2).expectError(IpcClosedException.class).verify(T);
            assertThat(events).filteredOn(ev -> ev instanceof IpcEvent.Failure fl
                    && fl.error().getMessage().contains("session s-away ended")
                    && fl.error().getMessage().contains("replay budget")).as("the loss is said").hasSize(1);
            assertThat(kept.toFuture().isDone()).as("the session away less long keeps what it holds").isFalse();
            assertThatThrownBy(() -> server.emit("away", "m", 3).block(T)).isInstanceOf(IpcException.class)
                    .hasMessageContaining("no client 'away' is connected");

            // with room from neither side (one session away holding 1, the rest connected): the next is refused
            Mono<Void> third = started(c.emit("m", "third"));
            assertThat(live.readFrame(T)).isEqualTo("{\"type\":\"m\",\"data\":\"third\",\"seq\":3}\f");
            assertThat(kept.toFuture().isDone()).isFalse();
            assertThatThrownBy(() -> server.emit("later", "m", 2).block(T)).as("never drops itself")
                    .isInstanceOf(IpcOverflowException.class).hasMessageContaining("replayBudget (4)");
            assertThat(first.toFuture().isDone() || second.toFuture().isDone() || third.toFuture().isDone())
                    .isFalse();
        }
        try (RawConnection back = RawConnection.to(server.address())) {
            // the dropped session's client comes back: a new numbering, so it does not read old acks against it
            assertThat(helloNeverAcking(back, "away")).isNotEqualTo(oldToken);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aConnectedClientSilentForAckTimeoutIsDisconnectedAndDroppedWhenItsRoomIsWanted(String kind, IpcFixtures fx) {
        IpcServer server = fx.server(address(kind), IpcFixtures.TEST_CONFIG.toBuilder().delivery(Delivery.PLAIN
                .replayLimit(3).replayBudget(3).ackTimeout(Duration.ofMillis(200))).build());
        List<IpcEvent> events = new CopyOnWriteArrayList<>();
        server.events().subscribe(events::add);
        try (RawConnection silent = RawConnection.to(server.address());
                RawConnection polite = RawConnection.to(server.address())) {
            helloNeverAcking(silent, "silent");
            String token = helloNeverAcking(polite, "polite");
            IpcConnection s = server.connection("silent").block(T);
            IpcConnection p = server.connection("polite").block(T);
            Mono<Void> lost = started(s.emit("m", 1));
            started(s.emit("m", 2));
            started(s.emit("m", 3)); // the budget is spent by a client that reads and never acknowledges

            // refused while the silent client has been silent less than 200 ms; then its room is taken
            Sinks.EmitResult sent = Flux.interval(Duration.ofMillis(20))
                    .map(i -> p.outbound().tryEmitNext(Message.of("m", "x")))
                    .filter(r -> r != Sinks.EmitResult.FAIL_OVERFLOW).blockFirst(T);
            assertThat(sent).isEqualTo(Sinks.EmitResult.OK);
            assertThat(polite.readFrame(T)).isEqualTo("{\"type\":\"m\",\"data\":\"x\",\"seq\":1}\f");
            polite.write("{\"type\":\"ipc.ack\",\"data\":\"" + token + "\",\"ack\":1}\f");

            StepVerifier.create(lost).expectErrorSatisfies(err -> assertThat(err)
                    .isInstanceOf(IpcClosedException.class).hasMessageContaining("session s-silent dropped")
                    .hasMessageContaining("acknowledged nothing for 200 ms").hasMessageContaining("3 message(s)"))
                    .verify(T);
            for (int i = 1; i <= 3; i++) {
                assertThat(silent.readFrame(T)).isEqualTo("{\"type\":\"m\",\"data\":" + i + ",\"seq\":" + i + "}\f");
            }
            silent.awaitClosed(T); // its socket is closed: it may come back, to a new numbering
            s.onDispose().block(T);
            assertThat(events).filteredOn(ev -> ev instanceof IpcEvent.Failure fl
                    && fl.error().getMessage().contains("session s-silent ended")
                    && fl.error().getMessage().contains("acknowledged nothing")).as("the loss is said").hasSize(1);
            assertThat(p.isDisposed()).as("the polite client stays").isFalse();
            StepVerifier.create(p.emit("m", "y")).then(() -> {
                assertThat(polite.readFrame(T)).isEqualTo("{\"type\":\"m\",\"data\":\"y\",\"seq\":2}\f");
                polite.write("{\"type\":\"ipc.ack\",\"data\":\"" + token + "\",\"ack\":2}\f");
            }).verifyComplete();
        }
    }
}
