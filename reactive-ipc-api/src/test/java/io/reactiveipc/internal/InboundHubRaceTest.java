package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.Message;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
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

    /**
     * Messages held while nobody was subscribed go to the first subscriber before anything that arrives while it is
     * being added. The drain used to hand the messages queued meanwhile to the new subscriber first and what was held
     * after them: seen as a server's messages 1000 and 1001 arriving swapped on a reconnected client's new
     * connection, and a client's first ten messages arriving after the eleventh and later ones.
     */
    @Test
    void whatWasHeldReachesTheFirstSubscriberBeforeWhatArrivesWhileItSubscribes() {
        int n = 64;
        List<Integer> expected = IntStream.range(0, n).boxed().toList();
        for (int round = 0; round < 5000; round++) {
            Sinks.Many<Message> socket = Sinks.many().unicast().onBackpressureBuffer();
            InboundHub hub = new InboundHub(socket.asFlux());
            int held = 1 + round % 10;
            for (int i = 0; i < held; i++) {
                socket.tryEmitNext(Message.of("n", i)); // held: nobody subscribed yet
            }
            List<Integer> got = new CopyOnWriteArrayList<>();
            RaceTestUtils.race(
                    () -> hub.map(m -> m.data(Integer.class)).subscribe(got::add),
                    () -> {
                        for (int i = held; i < n; i++) {
                            socket.tryEmitNext(Message.of("n", i));
                        }
                    });
            assertThat(got).as("round %d", round).containsExactlyElementsOf(expected);
        }
    }
}
