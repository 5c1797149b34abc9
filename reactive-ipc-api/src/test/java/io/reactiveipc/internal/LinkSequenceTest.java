package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.Message;
import io.reactiveipc.internal.ScriptedTransport.FakeLink;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.subscriber.TestSubscriber;

/**
 * A connection's inbound across its sockets (a client's reconnects): order, demand and failures. The fake links
 * signal on the calling thread, so each step is checked as soon as it returns.
 */
class LinkSequenceTest {

    private final IpcConfig config = IpcConfig.builder().silent(true).build();
    private final EventSink events = new EventSink("test", config);
    private final List<IpcEvent> published = new ArrayList<>();
    private final LinkSequence sequence =
            new LinkSequence(new DefaultIpcConnection("c", new FakeLink(), config, events, null), events,
                    io.reactiveipc.spi.IpcMetricsRecorder.NONE);
    private final FakeLink first = new FakeLink();
    private final FakeLink second = new FakeLink();

    LinkSequenceTest() {
        events.asFlux().subscribe(published::add);
    }

    @Test
    void eachSocketIsReadToItsEndBeforeTheNextAndTheSequenceEndsAfterTheLast() {
        TestSubscriber<Message> ts = TestSubscriber.create();
        sequence.subscribe(ts);
        sequence.offer(first);
        sequence.offer(second);
        emit(second, 10); // the new socket's first message arrives before the old one was read to its end

        emit(first, 1, 2);
        assertThat(numbers(ts)).containsExactly(1, 2);
        first.close();
        assertThat(numbers(ts)).containsExactly(1, 2, 10);

        sequence.end();
        assertThat(ts.isTerminated()).as("ended while a socket is still open").isFalse();
        emit(second, 11);
        second.close();
        assertThat(numbers(ts)).containsExactly(1, 2, 10, 11);
        assertThat(ts.isTerminatedComplete()).isTrue();
    }

    @Test
    void demandCarriesOverFromOneSocketToTheNext() {
        TestSubscriber<Message> ts = TestSubscriber.builder().initialRequest(3).build();
        sequence.subscribe(ts);
        sequence.offer(first);
        emit(first, 1, 2);
        first.close();
        sequence.offer(second);
        emit(second, 10, 11, 12, 13, 14);
        assertThat(numbers(ts)).containsExactly(1, 2, 10);

        ts.request(2);
        assertThat(numbers(ts)).containsExactly(1, 2, 10, 11, 12);
    }

    @Test
    void demandRequestedBetweenSocketsGoesToTheNext() {
        TestSubscriber<Message> ts = TestSubscriber.builder().initialRequest(1).build();
        sequence.subscribe(ts);
        sequence.offer(first);
        emit(first, 1);
        first.close();
        ts.request(2); // no socket now
        sequence.offer(second);
        emit(second, 10, 11, 12);
        assertThat(numbers(ts)).containsExactly(1, 10, 11);
    }

    @Test
    void aSocketFailureIsPublishedClosesThatSocketAndTheNextIsRead() {
        TestSubscriber<Message> ts = TestSubscriber.create();
        sequence.subscribe(ts);
        sequence.offer(first);
        sequence.offer(second);
        emit(first, 1);
        first.in.tryEmitError(new IllegalStateException("decoder bug"));
        emit(second, 10);

        assertThat(numbers(ts)).containsExactly(1, 10);
        assertThat(ts.isTerminated()).isFalse();
        assertThat(first.closed.asMono().toFuture()).isDone();
        assertThat(published).filteredOn(e -> e instanceof IpcEvent.Failure).singleElement()
                .satisfies(e -> assertThat(((IpcEvent.Failure) e).error()).hasMessage("decoder bug"));
    }

    @Test
    void cancellingStopsReadingTheSocketAndTheOnesAfter() {
        TestSubscriber<Message> ts = TestSubscriber.create();
        sequence.subscribe(ts);
        sequence.offer(first);
        sequence.offer(second);
        assertThat(first.in.currentSubscriberCount()).isEqualTo(1);
        ts.cancel();
        assertThat(first.in.currentSubscriberCount()).isZero();
        first.close();
        assertThat(second.in.currentSubscriberCount()).isZero();
    }

    private static void emit(FakeLink link, int... numbers) {
        for (int n : numbers) {
            link.in.tryEmitNext(Message.of("n", n));
        }
    }

    private static List<Integer> numbers(TestSubscriber<Message> ts) {
        return ts.getReceivedOnNext().stream().map(m -> m.data(Integer.class)).toList();
    }
}
