package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.IpcTimeoutException;
import io.reactiveipc.Message;
import io.reactiveipc.PeerLimits;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcTestAddresses;
import io.reactiveipc.test.RawConnection;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Hostile and slow peers against a real server, over Unix sockets and TCP: unread events, half frames, peers that do
 * not read, sockets that hold every slot. Each test waits on the event it expects, never on a clock.
 */
@ExtendWith(IpcExtension.class)
class SlowPeerTest {

    private static final NettyTransport TRANSPORT = new NettyTransport(true);
    private static final Duration T = Duration.ofSeconds(30);
    private static final IpcConfig QUIET = IpcConfig.builder().silent(true).retry(50).build();
    private static final String KIB = "x".repeat(1024);

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // already closed by the server
            }
        }
    }

    private static IpcAddress address(String kind) {
        return kind.equals("unix") ? IpcTestAddresses.unix() : IpcTestAddresses.tcp();
    }

    private IpcServer server(String kind, UnaryOperator<IpcConfig.Builder> config) {
        IpcServer s = IpcServer.bind(TRANSPORT, address(kind), config.apply(QUIET.toBuilder()).build()).block(T);
        closing.add(() -> s.disposeNow(T));
        return s;
    }

    private RawConnection raw(IpcServer server) {
        RawConnection r = RawConnection.to(server.address());
        closing.add(r);
        return r;
    }

    private IpcClient client(IpcServer server, String id) {
        IpcClient c = IpcClient.connect(TRANSPORT, id, server.address(), QUIET);
        closing.add(() -> c.disposeNow(T));
        return c;
    }

    /** Subscribes and requests one item, never more. */
    private static <T> BaseSubscriber<T> requestOne(Flux<T> flux) {
        BaseSubscriber<T> s = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                request(1);
            }
        };
        flux.subscribe(s);
        return s;
    }

    private static Mono<IpcEvent> next(IpcServer server, Class<? extends IpcEvent> type) {
        return server.events().filter(type::isInstance).next().cache();
    }

    // ---- events() and connections() bounded per subscriber ----------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aSubscriberThatRequestsOneDoesNotKeepClosedConnectionsAlive(String kind) throws Exception {
        IpcServer server = server(kind, b -> b);
        BaseSubscriber<IpcEvent> stuckEvents = requestOne(server.events());
        BaseSubscriber<IpcConnection> stuckConnections = requestOne(server.connections());
        List<WeakReference<IpcConnection>> accepted = new ArrayList<>();
        server.connections().subscribe(c -> {
            synchronized (accepted) {
                accepted.add(new WeakReference<>(c));
            }
        });
        Semaphore disconnected = new Semaphore(0);
        server.events().subscribe(e -> {
            if (e instanceof IpcEvent.Disconnected) {
                disconnected.release();
            }
        });
        int cycles = 3000;
        for (int i = 0; i < cycles; i++) {
            RawConnection r = RawConnection.to(server.address());
            r.close();
            assertThat(disconnected.tryAcquire(T.toMillis(), TimeUnit.MILLISECONDS)).as("cycle %d closed", i).isTrue();
        }
        assertThat(accepted).hasSize(cycles);
        // the first is in the stuck events() subscriber's buffer until dropped; the second also in connections()'s
        List<WeakReference<IpcConnection>> early = accepted.subList(0, 10);
        for (int i = 0; i < 50 && early.stream().anyMatch(r -> r.get() != null); i++) {
            System.gc();
        }
        assertThat(early).as("the first closed connections, held by no unread event or pending connection")
                .allSatisfy(r -> assertThat(r.get()).isNull());
        assertThat(stuckEvents.isDisposed()).isFalse();
        assertThat(stuckConnections.isDisposed()).isFalse();
        stuckEvents.dispose();
        stuckConnections.dispose();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aLateEventsSubscriberGetsTheCurrentStateNotTheLastFailure(String kind) {
        IpcServer server = server(kind, b -> b);
        Mono<IpcEvent> failure = next(server, IpcEvent.Failure.class);
        failure.subscribe();
        RawConnection r = raw(server);
        r.write("{not json\f");
        assertThat(failure.block(T)).isInstanceOf(IpcEvent.Failure.class);
        assertThat(server.events().next().block(T)).isInstanceOf(IpcEvent.Started.class);
    }

    // ---- time limits --------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aFrameNotFinishedInTimeIsAProtocolErrorAndClosesTheConnection(String kind) {
        IpcServer server = server(kind, b -> b.peerLimits(l -> l.frameTimeout(Duration.ofMillis(300))));
        Mono<Message> first = server.inbound().next().map(in -> in.message()).cache();
        first.subscribe();
        Mono<IpcEvent> failure = next(server, IpcEvent.Failure.class);
        Mono<IpcEvent> gone = next(server, IpcEvent.Disconnected.class);
        failure.subscribe();
        gone.subscribe();
        RawConnection r = raw(server);
        r.write("{\"type\":\"whole\",\"data\":1}\f{\"type\":\"half\",\"da");
        assertThat(first.block(T).type()).isEqualTo("whole");
        IpcEvent.Failure f = (IpcEvent.Failure) failure.block(T);
        assertThat(f.error()).isInstanceOf(IpcProtocolException.class);
        assertThat(((IpcProtocolException) f.error()).reason()).isEqualTo(IpcProtocolException.Reason.FRAME_TIMEOUT);
        assertThat(f.error().getMessage()).contains("frameTimeout");
        IpcEvent.Disconnected d = (IpcEvent.Disconnected) gone.block(T);
        assertThat(d.cause()).isSameAs(f.error());
        assertToldThenClosed(r, "FRAME_TIMEOUT", "frameTimeout 300 ms");
    }

    /** The peer reads one error frame naming the limit, then the end of the stream. */
    private static void assertToldThenClosed(RawConnection peer, String reason, String says) {
        String frame = peer.readFrame(T);
        assertThat(frame).startsWith("{\"type\":\"error\",\"data\":{\"code\":\"E_PROTOCOL\",\"reason\":\"" + reason
                + "\",\"message\":\"" + reason + ": ").contains(says).endsWith("}}\f");
        peer.awaitClosed(T);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void withSkipAFrameNotFinishedInTimeIsStillAnsweredAndClosed(String kind) {
        IpcServer server = server(kind, b -> b.onProtocolError(IpcConfig.OnProtocolError.SKIP)
                .peerLimits(l -> l.frameTimeout(Duration.ofMillis(300))));
        server.inbound().subscribe();
        Mono<IpcEvent> failure = next(server, IpcEvent.Failure.class);
        failure.subscribe();
        RawConnection r = raw(server);
        r.write("{\"type\":\"half\",\"da");
        assertToldThenClosed(r, "FRAME_TIMEOUT", "frameTimeout 300 ms");
        assertThat(((IpcProtocolException) ((IpcEvent.Failure) failure.block(T)).error()).reason())
                .isEqualTo(IpcProtocolException.Reason.FRAME_TIMEOUT);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aPeerOverThePartialFrameBudgetIsToldWhyWhileAnotherKeepsItsFrame(String kind) {
        IpcServer server = server(kind, b -> b.peerLimits(l -> l.partialFrameBudget(3000)));
        Mono<Message> whole = server.inbound().map(in -> in.message()).next().cache();
        whole.subscribe();
        Mono<IpcEvent> gone = next(server, IpcEvent.Disconnected.class);
        gone.subscribe();
        RawConnection patient = raw(server);
        RawConnection greedy = raw(server);
        server.connections().take(2).blockLast(T);
        patient.write("{\"type\":\"kept\",\"data\":\"");
        greedy.write("{\"type\":\"big\",\"data\":\"" + "y".repeat(5000));
        assertToldThenClosed(greedy, "PARTIAL_FRAME_BUDGET", "partialFrameBudget of 3000 bytes");
        assertThat(((IpcProtocolException) ((IpcEvent.Disconnected) gone.block(T)).cause()).reason())
                .isEqualTo(IpcProtocolException.Reason.PARTIAL_FRAME_BUDGET);
        // the refused frame left the budget when it was refused: 2500 bytes fit now
        patient.write("y".repeat(2500));
        patient.write("\"}\f");
        assertThat(whole.block(T).type()).isEqualTo("kept");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aPeerThatStopsMidFrameAndReadsNothingIsClosedWithoutWaitingForTheWriteTimeout(String kind) {
        IpcServer server = server(kind, b -> b.peerLimits(l -> l.frameTimeout(Duration.ofMillis(300))
                .writeTimeout(Duration.ofMinutes(5))));
        server.inbound().subscribe();
        Mono<IpcConnection> first = server.connections().next().cache();
        first.subscribe();
        Mono<IpcEvent> gone = next(server, IpcEvent.Disconnected.class);
        gone.subscribe();
        RawConnection r = raw(server); // never reads: the error frame waits behind megabytes it does not take
        IpcConnection c = first.block(T);
        c.send(Flux.range(0, 20_000).map(i -> Message.of("m", KIB))).subscribe(null, closed -> { });
        r.write("{\"type\":\"half\",\"da");
        // bounded by the refusal's grace (2 s), not by writeTimeout's 5 minutes
        assertThat(((IpcProtocolException) ((IpcEvent.Disconnected) gone.block(Duration.ofSeconds(20))).cause())
                .reason()).isEqualTo(IpcProtocolException.Reason.FRAME_TIMEOUT);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void partialFramesOfAllConnectionsShareOneBudget(String kind) {
        IpcServer server = server(kind, b -> b.peerLimits(l -> l.partialFrameBudget(100_000)));
        Mono<List<Message>> two = server.inbound().map(in -> in.message()).take(2).collectList().cache();
        two.subscribe();
        Mono<IpcEvent> failure = next(server, IpcEvent.Failure.class);
        failure.subscribe();
        Mono<IpcEvent> gone = next(server, IpcEvent.Disconnected.class);
        gone.subscribe();
        String head = "{\"type\":\"big\",\"data\":\"" + "y".repeat(40_000);
        List<RawConnection> peers = List.of(raw(server), raw(server), raw(server));
        for (RawConnection p : peers) {
            p.write(head);
        }
        IpcEvent.Failure f = (IpcEvent.Failure) failure.block(T);
        assertThat(((IpcProtocolException) f.error()).reason())
                .isEqualTo(IpcProtocolException.Reason.PARTIAL_FRAME_BUDGET);
        assertThat(f.error().getMessage()).contains("partialFrameBudget");
        for (RawConnection p : peers) {
            try {
                p.write("\"}\f");
            } catch (RuntimeException closedByTheServer) {
                // the one over the budget
            }
        }
        assertThat(two.block(T)).extracting(Message::type).containsExactly("big", "big");
        assertThat(((IpcEvent.Disconnected) gone.block(T)).cause()).isSameAs(f.error()); // the one refused
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aSendToAPeerThatDoesNotReadFailsNamingItAndOthersGoOn(String kind) {
        IpcServer server = server(kind, b -> b.peerLimits(l -> l.writeTimeout(Duration.ofMillis(500))));
        Mono<IpcConnection> firstConnection = server.connections().next().cache();
        firstConnection.subscribe();
        Mono<IpcConnection> secondConnection = server.connections().elementAt(1).cache();
        secondConnection.subscribe();
        raw(server); // never reads
        IpcConnection stuck = firstConnection.block(T);
        IpcClient reader = client(server, "reader");
        reader.connected().block(T);
        Mono<Message> got = reader.on("hello").next().cache();
        got.subscribe();

        Mono<Void> flood = stuck.send(Flux.range(0, 100_000).map(i -> Message.of("m", KIB)));
        assertThatThrownBy(() -> flood.block(T))
                .isInstanceOf(IpcClosedException.class)
                .hasMessageContaining("connection " + stuck.id())
                .hasMessageContaining("writeTimeout")
                .hasCauseInstanceOf(IpcTimeoutException.class);
        secondConnection.flatMap(c -> c.emit("hello", 1)).block(T);
        assertThat(got.block(T).type()).isEqualTo("hello");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aBroadcastReachesTheReadersWhileOneClientDoesNotRead(String kind) {
        IpcServer server = server(kind, b -> b.peerLimits(l -> l.writeTimeout(Duration.ofMillis(500))));
        IpcClient a = client(server, "a");
        IpcClient b = client(server, "b");
        a.connected().block(T);
        b.connected().block(T);
        int n = 20_000;
        Mono<Long> toA = a.on("news").take(n).count().cache();
        Mono<Long> toB = b.on("news").take(n).count().cache();
        toA.subscribe();
        toB.subscribe();
        Mono<IpcEvent> stuckGone = next(server, IpcEvent.Disconnected.class);
        stuckGone.subscribe();
        raw(server); // never reads
        server.connections().take(3).blockLast(T);

        server.broadcast(Flux.range(0, n).map(i -> Message.of("news", KIB))).block(T);
        assertThat(toA.block(T)).isEqualTo(n);
        assertThat(toB.block(T)).isEqualTo(n);
        assertThat(((IpcEvent.Disconnected) stuckGone.block(T)).cause()).isInstanceOf(IpcTimeoutException.class);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void aClientWhoseQueueIsFullWhenABroadcastComesIsDisconnected(String kind) {
        IpcServer server = server(kind, b -> b.maxQueuedMessages(64));
        Mono<IpcEvent> gone = next(server, IpcEvent.Disconnected.class);
        gone.subscribe();
        Mono<IpcConnection> first = server.connections().next().cache();
        first.subscribe();
        raw(server); // never reads
        first.block(T);
        for (int i = 0; i < 10_000 && !first.block(T).isDisposed(); i++) {
            server.broadcast(Message.of("news", KIB)).subscribe();
        }
        Throwable cause = ((IpcEvent.Disconnected) gone.block(T)).cause();
        assertThat(cause).isInstanceOf(IpcOverflowException.class).hasMessageContaining("fell behind a broadcast");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void withSkipABroadcastSkipsTheFullClientAndKeepsIt(String kind) {
        IpcServer server = server(kind, b -> b.maxQueuedMessages(64)
                .peerLimits(l -> l.slowConsumer(PeerLimits.SlowConsumer.SKIP)));
        Mono<IpcEvent> failure = next(server, IpcEvent.Failure.class);
        failure.subscribe();
        Mono<IpcConnection> first = server.connections().next().cache();
        first.subscribe();
        raw(server); // never reads
        first.block(T);
        for (int i = 0; i < 10_000; i++) {
            server.broadcast(Message.of("news", KIB)).subscribe();
        }
        assertThat(((IpcEvent.Failure) failure.block(T)).error()).isInstanceOf(IpcOverflowException.class);
        assertThat(first.block(T).isDisposed()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void idleTimeoutClosesAConnectionThatSendsNothing(String kind) {
        IpcServer server = server(kind, b -> b.peerLimits(l -> l.idleTimeout(Duration.ofMillis(300))));
        Mono<IpcEvent> gone = next(server, IpcEvent.Disconnected.class);
        gone.subscribe();
        raw(server);
        assertThat(((IpcEvent.Disconnected) gone.block(T)).cause()).isInstanceOf(IpcTimeoutException.class)
                .hasMessageContaining("idleTimeout");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    void idleSocketsAtMaxConnectionsDoNotLockARealClientOut(String kind) {
        IpcServer server = server(kind, b -> b.maxConnections(3)
                .peerLimits(l -> l.evictQuietAfter(Duration.ofMillis(200))));
        Mono<List<IpcConnection>> three = server.connections().take(3).collectList().cache();
        three.subscribe();
        for (int i = 0; i < 3; i++) {
            raw(server); // connect and send nothing
        }
        three.block(T);
        Mono<IpcEvent> evicted = next(server, IpcEvent.Disconnected.class);
        evicted.subscribe();
        IpcClient real = client(server, "real");
        real.connected().block(T);
        assertThat(((IpcEvent.Disconnected) evicted.block(T)).cause()).hasMessageContaining("evicted");
        AtomicReference<Message> answer = new AtomicReference<>();
        server.handle("ping", in -> Mono.just("pong"));
        answer.set(real.request("ping", 1).block(T));
        assertThat(answer.get().data(String.class)).isEqualTo("pong");
    }
}
