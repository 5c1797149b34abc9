package io.reactiveipc.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.Incoming;
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
import io.reactiveipc.spi.IpcTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * What every transport must do. A transport's test class implements this interface and names its transport and
 * addresses; the tests come with it:
 *
 * <pre>{@code
 * class MyTransportTest implements IpcTransportContract {
 *     public IpcTransport transport() { return new MyTransport(); }
 *     public IpcAddress bindableAddress() { return ...; }
 *     public IpcAddress freeAddress() { return ...; }
 * }
 * }</pre>
 *
 * Waiting is always on an event or a message (StepVerifier, block with a timeout), never on a clock. Netty buffer
 * leaks and blocking calls are caught by {@link LeakCheck} and BlockHound when the JVM is set up for them.
 */
@ExtendWith(IpcExtension.class)
public interface IpcTransportContract {

    Duration T = Duration.ofSeconds(15);
    IpcConfig QUIET = IpcConfig.builder().silent(true).retry(20).build();

    /** The transport under test. */
    IpcTransport transport();

    /** An address to bind: a fresh socket path, TCP port 0, a new local name. */
    IpcAddress bindableAddress();

    /** An address no server is on yet, that a server can bind later (a fresh path, a free TCP port). */
    IpcAddress freeAddress();

    /**
     * A connection that writes bytes as they are, for the tests of bad input; the default is
     * {@link RawConnection#to(IpcAddress)}. A transport that wraps its bytes (TLS) gives one that wraps them too.
     */
    default RawConnection rawConnection(IpcAddress address) {
        return RawConnection.to(address);
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

    record Job(String name, int priority) {
    }

    // ---- talking -------------------------------------------------------------------------------------------

    @Test
    default void helloWorld(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        server.handle("message", in -> Mono.just(in.data(String.class) + " world!"));
        IpcClient client = fx.client(server.address(), QUIET);
        StepVerifier.create(client.on("message").map(m -> m.data(String.class)).take(1))
                .then(() -> client.emit("message", "hello").subscribe())
                .expectNext("hello world!")
                .verifyComplete();
    }

    @Test
    default void recordsRoundTripThroughJackson(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        server.on("job").flatMap(in -> in.reply("accepted", in.message().data(Job.class))).subscribe();
        IpcClient client = fx.client(server.address(), QUIET);
        client.emit("job", new Job("build", 3)).block(T);
        assertThat(client.on("accepted").blockFirst(T).data(Job.class)).isEqualTo(new Job("build", 3));
    }

    @Test
    default void tenThousandMessagesArriveCompleteAndInOrder(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        Mono<List<Integer>> received = server.on("n").map(in -> in.message().data(Integer.class)).take(10_000)
                .collectList().cache();
        received.subscribe();
        IpcClient client = fx.client(server.address(), QUIET);
        client.send(Flux.range(0, 10_000).map(i -> Message.of("n", i))).block(T);
        assertThat(received.block(T)).containsExactlyElementsOf(IntStream.range(0, 10_000).boxed().toList());
    }

    @Test
    default void largePayloadsUpToTheFrameLimitPass(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        server.on("big").flatMap(in -> in.reply("len", in.message().data(String.class).length())).subscribe();
        IpcClient client = fx.client(server.address(), QUIET);
        String payload = "é".repeat(256 * 1024); // 512 KiB of UTF-8
        client.emit("big", payload).block(T);
        assertThat(client.on("len").blockFirst(T).data(Integer.class)).isEqualTo(payload.length());
    }

    @Test
    default void broadcastReachesEveryClientAndEmitOnlyOne(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        List<IpcClient> clients = IntStream.range(0, 3).mapToObj(i -> fx.client(server.address(), QUIET)).toList();
        List<IpcConnection> connections = server.connections().take(3).collectList().block(T);
        clients.forEach(IpcTransportContract::awaitConnected);

        List<Mono<Message>> next = clients.stream().map(c -> c.inbound().next().cache()).toList();
        next.forEach(Mono::subscribe);
        server.emit(connections.get(1), "only", "you").block(T);
        server.broadcast("all", 42).block(T);

        // each client's first message: "only" for the one we emitted to, "all" for the others
        List<String> firsts = next.stream().map(m -> m.block(T).type()).toList();
        assertThat(firsts).containsExactlyInAnyOrder("only", "all", "all");
    }

    /**
     * A connection is in the broadcast set before its {@link IpcEvent.Connected} is published, so a broadcast
     * issued on seeing it (a welcome) reaches it; before, it reached nobody when the event was handled on the
     * thread that published it.
     */
    @Test
    default void aBroadcastOnConnectedReachesTheClientThatJustConnected(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        AtomicInteger welcomes = new AtomicInteger();
        server.events().ofType(IpcEvent.Connected.class)
                .flatMap(e -> server.broadcast("welcome", welcomes.incrementAndGet()))
                .subscribe();
        IpcClient first = fx.client(server.address(), QUIET);
        Flux<Message> firstHeard = first.inbound().take(2).cache();
        firstHeard.subscribe();
        StepVerifier.create(firstHeard.take(1))
                .as("the first client's welcome, with no other client to receive it")
                .expectNext(Message.of("welcome", 1))
                .expectComplete()
                .verify(T);
        IpcClient second = fx.client(server.address(), QUIET);
        assertThat(second.inbound().blockFirst(T)).as("the second client's welcome")
                .isEqualTo(Message.of("welcome", 2));
        assertThat(firstHeard.collectList().block(T)).as("and the first client hears it too")
                .containsExactly(Message.of("welcome", 1), Message.of("welcome", 2));
    }

    @Test
    default void aBroadcastStreamReachesEveryClientInOrder(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        List<IpcClient> clients = IntStream.range(0, 3).mapToObj(i -> fx.client(server.address(), QUIET)).toList();
        server.connections().take(3).blockLast(T);
        clients.forEach(IpcTransportContract::awaitConnected);
        int n = 5_000;
        List<Mono<List<Integer>>> got = clients.stream()
                .map(c -> c.on("n").map(m -> m.data(Integer.class)).take(n).collectList().cache()).toList();
        got.forEach(Mono::subscribe);
        server.broadcast(Flux.range(0, n).map(i -> Message.of("n", i))).block(T);
        List<Integer> expected = IntStream.range(0, n).boxed().toList();
        got.forEach(g -> assertThat(g.block(T)).containsExactlyElementsOf(expected));
    }

    @Test
    default void serverInboundTellsWhichConnectionAMessageCameFrom(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        IpcClient a = fx.client(server.address(), QUIET);
        IpcClient b = fx.client(server.address(), QUIET);
        Mono<List<Incoming>> two = server.on("who").take(2).collectList().cache();
        two.subscribe();
        a.emit("who", "a").block(T);
        b.emit("who", "b").block(T);
        List<Incoming> got = two.block(T);
        assertThat(got.get(0).connection()).isNotSameAs(got.get(1).connection());
        // replying on the connection reaches the right client
        got.forEach(in -> in.reply("you", in.message().data(String.class)).block(T));
        assertThat(a.on("you").blockFirst(T).data(String.class)).isEqualTo("a");
        assertThat(b.on("you").blockFirst(T).data(String.class)).isEqualTo("b");
    }

    // ---- codecs --------------------------------------------------------------------------------------------

    @Test
    default void aDelimiterOfSeveralBytesFramesEveryMessageWhereverTheReadsEnd(IpcFixtures fx) {
        IpcConfig crlf = QUIET.toBuilder().delimiter("\r\n").build();
        IpcServer server = fx.server(crlf);
        server.handle("echo", in -> Mono.just(in.data(String.class)));
        IpcClient client = fx.client(server.address(), crlf);
        String big = "x".repeat(200_000); // many reads: CR and LF land in different ones sooner or later
        List<String> sent = IntStream.range(0, 60).mapToObj(i -> i % 6 == 0 ? big + i : "line\r\n" + i).toList();
        List<String> back = Flux.fromIterable(sent)
                .flatMapSequential(s -> client.request("echo", s).map(m -> m.data(String.class)), 8)
                .collectList().block(T);
        assertThat(back).containsExactlyElementsOf(sent);
    }

    @Test
    default void rawBuffersCarryBytesUntouchedAndStringsInTheConfiguredEncoding(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET.toBuilder().rawBuffer(true).build());
        Mono<byte[]> atServer = server.on("data").map(in -> in.message().data(byte[].class))
                .scan(new byte[0], IpcTransportContract::concat).filter(b -> b.length >= 4 + 70_000 + 2).next()
                .cache();
        atServer.subscribe();
        server.on("data").take(1).flatMap(in -> in.reply("data", new byte[] {(byte) 0x80, 0, (byte) 0xff})).subscribe();
        IpcClient client = fx.client(server.address(), QUIET.toBuilder().rawBuffer(true).encoding("hex").build());
        Mono<byte[]> atClient = client.on("data").map(m -> m.data(byte[].class))
                .scan(new byte[0], IpcTransportContract::concat).filter(b -> b.length >= 3).next().cache();
        atClient.subscribe();
        byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, 0x41, 0x0c};
        byte[] large = new byte[70_000];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) (i * 31);
        }
        client.emit("data", notUtf8).then(client.emit("data", large)).then(client.emit("data", "c0ffee"
                .substring(0, 4))).block(T);
        byte[] want = concat(concat(notUtf8, large), new byte[] {(byte) 0xc0, (byte) 0xff});
        assertThat(atServer.block(T)).as("bytes as sent, the string as hex").isEqualTo(want);
        assertThat(atClient.block(T)).containsExactly((byte) 0x80, 0, (byte) 0xff);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    // ---- bad input -----------------------------------------------------------------------------------------

    @Test
    default void withSkipBadFramesAreTypedErrorsOnThatConnectionAndNothingElseIsDisturbed(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET.toBuilder().onProtocolError(IpcConfig.OnProtocolError.SKIP).build());
        server.on("ping").flatMap(in -> in.reply("pong", in.message().data())).subscribe();
        IpcClient bystander = fx.client(server.address(), QUIET);
        List<IpcEvent> events = Collections.synchronizedList(new ArrayList<>());
        server.events().subscribe(events::add);
        Mono<Incoming> ok = server.on("ok").next().cache();
        ok.subscribe();

        try (RawConnection evil = rawConnection(server.address())) {
            evil.write("not json\f{\"data\":1}\f{\"type\":5}\f{\"type\":\"ok\",\"data\":1}\f");
            Incoming good = ok.block(T);
            assertThat(good.message().data(Integer.class)).isEqualTo(1);
            assertThat(snapshot(events)).filteredOn(e -> e instanceof IpcEvent.Failure).extracting(
                    e -> ((IpcProtocolException) ((IpcEvent.Failure) e).error()).reason())
                    .containsExactly(Reason.MALFORMED_JSON, Reason.INVALID_MESSAGE, Reason.INVALID_MESSAGE);
            // the offending connection stays open and keeps working
            evil.write("{\"type\":\"ping\",\"data\":\"again\"}\f");
            assertThat(evil.readFrame(T)).isEqualTo("{\"type\":\"pong\",\"data\":\"again\"}\f");
        }
        // and other connections never noticed
        bystander.emit("ping", "x").block(T);
        assertThat(bystander.on("pong").blockFirst(T).data(String.class)).isEqualTo("x");
        assertThat(snapshot(events)).noneMatch(e -> e instanceof IpcEvent.Failure f && f.connection() == bystander);
    }

    /**
     * The default answer to a bad frame: an error frame to the offender, a Failure event, its socket closed; what it
     * sent before the bad frame is delivered, what it sent after is not; another connection never notices.
     */
    @Test
    default void aBadFrameIsAnsweredWithAnErrorFrameThenItsSocketIsClosed(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        server.on("ping").flatMap(in -> in.reply("pong", in.message().data())).subscribe();
        List<IpcEvent> events = Collections.synchronizedList(new ArrayList<>());
        server.events().subscribe(events::add);
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        server.inbound().subscribe(in -> received.add(in.type() + ":" + in.message().data()));
        IpcClient bystander = fx.client(server.address(), QUIET);
        awaitConnected(bystander);
        String[] bad = {"not json", "{\"data\":1}", "{\"type\":5}"};
        Reason[] reasons = {Reason.MALFORMED_JSON, Reason.INVALID_MESSAGE, Reason.INVALID_MESSAGE};
        for (int i = 0; i < bad.length; i++) {
            Mono<IpcEvent> gone = server.events().filter(e -> e instanceof IpcEvent.Disconnected).next().cache();
            gone.subscribe();
            try (RawConnection evil = rawConnection(server.address())) {
                evil.write("{\"type\":\"before\",\"data\":" + i + "}\f" + bad[i]
                        + "\f{\"type\":\"after\",\"data\":" + i + "}\f");
                String answer = evil.readFrame(T);
                assertThat(answer).startsWith("{\"type\":\"error\",\"data\":{\"code\":\"E_PROTOCOL\",\"reason\":\""
                        + reasons[i] + "\",\"message\":").endsWith("}}\f");
                evil.awaitClosed(T);
            }
            gone.block(T);
        }
        assertThat(received).as("before each bad frame: delivered; after it: not read").containsExactly(
                "before:0", "before:1", "before:2");
        assertThat(snapshot(events)).filteredOn(e -> e instanceof IpcEvent.Failure).extracting(
                e -> ((IpcProtocolException) ((IpcEvent.Failure) e).error()).reason()).containsExactly(reasons);
        bystander.emit("ping", "x").block(T);
        assertThat(bystander.on("pong").blockFirst(T).data(String.class)).isEqualTo("x");
        assertThat(snapshot(events)).noneMatch(e -> e instanceof IpcEvent.Failure f && f.connection() == bystander);
    }

    /** An oversized frame is refused when its first maxFrameSize + 1 bytes arrived, not when (if ever) it ends. */
    @Test
    default void anOversizedFrameIsRefusedAtTheLimitWithoutWaitingForItsEnd(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET.toBuilder().maxFrameSize(1000).build());
        Mono<IpcEvent> failure = server.events().filter(e -> e instanceof IpcEvent.Failure).next().cache();
        failure.subscribe();
        try (RawConnection evil = rawConnection(server.address())) {
            evil.write("{\"type\":\"huge\",\"data\":\"" + "x".repeat(1001 - 23)); // 1001 bytes, no delimiter
            assertThat(evil.readFrame(T)).contains("\"reason\":\"FRAME_TOO_LARGE\"");
            evil.awaitClosed(T);
        }
        assertThat(((IpcProtocolException) ((IpcEvent.Failure) failure.block(T)).error()).reason())
                .isEqualTo(Reason.FRAME_TOO_LARGE);
    }

    @Test
    default void withSkipAnOversizedFrameIsSkippedAndTheNextOneArrives(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET.toBuilder().maxFrameSize(1000)
                .onProtocolError(IpcConfig.OnProtocolError.SKIP).build());
        List<IpcEvent> events = Collections.synchronizedList(new ArrayList<>());
        server.events().subscribe(events::add);
        Mono<Incoming> after = server.on("after").next().cache();
        after.subscribe();
        try (RawConnection ch = rawConnection(server.address())) {
            ch.write("{\"type\":\"huge\",\"data\":\"" + "x".repeat(100_000) + "\"}\f{\"type\":\"after\",\"data\":1}\f");
            assertThat(after.block(T).message().data(Integer.class)).isEqualTo(1);
        }
        assertThat(snapshot(events)).filteredOn(e -> e instanceof IpcEvent.Failure).singleElement()
                .satisfies(e -> assertThat(((IpcProtocolException) ((IpcEvent.Failure) e).error()).reason())
                        .isEqualTo(Reason.FRAME_TOO_LARGE));
    }

    @Test
    default void aPeerDyingMidFrameIsReportedAsATruncatedFrameThenADisconnect(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        List<IpcEvent> events = Collections.synchronizedList(new ArrayList<>());
        server.events().subscribe(events::add);
        Mono<IpcEvent> disconnected = server.events().filter(e -> e instanceof IpcEvent.Disconnected).next().cache();
        disconnected.subscribe();
        try (RawConnection ch = rawConnection(server.address())) {
            ch.write("{\"type\":\"whole\",\"data\":1}\f{\"type\":\"half\",\"da");
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
    default void aMessageTooLargeToSendFailsAloneAndTheNextOneGoes(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        Mono<Incoming> next = server.inbound().next().cache();
        next.subscribe();
        IpcClient client = fx.client(server.address(), QUIET.toBuilder().maxFrameSize(100).build());
        StepVerifier.create(client.emit("big", "x".repeat(200)))
                .verifyErrorSatisfies(e -> assertThat(((IpcProtocolException) e).reason())
                        .isEqualTo(Reason.FRAME_TOO_LARGE));
        client.emit("small", 1).block(T);
        assertThat(next.block(T).type()).isEqualTo("small");
    }

    @Test
    default void dataThatCannotBeEncodedFailsItsSendAndIsReportedWhenFireAndForget(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        Mono<List<String>> two = server.inbound().map(Incoming::type).take(2).collectList().cache();
        two.subscribe();
        IpcClient client = fx.client(server.address(), QUIET);
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
    default void sendingOnAClosedConnectionFails(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        IpcClient client = fx.client(server.address(), QUIET.toBuilder().stopRetrying(true).build());
        IpcConnection conn = server.connections().blockFirst(T);
        awaitConnected(client);
        conn.dispose();
        conn.onDispose().block(T);
        StepVerifier.create(conn.emit("late", 1)).verifyError(IpcClosedException.class);
        assertThat(conn.outbound().tryEmitNext(Message.of("late"))).isEqualTo(Sinks.EmitResult.FAIL_TERMINATED);
        client.onDispose().block(T); // stopRetrying: the client is destroyed
    }

    @Test
    default void inboundHoldsMessagesUntilSubscribedAndSlowsThePeerInsteadOfDropping(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        IpcClient client = fx.client(server.address(), QUIET);
        IpcConnection conn = server.connections().blockFirst(T);
        awaitConnected(client);
        // 20 MB: far more than the inbound buffer and any socket buffer hold, so with nobody reading on the client
        // the server's sends must wait
        String pad = "p".repeat(10_000);
        int n = 2_000;
        Mono<Void> sent = conn.send(Flux.range(0, n).map(i -> Message.of("n", List.of(i, pad)))).cache();
        sent.subscribe();
        StepVerifier.create(sent).expectSubscription().expectNoEvent(Duration.ofMillis(300)).thenCancel()
                .verify(T);
        List<Integer> got = client.inbound().map(m -> m.data().get(0).asInt()).take(n).collectList().block(T);
        assertThat(got).containsExactlyElementsOf(IntStream.range(0, n).boxed().toList());
        sent.block(T);
    }

    // ---- limits --------------------------------------------------------------------------------------------

    @Test
    default void connectionsBeyondMaxConnectionsAreClosedAndReported(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET.toBuilder().maxConnections(2).build());
        Mono<IpcEvent> rejected = server.events().filter(e -> e instanceof IpcEvent.Rejected).next().cache();
        rejected.subscribe();
        IpcClient a = fx.client(server.address(), QUIET);
        IpcClient b = fx.client(server.address(), QUIET);
        awaitConnected(a);
        awaitConnected(b);
        server.connections().take(2).blockLast(T);
        IpcClient c = fx.client(server.address(), QUIET.toBuilder().stopRetrying(true).build());
        assertThat(((IpcEvent.Rejected) rejected.block(T)).reason()).contains("maxConnections (2)");
        c.onDispose().block(T);
        assertThat(server.connectionCount()).isEqualTo(2);
        a.emit("still", "here").block(T);
    }

    @Test
    default void theClientQueueIsBoundedAndRefusesRatherThanDrops(IpcFixtures fx) {
        IpcAddress address = freeAddress();
        IpcClient client = fx.client(address, QUIET.toBuilder().maxQueuedMessages(10).retry(10).build());
        for (int i = 0; i < 10; i++) {
            assertThat(client.outbound().tryEmitNext(Message.of("n", i))).isEqualTo(Sinks.EmitResult.OK);
        }
        assertThat(client.outbound().tryEmitNext(Message.of("n", 10))).isEqualTo(Sinks.EmitResult.FAIL_OVERFLOW);
        StepVerifier.create(client.emit("n", 11)).verifyError(IpcOverflowException.class);
        IpcServer server = fx.server(address, QUIET);
        assertThat(server.on("n").map(in -> in.message().data(Integer.class)).take(10).collectList().block(T))
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    // ---- queue and reconnect -------------------------------------------------------------------------------

    @Test
    default void messagesEmittedBeforeTheServerExistsArriveWhenItStarts(IpcFixtures fx) {
        IpcAddress address = freeAddress();
        IpcClient client = fx.client(address, QUIET);
        for (int i = 0; i < 100; i++) {
            client.outbound().tryEmitNext(Message.of("early", i));
        }
        client.events().filter(e -> e instanceof IpcEvent.Disconnected).blockFirst(T); // at least one attempt failed
        IpcServer server = fx.server(address, QUIET);
        assertThat(server.on("early").map(in -> in.message().data(Integer.class)).take(100).collectList().block(T))
                .containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
    }

    @Test
    default void aServerRestartLosesNothingQueuedWhileItWasDown(IpcFixtures fx) {
        IpcAddress address = freeAddress();
        IpcServer first = fx.server(address, QUIET);
        IpcClient client = fx.client(address, QUIET);
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

        IpcServer second = fx.server(address, QUIET);
        Mono<List<Integer>> batchB = second.on("n").map(in -> in.message().data(Integer.class)).take(2000)
                .collectList().cache();
        batchB.subscribe();
        awaitConnected(client);
        client.send(Flux.range(2000, 1000).map(i -> Message.of("n", i))).block(T);
        got.addAll(batchB.block(T));
        assertThat(got).containsExactlyElementsOf(IntStream.range(0, 3000).boxed().toList());
    }

    @Test
    default void disposingAServerClosesItsClientsAndEndsItsStreams(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        IpcClient client = fx.client(server.address(), QUIET.toBuilder().maxRetries(0).build());
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
    default void disposingAClientCompletesItsStreamsAndFailsWhatIsStillQueued(IpcFixtures fx) {
        IpcAddress address = freeAddress(); // nobody listens: everything stays queued
        IpcClient client = fx.client(address, QUIET);
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
    default void completingTheOutboundSinkClosesAfterEverythingQueuedWasWritten(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        Mono<List<Incoming>> all = server.on("n").take(500).collectList().cache();
        all.subscribe();
        IpcClient client = fx.client(server.address(), QUIET);
        for (int i = 0; i < 500; i++) {
            client.outbound().tryEmitNext(Message.of("n", i));
        }
        client.outbound().tryEmitComplete();
        client.onDispose().block(T);
        assertThat(all.block(T)).hasSize(500);
    }
}
