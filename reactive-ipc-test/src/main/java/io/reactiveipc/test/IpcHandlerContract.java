package io.reactiveipc.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.Discovery;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcDataException;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcRemoteException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.IpcTimeoutException;
import io.reactiveipc.Message;
import io.reactiveipc.RelayPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Handlers, request/response and routing between clients, on a real transport: what {@link IpcTransportContract}
 * is for plain messages. A transport's test class implements both (the fixtures take the transport and its
 * addresses from {@link IpcTransportContract}); waiting is always on an event or an answer.
 */
@ExtendWith(IpcExtension.class)
public interface IpcHandlerContract {

    Duration T = Duration.ofSeconds(15);
    IpcConfig QUIET = IpcConfig.builder().silent(true).retry(20).build();

    record Add(int a, int b) {
    }

    /** A client whose socket is up (and, if it announces itself, known to the server by its id). */
    private static IpcClient connected(IpcFixtures fx, String id, IpcServer server, IpcConfig config) {
        IpcClient c = fx.client(id, server.address(), config);
        c.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);
        if (config.identify()) {
            server.connection(id).block(T);
        }
        return c;
    }

    /** Failures the server publishes, collected from the start. */
    private static List<IpcEvent.Failure> failures(IpcServer server) {
        List<IpcEvent.Failure> got = Collections.synchronizedList(new ArrayList<>());
        server.events().ofType(IpcEvent.Failure.class).subscribe(got::add);
        return got;
    }

    // ---- isolation ---------------------------------------------------------------------------------------------

    @Test
    default void aMessageWhoseDataDoesNotBindLeavesTheServerAnsweringEveryone(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        Mono<IpcEvent.Failure> failure = server.events().ofType(IpcEvent.Failure.class).next().cache();
        failure.subscribe();
        server.handle("message", in -> Mono.just(in.data(String.class) + " world!"));
        IpcClient poisoner = connected(fx, "poisoner", server, QUIET);
        IpcClient other = connected(fx, "other", server, QUIET);

        poisoner.emit("message", Map.of()).block(T); // an object where a String is bound: node-ipc's "[object Object]"
        IpcEvent.Failure f = failure.block(T);
        assertThat(f.type()).isEqualTo("message");
        assertThat(f.error()).isInstanceOf(IpcDataException.class);

        for (IpcClient c : List.of(other, poisoner)) {
            StepVerifier.create(c.on("message").map(m -> m.data(String.class)).take(1))
                    .then(() -> c.emit("message", "hello").subscribe())
                    .expectNext("hello world!")
                    .verifyComplete();
        }
        StepVerifier.create(poisoner.request("message", List.of(1)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(IpcRemoteException.class,
                        r -> assertThat(r.code()).isEqualTo("E_DATA")))
                .verify(T);
        assertThat(other.request("message", "again").block(T).data(String.class)).isEqualTo("again world!");
    }

    @Test
    default void aCallWhoseClientLeftIsCancelledAsAFailureAndOthersAreStillAnswered(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        List<IpcEvent.Failure> failures = failures(server);
        Sinks.One<String> release = Sinks.one();
        Sinks.Empty<Void> slowCancelled = Sinks.empty();
        server.handle("slow", in -> release.asMono().map(s -> s + in.data(String.class))
                .doOnCancel(slowCancelled::tryEmitEmpty));
        server.handle("fast", in -> Mono.just("ok"));
        IpcClient leaver = connected(fx, "leaver", server, QUIET);
        IpcClient stayer = connected(fx, "stayer", server, QUIET);

        Mono<Void> left = server.events().filter(e -> e instanceof IpcEvent.Disconnected).next().then().cache();
        left.subscribe();
        // subscribed before the failure: a late events() subscriber gets the current state, not past failures
        Mono<IpcEvent.Failure> slowFailed = server.events().ofType(IpcEvent.Failure.class)
                .filter(f -> "slow".equals(f.type())).next().cache();
        slowFailed.subscribe();
        leaver.request("slow", "x").subscribe(m -> { }, e -> { });
        // the handler runs: the request arrived; then the client leaves before it is answered
        StepVerifier.create(stayer.request("fast", null).map(m -> m.data(String.class))).expectNext("ok")
                .verifyComplete();
        leaver.disposeNow(T);
        left.block(T);
        slowCancelled.asMono().block(T); // nothing runs on for a connection that is gone
        release.tryEmitValue("late "); // and nothing is answered

        StepVerifier.create(stayer.request("fast", null).map(m -> m.data(String.class))).expectNext("ok")
                .verifyComplete();
        assertThat(slowFailed.block(T).error()).isInstanceOf(IpcClosedException.class)
                .hasMessageContaining("'slow'");
        synchronized (failures) {
            assertThat(failures).filteredOn(f -> "slow".equals(f.type()))
                    .allSatisfy(f -> assertThat(f.error()).isInstanceOf(IpcClosedException.class));
        }
    }

    @Test
    default void aHandlerThatThrowsOrFailsAnswersWithAnErrorAndStaysRegistered(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        AtomicInteger calls = new AtomicInteger();
        server.handle("div", in -> {
            calls.incrementAndGet();
            int[] ab = in.data(int[].class);
            if (ab[1] == 0) {
                throw new ArithmeticException("/ by zero");
            }
            if (ab[1] < 0) {
                return Mono.error(new IpcRemoteException("E_NEGATIVE", "no negative divisors"));
            }
            return Mono.just(ab[0] / ab[1]);
        });
        IpcClient client = connected(fx, "c", server, QUIET);
        StepVerifier.create(client.request("div", new int[] {1, 0}))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(IpcRemoteException.class, r -> {
                    assertThat(r.type()).isEqualTo("div");
                    assertThat(r.code()).isEqualTo("E_HANDLER");
                    assertThat(r.remoteMessage()).isEqualTo("/ by zero");
                }))
                .verify(T);
        StepVerifier.create(client.request("div", new int[] {1, -1}))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(IpcRemoteException.class,
                        r -> assertThat(r.code()).isEqualTo("E_NEGATIVE")))
                .verify(T);
        assertThat(client.request("div", new int[] {6, 3}).block(T).data(Integer.class)).isEqualTo(2);
        assertThat(calls).hasValue(3);
    }

    // ---- request / response ----------------------------------------------------------------------------------

    @Test
    default void requestIsAnsweredAndEmptyAndMissingHandlersAreToldApart(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        server.handle("add", in -> Mono.just(in.data(Add.class).a() + in.data(Add.class).b()));
        server.handle("nothing", in -> Mono.empty());
        server.handle("as-message", in -> Mono.just(Message.of("sum", 7)));
        IpcClient client = connected(fx, "c", server, QUIET);

        Message sum = client.request("add", new Add(2, 3)).block(T);
        assertThat(sum.type()).isEqualTo("add");
        assertThat(sum.data(Integer.class)).isEqualTo(5);
        StepVerifier.create(client.request("nothing", null)).verifyComplete();
        assertThat(client.request("as-message", null).block(T)).isEqualTo(Message.of("sum", 7));
        StepVerifier.create(client.request("nobody", 1))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(IpcRemoteException.class,
                        r -> assertThat(r.code()).isEqualTo("E_NO_HANDLER")))
                .verify(T);
        assertThat(client.pendingRequests()).isZero();
    }

    @Test
    default void aPlainMessageToAHandlerIsAnsweredWithAMessageOfItsType(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        server.handle("message", in -> Mono.just(in.data(String.class) + " world!"));
        IpcClient client = connected(fx, "c", server, QUIET);
        StepVerifier.create(client.on("message").take(1))
                .then(() -> client.emit("message", "hello").subscribe())
                .expectNext(Message.of("message", "hello world!"))
                .verifyComplete();
    }

    @Test
    default void theServerAsksAClientToo(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        IpcClient client = connected(fx, "worker", server, QUIET);
        client.handle("status", in -> Mono.just(Map.of("busy", false, "asked", in.data(String.class))));
        IpcConnection worker = server.connection("worker").block(T);
        assertThat(worker).isNotNull();
        Message answer = worker.request("status", "now?").block(T);
        assertThat(answer.data().get("asked").asText()).isEqualTo("now?");
        assertThat(server.request("worker", "status", "again").block(T).data().get("busy").asBoolean()).isFalse();
    }

    @Test
    default void tenThousandConcurrentRequestsWithRandomTimeoutsEachEndOnceAndLeaveNoSlot(IpcFixtures fx) {
        // every call may run at once: a delayed answer must not hold the others back behind the concurrency limit
        // All 10,000 are sent at once: room for every one in both queues, however fast the transport writes (a TLS
        // socket drains slower than the test thread fills the default 8192)
        IpcConfig roomy = QUIET.toBuilder().maxQueuedMessages(20_000).build();
        IpcServer server = fx.server(roomy.toBuilder().handlerConcurrency(10_000).build());
        server.handle("echo", in -> {
            int delay = in.data(Integer.class);
            return delay < 0 ? Mono.never()
                    : delay == 0 ? Mono.just(in.message()) : Mono.delay(Duration.ofMillis(delay)).thenReturn(in.message());
        });
        IpcClient client = connected(fx, "c", server, roomy);
        int n = 10_000;
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger timedOut = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        // per request: terminal signals of the request's own Mono (never two), and whether it ended at all (a
        // signal, or the timeout's cancel)
        AtomicIntegerArray signals = new AtomicIntegerArray(n);
        AtomicIntegerArray ended = new AtomicIntegerArray(n);
        ConcurrentLinkedQueue<Throwable> other = new ConcurrentLinkedQueue<>();
        // How each ended: 1 answered, 2 timed out. How long an answer takes is no promise (on a loaded 2-core
        // machine all 10,000 once took over a second), so only two groups have a known end: every tenth request
        // has no timeout of its own and is answered, every tenth+1 is never answered and times out; the rest race.
        AtomicIntegerArray outcome = new AtomicIntegerArray(n);
        Flux.range(0, n)
                .flatMap(i -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    int delay = i % 10 == 1 ? -1 : r.nextInt(4) == 0 ? r.nextInt(40) : 0;
                    Duration timeout = i % 10 == 0 ? Duration.ofDays(1) : Duration.ofMillis(1 + r.nextInt(1000));
                    return client.request("echo", delay)
                            .doOnSuccess(m -> {
                                signals.incrementAndGet(i);
                                ended.incrementAndGet(i);
                            })
                            .doOnError(e -> {
                                signals.incrementAndGet(i);
                                ended.incrementAndGet(i);
                            })
                            .doOnCancel(() -> ended.incrementAndGet(i))
                            .timeout(timeout) // some shorter than the answer takes
                            .doOnNext(m -> {
                                if (m.data(Integer.class) != delay) {
                                    wrong.incrementAndGet();
                                }
                                answered.incrementAndGet();
                                outcome.set(i, 1);
                            })
                            .onErrorResume(e -> {
                                if (e instanceof TimeoutException) {
                                    timedOut.incrementAndGet();
                                    outcome.set(i, 2);
                                } else {
                                    other.add(e);
                                }
                                return Mono.empty();
                            });
                }, n)
                .blockLast(Duration.ofSeconds(60));
        assertThat(other).isEmpty();
        assertThat(wrong).hasValue(0);
        for (int i = 0; i < n; i++) {
            assertThat(signals.get(i)).as("terminal signals of request %d", i).isLessThanOrEqualTo(1);
            assertThat(ended.get(i)).as("request %d ended", i).isPositive();
        }
        assertThat(answered.get() + timedOut.get()).isEqualTo(n);
        for (int i = 0; i < n; i += 10) {
            assertThat(outcome.get(i)).as("request %d, without a timeout, answered", i).isEqualTo(1);
            assertThat(outcome.get(i + 1)).as("request %d, never answered, timed out", i + 1).isEqualTo(2);
        }
        assertThat(client.pendingRequests()).as("no slot left behind").isZero();
    }

    @Test
    default void cancellingARequestFreesItsSlotAndTheLateAnswerIsDiscarded(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        Sinks.One<String> release = Sinks.one();
        Sinks.Empty<Void> arrived = Sinks.empty();
        server.handle("wait", in -> {
            arrived.tryEmitEmpty();
            return release.asMono();
        });
        server.handle("fast", in -> Mono.just(1));
        IpcClient client = connected(fx, "c", server, QUIET);
        reactor.core.Disposable d = client.request("wait", null).subscribe();
        arrived.asMono().block(T);
        assertThat(client.pendingRequests()).isEqualTo(1);
        d.dispose();
        assertThat(client.pendingRequests()).isZero();
        release.tryEmitValue("late");
        assertThat(client.request("fast", null).block(T).data(Integer.class)).isEqualTo(1);
        assertThat(client.pendingRequests()).isZero();
    }

    @Test
    default void aHandlerCallEndsWhenItsRequesterCancelsOrTimesOutAndItsPlaceIsFreed(IpcFixtures fx) {
        // two places a connection: two calls that never answer would hold both for good if nothing ended them
        IpcServer server = fx.server(QUIET.toBuilder().handlerConcurrency(2).build());
        Sinks.Many<String> started = Sinks.many().replay().all();
        Sinks.Many<String> cancelled = Sinks.many().replay().all();
        server.handle("hang", in -> Mono.never()
                .doOnSubscribe(s -> started.tryEmitNext(in.data(String.class)))
                .doOnCancel(() -> cancelled.tryEmitNext(in.data(String.class))));
        server.handle("ok", in -> Mono.just("fine"));
        IpcClient impatient = connected(fx, "impatient", server,
                QUIET.toBuilder().requestTimeout(Duration.ofMillis(300)).build());
        IpcClient cancelling = connected(fx, "cancelling", server, QUIET);

        StepVerifier.create(Flux.merge(
                        impatient.request("hang", "timed out 1").onErrorResume(IpcTimeoutException.class, e -> Mono.empty()),
                        impatient.request("hang", "timed out 2").onErrorResume(IpcTimeoutException.class, e -> Mono.empty())))
                .as("both time out").verifyComplete();
        reactor.core.Disposable d = cancelling.request("hang", "cancelled").subscribe(m -> { }, e -> { });
        started.asFlux().filter("cancelled"::equals).blockFirst(T);
        d.dispose(); // the caller's own cancel (a timeout() of its own does the same)

        assertThat(cancelled.asFlux().take(3).collectList().block(T)).as("each call was cancelled at the server")
                .containsExactlyInAnyOrder("timed out 1", "timed out 2", "cancelled");
        assertThat(impatient.request("ok", null).block(T).data(String.class))
                .as("both places were given back").isEqualTo("fine");
        assertThat(impatient.pendingRequests()).isZero();
        assertThat(cancelling.pendingRequests()).isZero();
    }

    @Test
    default void handlerCallsStillRunningAreCancelledWhenTheirConnectionCloses(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        Sinks.Many<String> started = Sinks.many().replay().all();
        Sinks.Many<String> cancelled = Sinks.many().replay().all();
        server.handle("hold", in -> Mono.never()
                .doOnSubscribe(s -> started.tryEmitNext(in.data(String.class)))
                .doOnCancel(() -> cancelled.tryEmitNext(in.data(String.class))));
        IpcClient client = connected(fx, "c", server, QUIET);
        client.emit("hold", "plain").block(T);
        client.request("hold", "request").subscribe(m -> { }, e -> { });
        started.asFlux().take(2).then().block(T);

        client.disposeNow(T);

        assertThat(cancelled.asFlux().take(2).collectList().block(T))
                .as("nothing keeps running for a connection that is gone")
                .containsExactlyInAnyOrder("plain", "request");
    }

    @Test
    default void aRequestWithoutAnswerTimesOutAfterTheConfiguredTime(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        server.handle("never", in -> Mono.never());
        IpcClient client = connected(fx, "c", server, QUIET.toBuilder().requestTimeout(Duration.ofMillis(200)).build());
        StepVerifier.create(client.request("never", null))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IpcTimeoutException.class)
                        .hasMessageContaining("'never'").hasMessageContaining("200 ms"))
                .verify(T);
        assertThat(client.pendingRequests()).isZero();
    }

    @Test
    default void aStalledInboundSubscriberDoesNotDelayAnswers(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        server.handle("ping", in -> Mono.just("pong"));
        IpcClient client = connected(fx, "c", server, QUIET);
        // requests one message and never more
        client.inbound().subscribe(new BaseSubscriber<Message>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.request(1);
            }
        });
        IpcConnection c = server.connections().blockFirst(T);
        c.send(Flux.range(0, 2_000).map(i -> Message.of("noise", i))).subscribe(v -> { }, e -> { });
        for (int i = 0; i < 8; i++) {
            assertThat(client.request("ping", i).block(T).data(String.class)).isEqualTo("pong");
        }
    }

    // ---- streams -------------------------------------------------------------------------------------------

    @Test
    default void aStreamRequestGetsEveryAnswerWithinTheRequestersDemand(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        AtomicLong requestedOfHandler = new AtomicLong();
        server.handle("count", in -> Flux.range(0, in.data(Integer.class)).doOnRequest(requestedOfHandler::addAndGet));
        IpcClient client = connected(fx, "c", server, QUIET);

        StepVerifier.create(client.requestStream("count", 1000).map(m -> m.data(Integer.class)))
                .expectNextCount(1000)
                .verifyComplete();

        StepVerifier.create(client.requestStream("count", 1_000_000).map(m -> m.data(Integer.class)), 5)
                .expectNext(0, 1, 2, 3, 4)
                .then(() -> {
                    // the demand crossed the wire: the handler was asked for 5 and no more
                    assertThat(requestedOfHandler.get()).isLessThanOrEqualTo(1000 + 256 + 5);
                })
                .thenRequest(3)
                .expectNext(5, 6, 7)
                .thenCancel()
                .verify(T);
        assertThat(client.pendingRequests()).isZero();
    }

    @Test
    default void aStreamThatFailsEndsWithTheRemoteError(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        server.handle("broken", in -> Flux.just(1, 2).concatWith(Flux.error(new IllegalStateException("disk full"))));
        IpcClient client = connected(fx, "c", server, QUIET);
        StepVerifier.create(client.requestStream("broken", null).map(m -> m.data(Integer.class)))
                .expectNext(1, 2)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(IpcRemoteException.class,
                        r -> assertThat(r.remoteMessage()).isEqualTo("disk full")))
                .verify(T);
    }

    // ---- identity and routing ---------------------------------------------------------------------------

    @Test
    default void clientsTalkToEachOtherThroughTheServer(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        server.handle("where", in -> Mono.just("server"));
        IpcClient alice = connected(fx, "alice", server, QUIET);
        IpcClient bob = connected(fx, "bob", server, QUIET);
        IpcClient carol = connected(fx, "carol", server, QUIET);
        bob.handle("add", in -> Mono.just(in.data(Add.class).a() + in.data(Add.class).b()));
        for (String id : List.of("alice", "bob", "carol")) {
            server.connection(id).block(T); // each has announced itself
        }

        StepVerifier.create(bob.on("chat").take(1))
                .then(() -> alice.emitTo("bob", "chat", "hi bob").subscribe())
                .assertNext(m -> {
                    assertThat(m.data(String.class)).isEqualTo("hi bob");
                    assertThat(m.from()).isEqualTo("alice");
                })
                .verifyComplete();

        Message sum = alice.requestTo("bob", "add", new Add(20, 22)).block(T);
        assertThat(sum.data(Integer.class)).isEqualTo(42);
        assertThat(sum.from()).as("the answer says who gave it").isEqualTo("bob");

        Mono<Message> toBob = bob.on("news").next().cache();
        Mono<Message> toCarol = carol.on("news").next().cache();
        Mono<Message> toAlice = alice.on("news").next().cache();
        toBob.subscribe();
        toCarol.subscribe();
        toAlice.subscribe();
        alice.broadcast("news", "all of you").block(T);
        assertThat(toBob.block(T).from()).isEqualTo("alice");
        assertThat(toCarol.block(T).data(String.class)).isEqualTo("all of you");
        // the broadcast does not come back to its sender: a message sent after it arrives first
        bob.emitTo("alice", "news", "after").block(T);
        assertThat(toAlice.block(T).data(String.class)).isEqualTo("after");

        Discovery d = alice.discover().block(T);
        assertThat(d.handlers()).containsExactly("where");
        assertThat(d.clients()).containsExactlyInAnyOrder("alice", "bob", "carol");
    }

    @Test
    default void aClientThatIsNotThereOrARefusedRelayIsAnErrorForTheSender(IpcFixtures fx) {
        IpcConfig guarded = QUIET.toBuilder()
                .relayPolicy((from, to, m) -> !m.type().startsWith("admin.")).build();
        IpcServer server = fx.server(guarded);
        IpcClient alice = connected(fx, "alice", server, QUIET);
        IpcClient bob = connected(fx, "bob", server, QUIET);
        bob.handle("admin.reset", in -> Mono.just("done"));
        server.connection("bob").block(T);

        StepVerifier.create(alice.requestTo("nobody", "x", 1))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(IpcRemoteException.class,
                        r -> assertThat(r.code()).isEqualTo("E_NO_CLIENT")))
                .verify(T);
        StepVerifier.create(alice.requestTo("bob", "admin.reset", null))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(IpcRemoteException.class,
                        r -> assertThat(r.code()).isEqualTo("E_REFUSED")))
                .verify(T);
        StepVerifier.create(alice.events().ofType(IpcEvent.Failure.class).take(1))
                .then(() -> alice.emitTo("bob", "admin.wipe", null).subscribe())
                .assertNext(f -> {
                    assertThat(f.type()).isEqualTo("admin.wipe");
                    assertThat(f.error()).isInstanceOfSatisfying(IpcRemoteException.class,
                            r -> assertThat(r.code()).isEqualTo("E_REFUSED"));
                })
                .thenCancel()
                .verify(T);
        StepVerifier.create(alice.emitTo("bob", "chat", "still fine").then(bob.on("chat").next()))
                .expectNextCount(1).verifyComplete();
    }

    @Test
    default void aServerKnowsItsClientsByTheirIdAndANodeIpcClientByItsNumber(IpcFixtures fx) {
        IpcServer server = fx.server(QUIET);
        IpcClient named = connected(fx, "named", server, QUIET);
        IpcClient anonymous = connected(fx, "anonymous", server, QUIET.toBuilder().identify(false).build());
        IpcConnection n = server.connection("named").block(T);
        assertThat(n.id()).isEqualTo("named");
        List<String> ids = server.connections().take(2).map(IpcConnection::id).collectList().block(T);
        assertThat(ids).contains("named").anyMatch(id -> id.matches("\\d+"));
        String number = ids.stream().filter(id -> id.matches("\\d+")).findFirst().orElseThrow();
        StepVerifier.create(anonymous.on("hi").take(1))
                .then(() -> server.emit(number, "hi", "by number").subscribe())
                .expectNextCount(1)
                .verifyComplete();
        StepVerifier.create(server.emit("ghost", "hi", null)).verifyError(io.reactiveipc.IpcException.class);
        n.attributes().put("user", "ana");
        assertThat(server.connection("named").block(T).attributes()).containsEntry("user", "ana");
        assertThat(n.remoteAddress()).isNotNull();
        named.dispose();
    }

    /** Kept apart from the ALLOW_ALL default: a policy that throws refuses, and is reported. */
    @Test
    default void aRelayPolicyThatThrowsRefusesTheMessage(IpcFixtures fx) {
        RelayPolicy broken = (from, to, m) -> {
            throw new IllegalStateException("policy bug");
        };
        IpcServer server = fx.server(QUIET.toBuilder().relayPolicy(broken).build());
        IpcClient alice = connected(fx, "alice", server, QUIET);
        connected(fx, "bob", server, QUIET);
        server.connection("bob").block(T);
        StepVerifier.create(alice.requestTo("bob", "x", null))
                .expectErrorSatisfies(e -> assertThat(((IpcRemoteException) e).code()).isEqualTo("E_REFUSED"))
                .verify(T);
    }
}
