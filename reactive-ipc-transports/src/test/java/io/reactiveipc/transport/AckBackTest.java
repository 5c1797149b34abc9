package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
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
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Acknowledged delivery from a server to an acknowledging client: sequenced, held per session across the client's
 * sockets, replayed first on its next socket, duplicates dropped by the client; bounded, and dropped (said so) when
 * the session expires.
 */
@ExtendWith(IpcExtension.class)
class AckBackTest {

    static final Duration T = Duration.ofSeconds(30);
    static final IpcConfig ACK = IpcFixtures.TEST_CONFIG.toBuilder().delivery(Delivery.ACKNOWLEDGED).build();

    static IpcAddress address(String kind) {
        return kind.equals("unix") ? IpcTestAddresses.unix() : IpcTestAddresses.tcp();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aStreamToAClientWhoseSocketIsCutFourTimesArrivesWholeOnceAndInOrder(String kind, IpcFixtures fx) {
        int n = 20_000;
        int cuts = 4;
        IpcServer server = fx.server(address(kind), IpcFixtures.TEST_CONFIG);
        IpcClient client = fx.client("acker", server.address(), ACK);
        List<Long> got = new CopyOnWriteArrayList<>();
        Sinks.Many<Long> seen = Sinks.many().replay().latest();
        client.on("n").subscribe(m -> {
            long v = m.data(Long.class);
            got.add(v);
            seen.tryEmitNext(v);
        });
        IpcConnection first = server.connection("acker").block(T);
        // the stream's source outlives every socket: the session takes it, back-pressured by the client's acks
        Mono<Void> sent = first.send(Flux.range(1, n).map(i -> Message.of("n", (long) i))).cache();
        sent.subscribe(null, e -> { });
        for (int cut = 1; cut <= cuts; cut++) {
            long at = (long) n * cut / (cuts + 1);
            seen.asFlux().filter(v -> v >= at).blockFirst(T);
            IpcConnection now = server.connection("acker").block(T);
            now.dispose(); // mid-stream: some queued, some written and not acknowledged
            now.onDispose().block(T);
        }
        sent.block(T); // every message acknowledged by the client
        assertThat(got).as("what the client's application got")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, n).boxed().toList());
        assertThat(first.isDisposed()).as("the stream's first connection is long gone").isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void anEmitToAClientBetweenSocketsIsHeldAndWrittenFirstWhenItComesBack(String kind, IpcFixtures fx) {
        IpcServer server = fx.server(address(kind), IpcFixtures.TEST_CONFIG);
        IpcClient client = fx.client("acker", server.address(), ACK);
        Mono<List<String>> got = client.on("m").map(m -> m.data(String.class)).take(3).collectList().cache();
        got.subscribe();
        IpcConnection c = server.connection("acker").block(T);
        c.emit("m", "before").block(T); // completes when acknowledged
        c.dispose();
        c.onDispose().block(T);
        Mono<Void> held = server.emit("acker", "m", "between").cache();
        held.subscribe(null, e -> { });
        Mono<Void> old = c.emit("m", "on the old connection").cache(); // goes to the session too
        old.subscribe(null, e -> { });
        held.block(T);
        old.block(T);
        assertThat(got.block(T)).containsExactly("before", "between", "on the old connection");
    }

    @Test
    void aFullReplayBufferRefusesTheNextSendAtOnceAndAcksFreeRoom(IpcFixtures fx) {
        IpcServer server = fx.server(IpcTestAddresses.unix(), IpcFixtures.TEST_CONFIG.toBuilder()
                .delivery(Delivery.PLAIN.replayLimit(3)).build());
        IpcClient client = fx.client("acker", server.address(), ACK);
        List<String> got = new CopyOnWriteArrayList<>();
        BaseSubscriber<Message> app = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                // no demand: nothing is handed to the application, so nothing is acknowledged
            }

