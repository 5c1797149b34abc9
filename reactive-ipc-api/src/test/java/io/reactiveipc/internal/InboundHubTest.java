package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

/**
 * What arrives while nobody listens is held, and demand stops, rather than anything being dropped; a subscriber
 * that falls too far behind the fastest is dropped with an error, and when all are slow, reading stops.
 */
class InboundHubTest {

    @Test
    void messagesArrivingBeforeAnySubscriberAreHeldAndReadingPauses() {
        AtomicLong requested = new AtomicLong();
        Sinks.Many<Message> socket = Sinks.many().unicast().onBackpressureBuffer();
        Flux<Message> inbound = new InboundHub(socket.asFlux().doOnRequest(requested::addAndGet));
        for (int i = 0; i < 1000; i++) {
            socket.tryEmitNext(Message.of("n", i));
        }
        assertThat(requested.get()).as("no subscriber: demand stops at the buffer").isEqualTo(InboundHub.BUFFER);
        StepVerifier.create(inbound.map(m -> m.data(Integer.class)).take(1000))
                .expectNextSequence(IntStream.range(0, 1000).boxed().toList())
                .verifyComplete();
    }

    @Test
    void subscribersShareOneStreamAndLateOnesAfterTheEndComplete() {
        Sinks.Many<Message> socket = Sinks.many().unicast().onBackpressureBuffer();
        Flux<Message> inbound = new InboundHub(socket.asFlux());
        StepVerifier.create(Flux.merge(inbound.filter(Message.type("a")), inbound.filter(Message.type("b")))
                        .map(Message::type))
                .then(() -> {
                    socket.tryEmitNext(Message.of("a"));
                    socket.tryEmitNext(Message.of("b"));
                    socket.tryEmitComplete();
                })
                .expectNext("a", "b")
                .verifyComplete();
        StepVerifier.create(inbound).verifyComplete();
    }

    @Test
    void aSubscriberThatFallsTooFarBehindFailsAndTheOthersGetEverything() {
        AtomicLong requested = new AtomicLong();
        Sinks.Many<Message> socket = Sinks.many().unicast().onBackpressureBuffer();
        Flux<Message> inbound = new InboundHub(socket.asFlux().doOnRequest(requested::addAndGet), null, 300);
        StepVerifier slow = StepVerifier.create(inbound, 10)
                .expectNextCount(10)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IpcOverflowException.class)
                        .hasMessageContaining("fell 300 messages behind"))
                .verifyLater();
        StepVerifier.create(inbound.map(m -> m.data(Integer.class)).take(1000))
                .then(() -> {
                    for (int i = 0; i < 1000; i++) {
                        socket.tryEmitNext(Message.of("n", i));
                    }
                })
                .expectNextSequence(IntStream.range(0, 1000).boxed().toList())
                .verifyComplete();
        slow.verify(Duration.ofSeconds(5));
    }

    @Test
    void whenEverySubscriberIsSlowReadingStops() {
        AtomicLong requested = new AtomicLong();
        Sinks.Many<Message> socket = Sinks.many().unicast().onBackpressureBuffer();
        Flux<Message> inbound = new InboundHub(socket.asFlux().doOnRequest(requested::addAndGet), null, 300);
        StepVerifier one = StepVerifier.create(inbound, 1).expectNextCount(1).thenCancel().verifyLater();
        StepVerifier two = StepVerifier.create(inbound, 2).expectNextCount(2).thenCancel().verifyLater();
        for (int i = 0; i < 5000; i++) {
            socket.tryEmitNext(Message.of("n", i));
        }
        assertThat(requested.get()).as("the fastest is 2 ahead: the window past it, and no more")
                .isLessThanOrEqualTo(InboundHub.BUFFER + 2);
        one.verify(Duration.ofSeconds(5));
        two.verify(Duration.ofSeconds(5));
    }

    @Test
    void aSlowSubscriberWithinTheLimitGetsEverythingAtItsOwnPace() {
        TestPublisher<Message> socket = TestPublisher.create();
        Flux<Message> inbound = new InboundHub(socket);
        StepVerifier fast = StepVerifier.create(inbound.map(m -> m.data(Integer.class)))
                .expectNext(0, 1)
                .thenCancel()
                .verifyLater();
        StepVerifier.create(inbound.map(m -> m.data(Integer.class)), 1)
                .then(() -> socket.next(Message.of("n", 0), Message.of("n", 1)))
                .expectNext(0)
                .then(() -> assertThat(socket.wasCancelled()).isFalse())
                .thenRequest(1)
                .expectNext(1)
                .thenCancel()
                .verify(Duration.ofSeconds(5));
        fast.verify(Duration.ofSeconds(5));
    }

    @Test
    void aCancelledSubscriberNoLongerHoldsTheOthersBack() {
        TestPublisher<Message> socket = TestPublisher.create();
        Flux<Message> inbound = new InboundHub(socket);
        BaseSubscriber<Message> stalled = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                // requests nothing
            }
        };
        inbound.subscribe(stalled);
        StepVerifier.create(inbound.map(m -> m.data(Integer.class)))
                .then(() -> socket.next(Message.of("n", 0)))
                .then(stalled::dispose)
                .expectNext(0)
                .then(() -> socket.next(Message.of("n", 1)).complete())
                .expectNext(1)
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void anErrorReachesSubscribersNowAndLater() {
        Sinks.Many<Message> socket = Sinks.many().unicast().onBackpressureBuffer();
        Flux<Message> inbound = new InboundHub(socket.asFlux());
        StepVerifier.create(inbound)
                .then(() -> socket.tryEmitError(new IllegalStateException("boom")))
                .verifyErrorMessage("boom");
        StepVerifier.create(inbound).verifyErrorMessage("boom");
    }

    /** The source on one thread, subscribers requesting from others: every message once, in order, to each. */
    @Test
    void concurrentSubscribersEachGetEverythingInOrder() {
        int n = 20_000;
        Flux<Message> source = Flux.range(0, n).map(i -> Message.of("n", i)).subscribeOn(Schedulers.single());
        List<Integer> expected = IntStream.range(0, n).boxed().toList();
        for (int round = 0; round < 20; round++) {
            Sinks.Many<Message> gate = Sinks.many().unicast().onBackpressureBuffer();
            // a limit beyond n: here no subscriber may be dropped for falling behind
            Flux<Message> inbound = new InboundHub(gate.asFlux(), null, n + 1);
            Flux<List<Integer>> a = inbound.publishOn(Schedulers.parallel(), 7).map(m -> m.data(Integer.class))
                    .collectList().flux();
            Flux<List<Integer>> b = inbound.limitRate(3).publishOn(Schedulers.boundedElastic())
                    .map(m -> m.data(Integer.class)).collectList().flux();
            StepVerifier.create(Flux.merge(a, b))
                    .then(() -> source.subscribe(gate::tryEmitNext, gate::tryEmitError, gate::tryEmitComplete))
                    .expectNext(expected, expected)
                    .verifyComplete();
        }
    }
}
