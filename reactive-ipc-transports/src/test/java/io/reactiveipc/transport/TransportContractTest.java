package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcDataException;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.internal.Transports;
import io.reactiveipc.test.IpcTestAddresses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * What every transport must do, over real sockets. Subclasses pick the transport and the kind of address.
 * Waiting is always on an event or a message (StepVerifier, block with a timeout), never on a clock.
 */
abstract class TransportContractTest {

    static final Duration T = Duration.ofSeconds(15);
    static final IpcConfig QUIET = IpcConfig.builder().silent(true).retry(20).build();

    final List<Disposable> resources = Collections.synchronizedList(new ArrayList<>());

    abstract NettyTransport transport();

    /** An address to bind: a fresh socket path, or TCP port 0. */
    abstract IpcAddress bindableAddress();

    /** An address no server is on yet, that a server can bind later (a fresh path, or a free TCP port). */
    abstract IpcAddress freeAddress();

    @AfterEach
    void disposeAll() {
        List<Disposable> all = new ArrayList<>(resources);
        Collections.reverse(all);
        for (Disposable d : all) {
            d.dispose();
            if (d instanceof IpcConnection c) {
                c.onDispose().block(T);
            } else if (d instanceof IpcServer s) {
                s.onDispose().block(T);
            }
        }
    }

    IpcServer server(IpcConfig config) {
        return serverAt(bindableAddress(), config);
    }

    IpcServer serverAt(IpcAddress address, IpcConfig config) {
        IpcServer s = Transports.bindServer(transport(), address, config).block(T);
        resources.add(s);
        return s;
    }

    IpcClient client(IpcAddress address, IpcConfig config) {
        IpcClient c = Transports.connectClient(transport(), "test", address, config);
        resources.add(c);
        return c;
    }

    /** A copy taken under the list's lock: events keep arriving on I/O threads while a test asserts. */
    static List<IpcEvent> snapshot(List<IpcEvent> events) {
        synchronized (events) {
            return new ArrayList<>(events);
        }
    }

