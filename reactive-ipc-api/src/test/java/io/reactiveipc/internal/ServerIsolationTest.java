package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

/** One connection failing in any way never ends or disturbs the streams shared with the others. */
class ServerIsolationTest {

    @Test
    void aSocketErrorOnOneConnectionIsItsFailureAloneAndClosesOnlyIt() {
        ScriptedTransport t = new ScriptedTransport();
        IpcServer server = bind(t, IpcConfig.builder().silent(true).build());
        List<IpcEvent> events = new ArrayList<>();
        server.events().subscribe(events::add);
        ScriptedTransport.FakeLink bad = t.accept();
        ScriptedTransport.FakeLink good = t.accept();

        StepVerifier.create(server.inbound().map(in -> in.message().data(Integer.class)))
                .then(() -> {
                    good.in.tryEmitNext(Message.of("n", 1));
                    bad.in.tryEmitError(new IllegalStateException("decoder bug"));
                    good.in.tryEmitNext(Message.of("n", 2));
                })
                .expectNext(1, 2)
                .then(server::dispose)
                .verifyComplete();
        assertThat(events).filteredOn(e -> e instanceof IpcEvent.Failure).singleElement()
                .satisfies(e -> assertThat(((IpcEvent.Failure) e).error()).hasMessage("decoder bug"));
        assertThat(bad.closed.asMono().toFuture()).isDone();
    }

    @Test
    void aBroadcastIsEncodedOnceAndOneThatCannotBeEncodedFailsAloneSendingNothing() {
        ScriptedTransport t = new ScriptedTransport();
        IpcServer server = bind(t, IpcConfig.builder().silent(true).build());
        ScriptedTransport.FakeLink a = t.accept();
        ScriptedTransport.FakeLink b = t.accept();
        StepVerifier.create(server.broadcast("bad", unencodable())).verifyError(io.reactiveipc.IpcDataException.class);
        assertThat(a.written).isEmpty();
        assertThat(b.written).isEmpty();
        StepVerifier.create(server.broadcast("news", java.util.Map.of("k", List.of(1, 2)))).verifyComplete();
        assertThat(a.written).singleElement().satisfies(m -> assertThat(m.data().toString())
                .isEqualTo("{\"k\":[1,2]}"));
        assertThat(b.written).hasSize(1);
        server.dispose();
    }

    @Test
    void aBroadcastStreamGoesInOrderToEveryConnectionWithAtMost256InFlight() {
        ScriptedTransport t = new ScriptedTransport();
        IpcServer server = bind(t, IpcConfig.builder().silent(true).maxQueuedMessages(5000).build());
        ScriptedTransport.FakeLink a = t.accept();
        ScriptedTransport.FakeLink b = t.accept();
        a.stalled = true;
        AtomicLong requested = new AtomicLong();
        Flux<Message> news = Flux.range(0, 1000).map(i -> Message.of("n", i)).doOnRequest(requested::addAndGet);
        List<Integer> expected = IntStream.range(0, 1000).boxed().toList();
        StepVerifier.create(server.broadcast(news))
                .then(() -> assertThat(requested.get()).as("a is not written: the window is full").isEqualTo(256))
                .then(a::resume)
                .verifyComplete();
        assertThat(a.written).map(m -> m.data(Integer.class)).containsExactlyElementsOf(expected);
        assertThat(b.written).map(m -> m.data(Integer.class)).containsExactlyElementsOf(expected);
        server.dispose();
    }

    @Test
    void aMessageOfABroadcastStreamThatCannotBeEncodedEndsItAfterTheOnesBefore() {
        ScriptedTransport t = new ScriptedTransport();
        IpcServer server = bind(t, IpcConfig.builder().silent(true).build());
        ScriptedTransport.FakeLink a = t.accept();
        TestPublisher<Message> news = TestPublisher.create();
        StepVerifier.create(server.broadcast(news))
                .then(() -> news.next(Message.of("n", 1), Message.of("n", unencodable()), Message.of("n", 3)))
                .verifyError(io.reactiveipc.IpcDataException.class);
        news.assertCancelled();
        assertThat(a.written).map(m -> m.data(Integer.class)).containsExactly(1);
        server.dispose();
    }

    @Test
    void connectionsBeyondTheLimitAreRejectedAndTheSlotIsFreedWhenOneCloses() {
        ScriptedTransport t = new ScriptedTransport();
        IpcServer server = bind(t, IpcConfig.builder().silent(true).maxConnections(1).build());
        List<IpcEvent> events = new ArrayList<>();
        server.events().subscribe(events::add);
        ScriptedTransport.FakeLink first = t.accept();
        ScriptedTransport.FakeLink second = t.accept();
        assertThat(second.closed.asMono().toFuture()).isDone();
        assertThat(events).filteredOn(e -> e instanceof IpcEvent.Rejected).hasSize(1);
        first.close();
        ScriptedTransport.FakeLink third = t.accept();
        assertThat(third.closed.asMono().toFuture()).isNotDone();
        assertThat(server.connectionCount()).isEqualTo(1);
        server.dispose();
    }

    private static IpcServer bind(ScriptedTransport t, IpcConfig config) {
        return Transports.bindServer(t, IpcAddress.unix(Path.of("/x")), config).block(Duration.ofSeconds(1));
    }

    /** Data Jackson cannot serialize: its getter throws. */
    private static Object unencodable() {
        return new Object() {
            public Object getValue() {
                throw new IllegalStateException("broken getter");
            }
        };
    }
}
