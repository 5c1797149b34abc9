package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.Message;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Sinks;
import reactor.test.util.RaceTestUtils;

/** Races between the hub's drain and its subscribers' threads. */
class InboundHubRaceTest {

    /**
     * A cancel landing between {@code next}'s look at the demand and its decrement turned Long.MIN_VALUE into
     * Long.MAX_VALUE: the cancelled subscriber then got its whole backlog.
     */
    @Test
    void aSubscriberCancelledDuringDeliveryGetsAtMostOneMoreMessage() {
        int worst = 0;
        for (int round = 0; round < 2000; round++) {
            Sinks.Many<Message> socket = Sinks.many().unicast().onBackpressureBuffer();
            InboundHub hub = new InboundHub(socket.asFlux());
            for (int i = 0; i < 200; i++) {
                socket.tryEmitNext(Message.of("n", i));
            }
            AtomicInteger received = new AtomicInteger();
            AtomicInteger afterCancel = new AtomicInteger();
            class Sub extends BaseSubscriber<Message> {
                volatile boolean cancelled;

                @Override
                protected void hookOnSubscribe(Subscription s) {
                    s.request(Long.MAX_VALUE - 1); // bounded: each message is counted down
                }

                @Override
                protected void hookOnNext(Message m) {
                    received.incrementAndGet();
                    if (cancelled) {
                        afterCancel.incrementAndGet();
                    }
                }
            }
            Sub sub = new Sub();
            RaceTestUtils.race(() -> hub.subscribe(sub), () -> {
                while (received.get() == 0) {
                    Thread.onSpinWait();
                }
                sub.cancel();
                sub.cancelled = true;
            });
            worst = Math.max(worst, afterCancel.get());
        }
        assertThat(worst).as("messages delivered after cancel() returned").isLessThanOrEqualTo(1);
    }
}