            @Override
            protected void hookOnNext(Message m) {
                got.add(m.data(String.class));
            }
        };
        client.inbound().subscribe(app);
        IpcConnection c = server.connection("acker").block(T);
        Mono<Void> a = c.emit("m", "a").cache();
        a.subscribe(null, e -> { });
        assertThat(c.outbound().tryEmitNext(Message.of("m", "b"))).isEqualTo(Sinks.EmitResult.OK);
        Mono<Void> third = c.emit("m", "c").cache();
        third.subscribe(null, e -> { });
        assertThatThrownBy(() -> c.emit("m", "d").block(T)).isInstanceOf(IpcOverflowException.class);
        assertThat(c.outbound().tryEmitNext(Message.of("m", "d"))).isEqualTo(Sinks.EmitResult.FAIL_OVERFLOW);
        StepVerifier.create(c.send(Flux.just(Message.of("m", "d"))))
                .expectError(IpcOverflowException.class).verify(T);

        app.request(3); // handed on, so acknowledged: room again
        a.block(T);
        third.block(T);
        Mono<Void> d = c.emit("m", "d").cache();
        d.subscribe(null, e -> { });
        app.request(1);
        d.block(T);
        assertThat(got).containsExactly("a", "b", "c", "d");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aClientThatNeverComesBackLosesWhatItHadNotAcknowledgedAtExpiryAndTheServerSaysSo(String kind,
            IpcFixtures fx) {
        IpcServer server = fx.server(address(kind), IpcFixtures.TEST_CONFIG.toBuilder()
                .delivery(Delivery.PLAIN.sessionExpiry(Duration.ofMillis(500))).build());
        List<IpcEvent> events = new CopyOnWriteArrayList<>();
        server.events().subscribe(events::add);
        IpcClient dies = fx.client("acker", server.address(), ACK);
        dies.inbound().subscribe(new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                // never takes anything: nothing is acknowledged
            }
        });
        IpcConnection c = server.connection("acker").block(T);
        Mono<Void> unacked = c.emit("m", "never acknowledged").cache();
        unacked.subscribe(null, e -> { });
        dies.dispose(); // its session ends with it (a process killed: the same, its replacement has a new session)
        c.onDispose().block(T);
        Mono<Void> held = server.emit("acker", "m", "while away").cache();
        held.subscribe(null, e -> { });

        // a new client instance (a restarted process) has a new session: it gets none of the old one's messages
        IpcClient restarted = fx.client("acker", server.address(), ACK);
        Mono<List<String>> got = restarted.on("m").map(m -> m.data(String.class)).take(1).collectList().cache();
        got.subscribe();
        IpcConnection again = server.connection("acker").block(T);
        assertThat(again).isNotSameAs(c);
        again.emit("m", "new session").block(T);
        assertThat(got.block(T)).containsExactly("new session");

        StepVerifier.create(unacked).expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IpcClosedException.class)
                .hasMessageContaining("expired")).verify(T);
        StepVerifier.create(held).expectError(IpcClosedException.class).verify(T);
        assertThat(events).filteredOn(e -> e instanceof IpcEvent.Failure f
                && f.error().getMessage().contains("did not come back")).as("the loss is said").hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    @Timeout(90)
    void aSigkilledClientProcessLosesWhatItHadNotAcknowledgedAndItsNewSessionGetsNoneOfIt(String kind,
            IpcFixtures fx) throws Exception {
        IpcAddress at = kind.equals("unix") ? IpcTestAddresses.unix() : IpcTestAddresses.freeTcpPort();
        String where = at instanceof IpcAddress.Unix u ? u.path().toString()
                : String.valueOf(((IpcAddress.Tcp) at).port());
        IpcServer server = fx.server(at, IpcFixtures.TEST_CONFIG.toBuilder()
                .delivery(Delivery.PLAIN.sessionExpiry(Duration.ofSeconds(1))).build());
        List<IpcEvent> events = new CopyOnWriteArrayList<>();
        server.events().subscribe(events::add);
        ClientProcess first = ClientProcess.start(kind, where, 3);
        ClientProcess second = null;
        try {
            IpcConnection c = server.connection("acker").block(T);
            c.send(Flux.range(1, 3).map(i -> Message.of("m", "taken " + i))).block(T); // taken, so acknowledged
            Mono<Void> unacked = c.send(Flux.range(1, 2).map(i -> Message.of("m", "held " + i))).cache();
            unacked.subscribe(null, e -> { });
            first.await("got taken 3");
            first.kill();
            c.onDispose().block(T);

            second = ClientProcess.start(kind, where, 1);
            IpcConnection again = server.connection("acker").block(T);
            again.emit("m", "new session").block(T);
            second.await("got new session");
            StepVerifier.create(unacked).expectErrorSatisfies(e -> assertThat(e)
                    .isInstanceOf(IpcClosedException.class).hasMessageContaining("2 message(s)")).verify(T);
            assertThat(events).filteredOn(e -> e instanceof IpcEvent.Failure f
                    && f.error().getMessage().contains("did not come back")).as("the loss is said").hasSize(1);
            assertThat(first.got()).containsExactly("got taken 1", "got taken 2", "got taken 3");
            assertThat(second.got()).as("the new session gets none of the old one's")
                    .containsExactly("got new session");
        } finally {
            first.kill();
            if (second != null) {
                second.kill();
            }
        }
    }

    /** A client JVM ({@link AckBackClient}) and its lines. */
    static final class ClientProcess {
        final Process process;
        final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        final List<String> all = new CopyOnWriteArrayList<>();

        private ClientProcess(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                        process.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        all.add(line);
                        lines.add(line);
                    }
                } catch (java.io.IOException ignored) {
                    // killed
                }
                lines.add("exit");
            }, "ack-back-client-out");
            reader.setDaemon(true);
            reader.start();
        }

        static ClientProcess start(String kind, String where, int take) throws java.io.IOException {
            String bin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(bin, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
                    "-cp", System.getProperty("java.class.path"), AckBackClient.class.getName(), kind, where,
                    String.valueOf(take));
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            return new ClientProcess(pb.start());
        }

        void await(String line) throws InterruptedException {
            for (;;) {
                String next = lines.poll(T.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                if (next == null || next.equals("exit")) {
                    throw new AssertionError("the client process did not print '" + line + "': " + all);
                }
                if (next.equals(line)) {
                    return;
                }
            }
        }

        List<String> got() {
            return all.stream().filter(l -> l.startsWith("got ")).toList();
        }

        /** SIGKILL on Linux. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(T.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void aPlainClientGetsPlainFramesAndNoWelcomeFromAnAckServer(IpcFixtures fx) throws Exception {
        IpcServer server = fx.server(IpcTestAddresses.unix(), IpcFixtures.TEST_CONFIG.toBuilder()
                .delivery(Delivery.ACKNOWLEDGED).build());
        Sinks.Many<IpcConnection> accepted = Sinks.many().replay().all();
        server.connections().subscribe(accepted::tryEmitNext);
        try (RawConnection raw = RawConnection.to(server.address())) {
            // a session hello without "acks": the client acknowledges nothing, so nothing it gets is sequenced
            raw.write("{\"type\":\"ipc.hello\",\"data\":{\"id\":\"raw\",\"session\":\"s-1\"}}\f");
            assertThat(raw.readFrame(T)).isEqualTo("{\"type\":\"ipc.ack\",\"data\":null,\"ack\":0}\f");
            IpcConnection c = accepted.asFlux().next().block(T);
            c.emit("m", 1).block(T);
            assertThat(raw.readFrame(T)).isEqualTo("{\"type\":\"m\",\"data\":1}\f");
        }
        try (RawConnection raw = RawConnection.to(server.address())) {
            raw.write("{\"type\":\"ipc.hello\",\"data\":{\"id\":\"raw2\",\"session\":\"s-2\",\"acks\":true}}\f");
            assertThat(raw.readFrame(T)).matches("\\{\"type\":\"ipc.ack\",\"data\":\"[0-9a-f-]{36}\",\"ack\":0}\f");
            IpcConnection c = accepted.asFlux().skip(1).next().block(T);
            c.emit("m", 1).subscribe(null, e -> { });
            assertThat(raw.readFrame(T)).isEqualTo("{\"type\":\"m\",\"data\":1,\"seq\":1}\f");
        }
    }

    @Test
    void anAckForAnotherNumberingReleasesNothing(IpcFixtures fx) throws Exception {
        IpcServer server = fx.server(IpcTestAddresses.unix(), IpcFixtures.TEST_CONFIG);
        Sinks.Many<IpcConnection> accepted = Sinks.many().replay().all();
        server.connections().subscribe(accepted::tryEmitNext);
        try (RawConnection raw = RawConnection.to(server.address())) {
            raw.write("{\"type\":\"ipc.hello\",\"data\":{\"id\":\"raw\",\"session\":\"s-1\",\"acks\":true}}\f");
            String welcome = raw.readFrame(T);
            String token = welcome.substring(welcome.indexOf("\"data\":\"") + 8, welcome.indexOf("\",\"ack\""));
            IpcConnection c = accepted.asFlux().next().block(T);
            Mono<Message> ping = c.on("ping").next().cache();
            ping.subscribe();
            Sinks.One<Boolean> done = Sinks.one();
            c.emit("m", 1).subscribe(null, e -> { }, () -> done.tryEmitValue(true));
            assertThat(raw.readFrame(T)).isEqualTo("{\"type\":\"m\",\"data\":1,\"seq\":1}\f");
            // stale acks (another numbering's: the client's from before a server restart) must not count
            raw.write("{\"type\":\"ipc.ack\",\"data\":\"another\",\"ack\":5}\f");
            raw.write("{\"type\":\"ipc.ack\",\"data\":null,\"ack\":5}\f");
            raw.write("{\"type\":\"ping\",\"data\":null}\f");
            ping.block(T); // read after the stale acks
            assertThat(done.asMono().toFuture().isDone()).as("1 is not acknowledged").isFalse();
            raw.write("{\"type\":\"ipc.ack\",\"data\":\"" + token + "\",\"ack\":1}\f");
            assertThat(done.asMono().block(T)).isTrue();
        }
    }

    @Test
    void aRestartedServerNumbersAfreshAndTheClientTakesItsFirstMessages(IpcFixtures fx) {
        IpcAddress at = IpcTestAddresses.unix();
        IpcServer first = fx.server(at, IpcFixtures.TEST_CONFIG);
        IpcClient client = fx.client("acker", at, ACK);
        List<String> got = new CopyOnWriteArrayList<>();
        Sinks.Many<String> seen = Sinks.many().replay().all();
        client.on("m").subscribe(m -> {
            got.add(m.data(String.class));
            seen.tryEmitNext(m.data(String.class));
        });
        IpcConnection c = first.connection("acker").block(T);
        c.send(Flux.range(1, 5).map(i -> Message.of("m", "old " + i))).block(T); // seq 1..5, acknowledged
        first.disposeNow(T);

        // a new server process knows nothing of the session: its numbering starts at 1 again, under a new name
        IpcServer second = fx.server(at, IpcFixtures.TEST_CONFIG);
        second.connection("acker").block(T).send(Flux.range(1, 3).map(i -> Message.of("m", "new " + i))).block(T);
        seen.asFlux().filter("new 3"::equals).blockFirst(T);
        assertThat(got).containsExactly("old 1", "old 2", "old 3", "old 4", "old 5", "new 1", "new 2", "new 3");
    }

    @Test
    void withoutAClientTheEmitFailsAsBefore(IpcFixtures fx) {
        IpcServer server = fx.server(IpcTestAddresses.unix(), IpcFixtures.TEST_CONFIG);
        assertThatThrownBy(() -> server.emit("nobody", "m", 1).block(T)).isInstanceOf(IpcException.class)
                .hasMessageContaining("no client 'nobody' is connected");
    }
}
