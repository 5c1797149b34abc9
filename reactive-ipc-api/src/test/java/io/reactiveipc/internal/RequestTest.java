package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcTimeoutException;
import io.reactiveipc.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;

/** A client's requests on virtual time: the default timeout, late answers, and what a dying socket does. */
class RequestTest {

    private final List<Disposable> subscriptions = new ArrayList<>();
    private final List<Object> outcomes = new ArrayList<>();
    private IpcClient client;

    @AfterEach
    void cleanUp() {
        subscriptions.forEach(Disposable::dispose);
        if (client != null) {
            client.dispose();
        }
        VirtualTimeScheduler.reset();
    }

    private ScriptedTransport connect(ScriptedTransport t, IpcConfig config) {
        VirtualTimeScheduler.getOrSet();
        client = Transports.connectClient(t, "c", ReconnectTest.ADDRESS, config);
        return t;
    }

    private void request(String type) {
        subscriptions.add(client.request(type, null).subscribe(outcomes::add, outcomes::add));
    }

    private static long idOf(Message written) {
        Envelope e = MessageAccess.get().envelope(written);
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(Envelope.REQUEST);
        return e.id();
    }

    private static void advance(long millis) {
        VirtualTimeScheduler.get().advanceTimeBy(Duration.ofMillis(millis));
    }

    @Test
    void aRequestFailsAfterTheDefaultThirtySecondsAndItsLateAnswerIsDiscarded() {
        ScriptedTransport t = connect(new ScriptedTransport().then(true), IpcConfig.builder().silent(true)
                .identify(false).build());
        request("slow");
        long id = idOf(t.last().written.get(0));
        advance(29_999);
        assertThat(outcomes).isEmpty();
        assertThat(client.pendingRequests()).isEqualTo(1);
        advance(11); // the timer's tick is 10 ms
        assertThat(outcomes).singleElement().isInstanceOf(IpcTimeoutException.class);
        assertThat(client.pendingRequests()).isZero();
        t.last().in.tryEmitNext(MessageAccess.get().withEnvelope(Message.of("slow", 1),
                Envelope.of(Envelope.REPLY, id)));
        assertThat(outcomes).hasSize(1);
    }

    @Test
    void eachRequestTimesOutOnItsOwnDeadlineAndAnsweredOnesNever() {
        ScriptedTransport t = connect(new ScriptedTransport().then(true), IpcConfig.builder().silent(true)
                .identify(false).requestTimeout(Duration.ofMillis(100)).build());
        request("a");           // due at 100
        advance(40);
        request("b");           // due at 140
        advance(30);
        request("c");           // due at 170, answered at 80
        advance(10);
        long c = idOf(t.last().written.get(2));
        t.last().in.tryEmitNext(MessageAccess.get().withEnvelope(Message.of("c", 3), Envelope.of(Envelope.REPLY, c)));
        assertThat(outcomes).singleElement().isInstanceOf(Message.class);
        advance(20 + 10);       // 110: a is due
        assertThat(outcomes).hasSize(2).last().isInstanceOf(IpcTimeoutException.class);
        advance(40);            // 150: b is due
        assertThat(outcomes).hasSize(3).last().isInstanceOf(IpcTimeoutException.class);
        advance(10_000);
        assertThat(outcomes).hasSize(3);
        assertThat(client.pendingRequests()).isZero();
    }

    @Test
    void aRequestWrittenOnASocketThatDiesFailsAndOneStillQueuedGoesOutOnTheNextSocket() {
        ScriptedTransport t = connect(new ScriptedTransport().then(true, true), IpcConfig.builder().silent(true)
                .identify(false).retry(100).build());
        request("written");
        assertThat(t.last().written).hasSize(1);
        t.last().stalled = true;
        request("queued");
        t.last().close();
        assertThat(outcomes).singleElement().isInstanceOfSatisfying(IpcClosedException.class,
                e -> assertThat(e).hasMessageContaining("'written'"));
        advance(100); // the reconnect
        assertThat(t.last().written).extracting(Message::type).containsExactly("queued");
        long id = idOf(t.last().written.get(0));
        t.last().in.tryEmitNext(MessageAccess.get().withEnvelope(Message.of("queued", "ok"),
                Envelope.of(Envelope.REPLY, id)));
        assertThat(outcomes).hasSize(2).last().isEqualTo(Message.of("queued", "ok"));
    }