    static void awaitConnected(IpcClient c) {
        c.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);
    }

    /** A plain blocking socket to the server, for bytes our own client would never send. */
    static SocketChannel raw(IpcAddress address) throws IOException {
        SocketAddress to;
        SocketChannel ch;
        if (address instanceof IpcAddress.Unix u) {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            to = UnixDomainSocketAddress.of(u.path());
        } else {
            IpcAddress.Tcp t = (IpcAddress.Tcp) address;
            ch = SocketChannel.open();
            to = new InetSocketAddress(t.host(), t.port());
        }
        ch.connect(to);
        return ch;
    }

    static void write(SocketChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    record Job(String name, int priority) {
    }

    // ---- talking -------------------------------------------------------------------------------------------

    @Test
    void helloWorld() {
        IpcServer server = server(QUIET);
        server.on("message").flatMap(in -> in.reply("message", in.message().data(String.class) + " world!"))
                .subscribe();
        IpcClient client = client(server.address(), QUIET);
        StepVerifier.create(client.on("message").map(m -> m.data(String.class)).take(1))
                .then(() -> client.emit("message", "hello").subscribe())
                .expectNext("hello world!")
                .verifyComplete();
    }

    @Test
    void recordsRoundTripThroughJackson() {
        IpcServer server = server(QUIET);
        server.on("job").flatMap(in -> in.reply("accepted", in.message().data(Job.class))).subscribe();
        IpcClient client = client(server.address(), QUIET);
        client.emit("job", new Job("build", 3)).block(T);
        assertThat(client.on("accepted").blockFirst(T).data(Job.class)).isEqualTo(new Job("build", 3));
    }

    @Test
    void tenThousandMessagesArriveCompleteAndInOrder() {
        IpcServer server = server(QUIET);
        Mono<List<Integer>> received = server.on("n").map(in -> in.message().data(Integer.class)).take(10_000)
                .collectList().cache();
        received.subscribe();
        IpcClient client = client(server.address(), QUIET);
        client.send(Flux.range(0, 10_000).map(i -> Message.of("n", i))).block(T);
        assertThat(received.block(T)).containsExactlyElementsOf(IntStream.range(0, 10_000).boxed().toList());
    }

    @Test
    void largePayloadsUpToTheFrameLimitPass() {
        IpcServer server = server(QUIET);
        server.on("big").flatMap(in -> in.reply("len", in.message().data(String.class).length())).subscribe();
        IpcClient client = client(server.address(), QUIET);
        String payload = "é".repeat(256 * 1024); // 512 KiB of UTF-8
        client.emit("big", payload).block(T);
        assertThat(client.on("len").blockFirst(T).data(Integer.class)).isEqualTo(payload.length());
    }

    @Test
    void broadcastReachesEveryClientAndEmitOnlyOne() {
        IpcServer server = server(QUIET);
        List<IpcClient> clients = IntStream.range(0, 3).mapToObj(i -> client(server.address(), QUIET)).toList();
        List<IpcConnection> connections = server.connections().take(3).collectList().block(T);
        clients.forEach(TransportContractTest::awaitConnected);

        List<Mono<Message>> next = clients.stream().map(c -> c.inbound().next().cache()).toList();
        next.forEach(Mono::subscribe);
        server.emit(connections.get(1), "only", "you").block(T);
        server.broadcast("all", 42).block(T);

        // each client's first message: "only" for the one we emitted to, "all" for the others
        List<String> firsts = next.stream().map(m -> m.block(T).type()).toList();
        assertThat(firsts).containsExactlyInAnyOrder("only", "all", "all");
    }

    @Test
    void serverInboundTellsWhichConnectionAMessageCameFrom() {
        IpcServer server = server(QUIET);
        IpcClient a = client(server.address(), QUIET);
        IpcClient b = client(server.address(), QUIET);
        Mono<List<IpcServer.Incoming>> two = server.on("who").take(2).collectList().cache();
        two.subscribe();
        a.emit("who", "a").block(T);
        b.emit("who", "b").block(T);
        List<IpcServer.Incoming> got = two.block(T);
        assertThat(got.get(0).connection()).isNotSameAs(got.get(1).connection());
        // replying on the connection reaches the right client
        got.forEach(in -> in.reply("you", in.message().data(String.class)).block(T));
        assertThat(a.on("you").blockFirst(T).data(String.class)).isEqualTo("a");
        assertThat(b.on("you").blockFirst(T).data(String.class)).isEqualTo("b");
    }

    // ---- bad input -----------------------------------------------------------------------------------------

    @Test
    void badFramesAreTypedErrorsOnThatConnectionAndNothingElseIsDisturbed() throws IOException {
        IpcServer server = server(QUIET);
        server.on("ping").flatMap(in -> in.reply("pong", in.message().data())).subscribe();
        IpcClient bystander = client(server.address(), QUIET);
        List<IpcEvent> events = Collections.synchronizedList(new ArrayList<>());
        server.events().subscribe(events::add);
        Mono<IpcServer.Incoming> ok = server.on("ok").next().cache();
        ok.subscribe();

        try (SocketChannel evil = raw(server.address())) {
            write(evil, "not json\f{\"data\":1}\f{\"type\":5}\f{\"type\":\"ok\",\"data\":1}\f");
            IpcServer.Incoming good = ok.block(T);
            assertThat(good.message().data(Integer.class)).isEqualTo(1);
            assertThat(snapshot(events)).filteredOn(e -> e instanceof IpcEvent.Failure).extracting(
                    e -> ((IpcProtocolException) ((IpcEvent.Failure) e).error()).reason())
                    .containsExactly(Reason.MALFORMED_JSON, Reason.INVALID_MESSAGE, Reason.INVALID_MESSAGE);
            // the offending connection stays open and keeps working
            write(evil, "{\"type\":\"ping\",\"data\":\"again\"}\f");
            ByteBuffer answer = ByteBuffer.allocate(256);
            while (answer.position() == 0 || answer.get(answer.position() - 1) != '\f') {
                evil.read(answer);
            }
            assertThat(new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"type\":\"pong\",\"data\":\"again\"}\f");
        }
        // and other connections never noticed
        bystander.emit("ping", "x").block(T);
        assertThat(bystander.on("pong").blockFirst(T).data(String.class)).isEqualTo("x");
        assertThat(snapshot(events)).noneMatch(e -> e instanceof IpcEvent.Failure f && f.connection() == bystander);
    }

    @Test
    void anOversizedFrameIsSkippedAndTheNextOneArrives() throws IOException {
        IpcServer server = server(QUIET.toBuilder().maxFrameSize(1000).build());
        List<IpcEvent> events = Collections.synchronizedList(new ArrayList<>());
        server.events().subscribe(events::add);
        Mono<IpcServer.Incoming> after = server.on("after").next().cache();
        after.subscribe();
        try (SocketChannel ch = raw(server.address())) {
            write(ch, "{\"type\":\"huge\",\"data\":\"" + "x".repeat(100_000) + "\"}\f{\"type\":\"after\",\"data\":1}\f");
            assertThat(after.block(T).message().data(Integer.class)).isEqualTo(1);
        }
        assertThat(snapshot(events)).filteredOn(e -> e instanceof IpcEvent.Failure).singleElement()
                .satisfies(e -> assertThat(((IpcProtocolException) ((IpcEvent.Failure) e).error()).reason())
                        .isEqualTo(Reason.FRAME_TOO_LARGE));
    }

    @Test
    void aPeerDyingMidFrameIsReportedAsATruncatedFrameThenADisconnect() throws IOException {
        IpcServer server = server(QUIET);
        List<IpcEvent> events = Collections.synchronizedList(new ArrayList<>());
        server.events().subscribe(events::add);
        Mono<IpcEvent> disconnected = server.events().filter(e -> e instanceof IpcEvent.Disconnected).next().cache();
        disconnected.subscribe();
        try (SocketChannel ch = raw(server.address())) {
            write(ch, "{\"type\":\"whole\",\"data\":1}\f{\"type\":\"half\",\"da");
        }
        disconnected.block(T);
        assertThat(snapshot(events)).extracting(IpcEvent::getClass).containsSubsequence(IpcEvent.Connected.class,
                IpcEvent.Failure.class, IpcEvent.Disconnected.class);
        assertThat(snapshot(events)).filteredOn(e -> e instanceof IpcEvent.Failure).singleElement().satisfies(e ->
                assertThat(((IpcProtocolException) ((IpcEvent.Failure) e).error()).reason())
                        .isEqualTo(Reason.TRUNCATED_FRAME));
    }

    // ---- sending -------------------------------------------------------------------------------------------

    @Test
    void aMessageTooLargeToSendFailsAloneAndTheNextOneGoes() {
        IpcServer server = server(QUIET);
        Mono<IpcServer.Incoming> next = server.inbound().next().cache();
        next.subscribe();
        IpcClient client = client(server.address(), QUIET.toBuilder().maxFrameSize(100).build());
        StepVerifier.create(client.emit("big", "x".repeat(200)))
                .verifyErrorSatisfies(e -> assertThat(((IpcProtocolException) e).reason())
                        .isEqualTo(Reason.FRAME_TOO_LARGE));
        client.emit("small", 1).block(T);
        assertThat(next.block(T).type()).isEqualTo("small");
    }

    @Test
    void dataThatCannotBeEncodedFailsItsSendAndIsReportedWhenFireAndForget() {
        IpcServer server = server(QUIET);
        Mono<List<String>> two = server.inbound().map(IpcServer.Incoming::type).take(2).collectList().cache();
        two.subscribe();
        IpcClient client = client(server.address(), QUIET);
        Object broken = new Object() {
            public Object getValue() {
                throw new IllegalStateException("broken getter");
            }
        };
        StepVerifier.create(client.emit("bad", broken)).verifyError(IpcDataException.class);
        Mono<IpcEvent> failure = client.events().filter(e -> e instanceof IpcEvent.Failure).next().cache();
        failure.subscribe();
        assertThat(client.outbound().tryEmitNext(Message.of("bad", broken))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(((IpcEvent.Failure) failure.block(T)).error()).isInstanceOf(IpcDataException.class);
        client.emit("good", 1).block(T);
        client.emit("good", 2).block(T);
        assertThat(two.block(T)).containsExactly("good", "good");
    }

    @Test
    void sendingOnAClosedConnectionFails() {
        IpcServer server = server(QUIET);
        IpcClient client = client(server.address(), QUIET.toBuilder().stopRetrying(true).build());
        IpcConnection conn = server.connections().blockFirst(T);
        awaitConnected(client);
        conn.dispose();
        conn.onDispose().block(T);
        StepVerifier.create(conn.emit("late", 1)).verifyError(IpcClosedException.class);
        assertThat(conn.outbound().tryEmitNext(Message.of("late"))).isEqualTo(Sinks.EmitResult.FAIL_TERMINATED);
        client.onDispose().block(T); // stopRetrying: the client is destroyed
    }

    @Test
    void inboundHoldsMessagesUntilSubscribedAndSlowsThePeerInsteadOfDropping() {
        IpcServer server = server(QUIET);
        IpcClient client = client(server.address(), QUIET);
        IpcConnection conn = server.connections().blockFirst(T);
        awaitConnected(client);
        // far more than the inbound buffer and the socket buffers hold: the server's sends must wait for reads
        Mono<Void> sent = conn.send(Flux.range(0, 20_000).map(i -> Message.of("n", i))).cache();
        sent.subscribe();
        List<Integer> got = client.inbound().map(m -> m.data(Integer.class)).take(20_000).collectList().block(T);
        assertThat(got).containsExactlyElementsOf(IntStream.range(0, 20_000).boxed().toList());
        sent.block(T);
    }

    // ---- limits --------------------------------------------------------------------------------------------

    @Test
    void connectionsBeyondMaxConnectionsAreClosedAndReported() {
        IpcServer server = server(QUIET.toBuilder().maxConnections(2).build());
        Mono<IpcEvent> rejected = server.events().filter(e -> e instanceof IpcEvent.Rejected).next().cache();
        rejected.subscribe();
        IpcClient a = client(server.address(), QUIET);
        IpcClient b = client(server.address(), QUIET);
        awaitConnected(a);
        awaitConnected(b);
        server.connections().take(2).blockLast(T);
        IpcClient c = client(server.address(), QUIET.toBuilder().stopRetrying(true).build());
        assertThat(((IpcEvent.Rejected) rejected.block(T)).reason()).contains("maxConnections (2)");
        c.onDispose().block(T);
        assertThat(server.connectionCount()).isEqualTo(2);
        a.emit("still", "here").block(T);
    }

    @Test
    void theClientQueueIsBoundedAndRefusesRatherThanDrops() {
        IpcAddress address = freeAddress();
        IpcClient client = client(address, QUIET.toBuilder().maxQueuedMessages(10).retry(10).build());
        for (int i = 0; i < 10; i++) {
            assertThat(client.outbound().tryEmitNext(Message.of("n", i))).isEqualTo(Sinks.EmitResult.OK);
        }
        assertThat(client.outbound().tryEmitNext(Message.of("n", 10))).isEqualTo(Sinks.EmitResult.FAIL_OVERFLOW);
        StepVerifier.create(client.emit("n", 11)).verifyError(IpcOverflowException.class);
        IpcServer server = serverAt(address, QUIET);
        assertThat(server.on("n").map(in -> in.message().data(Integer.class)).take(10).collectList().block(T))
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    // ---- queue and reconnect -------------------------------------------------------------------------------

    @Test
    void messagesEmittedBeforeTheServerExistsArriveWhenItStarts() {
        IpcAddress address = freeAddress();
        IpcClient client = client(address, QUIET);
        for (int i = 0; i < 100; i++) {
            client.outbound().tryEmitNext(Message.of("early", i));
        }
        client.events().filter(e -> e instanceof IpcEvent.Disconnected).blockFirst(T); // at least one attempt failed
        IpcServer server = serverAt(address, QUIET);
        assertThat(server.on("early").map(in -> in.message().data(Integer.class)).take(100).collectList().block(T))
                .containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
    }

    @Test
    void aServerRestartLosesNothingQueuedWhileItWasDown() {
        IpcAddress address = freeAddress();
        IpcServer first = serverAt(address, QUIET);
        IpcClient client = client(address, QUIET);
        List<Integer> got = Collections.synchronizedList(new ArrayList<>());

        Mono<List<Integer>> batchA = first.on("n").map(in -> in.message().data(Integer.class)).take(1000)
                .collectList().cache();
        batchA.subscribe();
        client.send(Flux.range(0, 1000).map(i -> Message.of("n", i))).block(T);
        got.addAll(batchA.block(T));

        Mono<IpcEvent> down = client.events().filter(e -> e instanceof IpcEvent.Disconnected).next().cache();
        down.subscribe();
        first.disposeNow(T);
        down.block(T);
        assertThat(client.isConnected()).isFalse();
        for (int i = 1000; i < 2000; i++) {
            assertThat(client.outbound().tryEmitNext(Message.of("n", i))).isEqualTo(Sinks.EmitResult.OK);
        }

        IpcServer second = serverAt(address, QUIET);
        Mono<List<Integer>> batchB = second.on("n").map(in -> in.message().data(Integer.class)).take(2000)
                .collectList().cache();
        batchB.subscribe();
        awaitConnected(client);
        client.send(Flux.range(2000, 1000).map(i -> Message.of("n", i))).block(T);
        got.addAll(batchB.block(T));
        assertThat(got).containsExactlyElementsOf(IntStream.range(0, 3000).boxed().toList());
    }

    @Test
    void disposingAServerClosesItsClientsAndEndsItsStreams() {
        IpcServer server = server(QUIET);
        IpcClient client = client(server.address(), QUIET.toBuilder().maxRetries(0).build());
        IpcConnection conn = server.connections().blockFirst(T);
        awaitConnected(client);
        StepVerifier.create(server.events().skip(0).filter(e -> e instanceof IpcEvent.Destroyed))
                .then(server::dispose)
                .expectNextCount(1)
                .verifyComplete();
        conn.onDispose().block(T);
        StepVerifier.create(conn.inbound()).verifyComplete();
        StepVerifier.create(server.connections()).verifyComplete();
        client.onDispose().block(T);
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void disposingAClientCompletesItsStreamsAndFailsWhatIsStillQueued() {
        IpcAddress address = freeAddress(); // nobody listens: everything stays queued
        IpcClient client = client(address, QUIET);
        Mono<Void> pending = client.emit("never", 1).cache();
        pending.subscribe(null, e -> { });
        client.events().filter(e -> e instanceof IpcEvent.Disconnected).blockFirst(T);
        StepVerifier.create(client.inbound()).then(client::dispose).verifyComplete();
        StepVerifier.create(pending).verifyError(IpcClosedException.class);
        StepVerifier.create(client.events().filter(e -> e instanceof IpcEvent.Destroyed)).expectNextCount(1)
                .verifyComplete();
        assertThat(client.isDisposed()).isTrue();
    }

    @Test
    void completingTheOutboundSinkClosesAfterEverythingQueuedWasWritten() {
        IpcServer server = server(QUIET);
        Mono<List<IpcServer.Incoming>> all = server.on("n").take(500).collectList().cache();
        all.subscribe();
        IpcClient client = client(server.address(), QUIET);
        for (int i = 0; i < 500; i++) {
            client.outbound().tryEmitNext(Message.of("n", i));
        }
        client.outbound().tryEmitComplete();
        client.onDispose().block(T);
        assertThat(all.block(T)).hasSize(500);
    }
}
