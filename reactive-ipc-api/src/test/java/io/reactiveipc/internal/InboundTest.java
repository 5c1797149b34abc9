package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.Message;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** What arrives while nobody listens is held, and demand stops, rather than anything being dropped. */
class InboundTest {

    @Test
    void messagesArrivingBeforeAnySubscriberAreHeldAndReadingPauses() {
        AtomicLong requested = new AtomicLong();
        Sinks.Many<Message> socket = Sinks.many().unicast().onBackpressureBuffer();
        Flux<Message> inbound = Inbound.share(socket.asFlux().doOnRequest(requested::addAndGet));
        for (int i = 0; i < 1000; i++) {
            socket.tryEmitNext(Message.of("n", i));
        }
        assertThat(requested.get()).as("no subscriber: demand stops at the buffer").isEqualTo(Inbound.BUFFER);
        StepVerifier.create(inbound.map(m -> m.data(Integer.class)).take(1000))
                .expectNextSequence(IntStream.range(0, 1000).boxed().toList())
                .verifyComplete();
    }

    @Test
    void subscribersShareOneStreamAndLateOnesAfterTheEndComplete() {
        Sinks.Many<Message> socket = Sinks.many().unicast().onBackpressureBuffer();
        Flux<Message> inbound = Inbound.share(socket.asFlux());
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
}