    @Test
    void aClientAnnouncesItsIdFirstOnEverySocket() {
        ScriptedTransport t = connect(new ScriptedTransport().then(true, true), IpcConfig.builder().silent(true)
                .id("worker-7").retry(100).build());
        client.emit("x", 1).subscribe();
        assertThat(t.last().written).extracting(Message::type).containsExactly("ipc.hello", "x");
        // its own id (node-ipc's ipc.config.id), not the name it gave the connection
        assertThat(t.last().written.get(0).data().get("id").asText()).isEqualTo("worker-7");
        t.last().stalled = true;
        client.emit("y", 2).subscribe();
        t.last().close();
        advance(100);
        assertThat(t.last().written).extracting(Message::type).containsExactly("ipc.hello", "y");
    }

    @Test
    void aRequestCancelledOrTimedOutWhileQueuedIsNeverWritten() {
        ScriptedTransport t = connect(new ScriptedTransport().then(true), IpcConfig.builder().silent(true)
                .identify(false).requestTimeout(Duration.ofMillis(100)).build());
        t.last().stalled = true; // the peer reads nothing for now
        Disposable cancelled = client.request("cancelled", null).subscribe(m -> { }, e -> { });
        request("timed-out");
        cancelled.dispose();
        advance(200);
        request("wanted");
        t.last().resume();
        assertThat(t.last().written).extracting(Message::type).containsExactly("wanted");
        assertThat(client.pendingRequests()).isEqualTo(1);
    }

    @Test
    void anAnnouncementItsSocketNeverWroteIsNotSentAgainBesideTheNewOne() {
        ScriptedTransport t = new ScriptedTransport().then(true, true);
        t.unconfirmedLinks = true; // the first socket dies with nothing confirmed written, its announcement included
        connect(t, IpcConfig.builder().silent(true).id("w").retry(100).build());
        client.emit("x", 1).subscribe();
        assertThat(t.last().written).extracting(Message::type).containsExactly("ipc.hello", "x");
        t.unconfirmedLinks = false;
        t.last().close();
        advance(100);
        assertThat(t.last().written).extracting(Message::type).containsExactly("ipc.hello", "x");
    }

    @Test
    void aStreamCancelledBeforeItsPublisherSubscribedIsCancelledWhenItDoes() {
        ScriptedTransport t = connect(new ScriptedTransport().then(true), IpcConfig.builder().silent(true)
                .identify(false).build());
        java.util.concurrent.atomic.AtomicReference<org.reactivestreams.Subscriber<? super Object>> late =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean upstreamCancelled = new java.util.concurrent.atomic.AtomicBoolean();
        // a publisher that signals onSubscribe later, as rule 1.9 allows
        client.handle("s", in -> (org.reactivestreams.Publisher<Object>) late::set);
        t.last().in.tryEmitNext(MessageAccess.get().withEnvelope(Message.of("s", null),
                new Envelope(Envelope.STREAM, 1, 5, null, null)));
        t.last().in.tryEmitNext(MessageAccess.get().withEnvelope(Message.of(Exchange.CANCEL, null),
                new Envelope(Envelope.CANCEL, 1, 0, null, null)));
        assertThat(late.get()).isNotNull();
        late.get().onSubscribe(new org.reactivestreams.Subscription() {
            @Override
            public void request(long n) {
            }

            @Override
            public void cancel() {
                upstreamCancelled.set(true);
            }
        });
        assertThat(upstreamCancelled).as("the requester's cancel reaches the handler's publisher").isTrue();
    }
}
