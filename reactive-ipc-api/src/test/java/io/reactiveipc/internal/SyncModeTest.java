package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.IpcTimeoutException;
import io.reactiveipc.Message;
import io.reactiveipc.internal.ScriptedTransport.FakeLink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.subscriber.TestSubscriber;

/**
 * node-ipc's {@code sync: true}, with a timeout: one message that asks at a time, the next released by whatever
 * arrives from the peer or by {@code requestTimeout}; on scripted sockets and virtual time.
 */
class SyncModeTest {

    static final IpcAddress ADDRESS = IpcAddress.unix(Path.of("/nowhere"));
    static final MessageAccess ACCESS = MessageAccess.get();

    final List<Disposable> resources = new ArrayList<>();
    final List<IpcEvent> events = Collections.synchronizedList(new ArrayList<>());
    VirtualTimeScheduler time;

    @BeforeEach
    void virtualTime() {
        time = VirtualTimeScheduler.getOrSet();
    }

    @AfterEach
    void cleanUp() {
        Collections.reverse(resources);
        resources.forEach(Disposable::dispose);
        VirtualTimeScheduler.reset();
    }

    /** A sync client that does not announce itself, with a one-second timeout; change what a test needs. */
    IpcClient client(ScriptedTransport t, UnaryOperator<IpcConfig.Builder> config) {
        IpcConfig c = config.apply(IpcConfig.builder().silent(true).sync(true).identify(false).retry(10)
                .requestTimeout(Duration.ofSeconds(1))).build();
        IpcClient client = Transports.connectClient(t, "c", ADDRESS, c);
        resources.add(client);
        resources.add(client.events().subscribe(events::add));
        return client;
    }

    static List<String> types(FakeLink link) {
        return link.written.stream().map(Message::type).toList();
    }

    static void emit(IpcConnection c, String... types) {
        for (String type : types) {
            assertThat(c.outbound().tryEmitNext(Message.of(type, 1)).isSuccess()).isTrue();
        }
    }

    List<IpcEvent.Failure> failures() {
        synchronized (events) {
            return events.stream().filter(e -> e instanceof IpcEvent.Failure).map(e -> (IpcEvent.Failure) e)
                    .toList();
        }
    }

    static Message answer(long rid, String type, Object data) {
        return ACCESS.withEnvelope(Message.of(type, data), Envelope.of(Envelope.REPLY, rid));
    }

    static long rid(Message frame) {
        Envelope e = ACCESS.envelope(frame);
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(Envelope.REQUEST);
        return e.id();
    }

    @Test
    void oneAtATimeAndAnyInboundMessageReleasesTheNext() {
        ScriptedTransport t = new ScriptedTransport().then(true);
        IpcClient c = client(t, b -> b);
        FakeLink link = t.last();
        List<String> inbound = Collections.synchronizedList(new ArrayList<>());
        resources.add(c.inbound().subscribe(m -> inbound.add(m.type())));
        List<String> handled = new ArrayList<>();
        resources.add(c.handle("push", in -> {
            handled.add(in.type());
            return null;
        }));
        TestSubscriber<Message> request = TestSubscriber.create();

        emit(c, "a");
        c.request("q", 0).subscribe(request);
        emit(c, "b", "c");
        assertThat(types(link)).as("nothing more while 'a' awaits its answer").containsExactly("a");

        link.in.tryEmitNext(Message.of("news", 1)); // a message for inbound()
        assertThat(types(link)).containsExactly("a", "q");
        assertThat(inbound).containsExactly("news");

        link.in.tryEmitNext(answer(rid(link.written.get(1)), "q", "yes")); // an answer the exchange routes
        assertThat(request.getReceivedOnNext()).singleElement().satisfies(m -> assertThat(m.data(String.class))
                .isEqualTo("yes"));
        assertThat(types(link)).containsExactly("a", "q", "b");

        link.in.tryEmitNext(Message.of("push", 2)); // a message a handler takes
        assertThat(handled).containsExactly("push");
        assertThat(types(link)).containsExactly("a", "q", "b", "c");
        assertThat(inbound).containsExactly("news");

        link.in.tryEmitNext(Message.of("news", 3)); // nothing waits: the gate stays open for the next
        emit(c, "d");
        assertThat(types(link)).containsExactly("a", "q", "b", "c", "d");
        assertThat(failures()).isEmpty();
    }

    @Test
    void theTimeoutReleasesTheNextAndPublishesAFailure() {
        ScriptedTransport t = new ScriptedTransport().then(true);
        IpcClient c = client(t, b -> b.requestTimeout(Duration.ofMillis(1000)));
        FakeLink link = t.last();
        emit(c, "a", "b", "c");
        time.advanceTimeBy(Duration.ofMillis(999));
        assertThat(types(link)).containsExactly("a");
        assertThat(failures()).isEmpty();

        time.advanceTimeBy(Duration.ofMillis(1));
        assertThat(types(link)).containsExactly("a", "b");
        assertThat(failures()).singleElement().satisfies(f -> {
            assertThat(f.connection()).isSameAs(c);
            assertThat(f.type()).isEqualTo("a");
            assertThat(f.error()).isInstanceOf(IpcTimeoutException.class)
                    .hasMessage("no answer to 'a' within 1000 ms; sending the next");
        });

        time.advanceTimeBy(Duration.ofMillis(500));
        link.in.tryEmitNext(Message.of("ack", 1)); // 'b' answered in time: its timer is gone
        assertThat(types(link)).containsExactly("a", "b", "c");
        time.advanceTimeBy(Duration.ofMillis(999));
        assertThat(failures()).hasSize(1);
        time.advanceTimeBy(Duration.ofMillis(1)); // 'c', released at 1500 ms, is never answered
        assertThat(failures()).extracting(IpcEvent.Failure::type).containsExactly("a", "c");
    }

    @Test
    void aRequestInFlightIsAnsweredByTheNextPlainMessage() {
        ScriptedTransport t = new ScriptedTransport().then(true);
        IpcClient c = client(t, b -> b);
        FakeLink link = t.last();
        List<String> inbound = Collections.synchronizedList(new ArrayList<>());
        resources.add(c.inbound().subscribe(m -> inbound.add(m.type())));
        TestSubscriber<Message> q1 = TestSubscriber.create();
        TestSubscriber<Message> q2 = TestSubscriber.create();
        c.request("q1", 1).subscribe(q1);
        c.request("q2", 2).subscribe(q2);
        assertThat(types(link)).containsExactly("q1");

        // An answer that echoes the request id is routed as usual (and releases the next).
        link.in.tryEmitNext(answer(rid(link.written.get(0)), "q1", "by id"));
        assertThat(q1.getReceivedOnNext()).extracting(m -> m.data(String.class)).containsExactly("by id");
        assertThat(types(link)).containsExactly("q1", "q2");

        // A node-ipc peer does not echo it: the next message without one is the answer.
        link.in.tryEmitNext(Message.of("result", 42));
        assertThat(q2.isTerminatedComplete()).isTrue();
        assertThat(q2.getReceivedOnNext()).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo("result");
            assertThat(m.data(Integer.class)).isEqualTo(42);
        });
        assertThat(inbound).as("taken as the answer, not for inbound()").isEmpty();
        assertThat(c.pendingRequests()).isZero();

        link.in.tryEmitNext(Message.of("later", 1)); // nothing in flight: an ordinary message
        assertThat(inbound).containsExactly("later");
        assertThat(failures()).isEmpty();
    }

    @Test
    void aPlainMessageIsNotTakenForARequestThatEndedOrForAPlainMessageInFlight() {
        ScriptedTransport t = new ScriptedTransport().then(true);
        IpcClient c = client(t, b -> b);
        FakeLink link = t.last();
        List<String> inbound = Collections.synchronizedList(new ArrayList<>());
        resources.add(c.inbound().subscribe(m -> inbound.add(m.type())));
        TestSubscriber<Message> cancelled = TestSubscriber.create();
        c.request("q", 1).subscribe(cancelled);
        emit(c, "a");
        cancelled.cancel();
        link.in.tryEmitNext(Message.of("x", 1)); // the request in flight was cancelled: x is no answer to it
        assertThat(inbound).containsExactly("x");
        // the cancelled request was written: the peer is told to stop its handler (a control frame awaits nothing)
        assertThat(types(link)).containsExactly("q", "a", "ipc.cancel");
        link.in.tryEmitNext(Message.of("y", 1)); // 'a' is a plain message: y answers it, and goes on to inbound()
        assertThat(inbound).containsExactly("x", "y");
    }

    @Test
    void answersToThePeerNeitherWaitNorAreWaitedFor() {
        ScriptedTransport t = new ScriptedTransport().then(true);
        IpcClient c = client(t, b -> b);
        FakeLink link = t.last();
        resources.add(c.handle("h", in -> Mono.just("r")));
        emit(c, "a", "b");
        assertThat(types(link)).containsExactly("a");
        // The peer's request releases 'b'; the handler's answer goes out though 'b' awaits its own answer.
        link.in.tryEmitNext(ACCESS.withEnvelope(Message.of("h", 1), Envelope.of(Envelope.REQUEST, 7)));
        assertThat(types(link)).containsExactly("a", "b", "h");
        Envelope e = ACCESS.envelope(link.written.get(2));
        assertThat(e.kind()).isEqualTo(Envelope.REPLY);
        assertThat(e.id()).isEqualTo(7);
        emit(c, "c");
        assertThat(types(link)).as("'b' still awaits its answer").containsExactly("a", "b", "h");
        link.in.tryEmitNext(Message.of("ack", 1));
        assertThat(types(link)).containsExactly("a", "b", "h", "c");
    }

    @Test
    void theAnnouncementGoesFirstAndAwaitsNoAnswer() {
        ScriptedTransport t = new ScriptedTransport().then(true);
        IpcClient c = client(t, b -> b.identify(true));
        emit(c, "a", "b");
        assertThat(types(t.last())).containsExactly(Exchange.HELLO, "a");
    }

    @Test
    void theMessageInFlightOnASocketThatDiedIsWrittenFirstOnTheNextAndAwaitsItsAnswerThere() {
        ScriptedTransport t = new ScriptedTransport().then(true, true);
        IpcClient c = client(t, b -> b.identify(true));
        FakeLink first = t.last();
        first.unconfirmed = true; // what is written from now on is still in the socket's buffer when it dies
        emit(c, "a", "b");
        assertThat(types(first)).containsExactly(Exchange.HELLO, "a");

        first.close();
        time.advanceTimeBy(Duration.ofMillis(10));
        FakeLink second = t.last();
        assertThat(second).isNotSameAs(first);
        assertThat(types(second)).containsExactly(Exchange.HELLO, "a");
        second.in.tryEmitNext(Message.of("ack", 1));
        assertThat(types(second)).containsExactly(Exchange.HELLO, "a", "b");
        assertThat(failures()).isEmpty();
    }

    @Test
    void anAnswerThatCannotComeOverADeadSocketIsNotWaitedForOnTheNext() {
        ScriptedTransport t = new ScriptedTransport().then(true, true);
        IpcClient c = client(t, b -> b.requestTimeout(Duration.ofMillis(1000)));
        FakeLink first = t.last();
        emit(c, "a", "b");
        assertThat(types(first)).containsExactly("a");

        time.advanceTimeBy(Duration.ofMillis(500));
        first.close(); // 'a' was written; its answer would have come on this socket
        time.advanceTimeBy(Duration.ofMillis(10));
        FakeLink second = t.last();
        assertThat(types(second)).as("the gate is open on the new socket").containsExactly("b");

        time.advanceTimeBy(Duration.ofMillis(990)); // when 'a' would have timed out
        assertThat(failures()).isEmpty();
        time.advanceTimeBy(Duration.ofMillis(10)); // 'b', written at 510 ms, times out on its own clock
        assertThat(failures()).extracting(IpcEvent.Failure::type).containsExactly("b");
        emit(c, "c");
        assertThat(types(second)).containsExactly("b", "c");
    }

    @Test
    void aServerConnectionInSyncModeWaitsToo() {
        ScriptedTransport t = new ScriptedTransport();
        IpcServer server = Transports.bindServer(t, ADDRESS, IpcConfig.builder().silent(true).sync(true).build())
                .block(Duration.ofSeconds(1));
        resources.add(server);
        FakeLink link = t.accept();
        IpcConnection connection = server.connections().blockFirst(Duration.ofSeconds(1));
        emit(connection, "a", "b");
        assertThat(types(link)).containsExactly("a");
        link.in.tryEmitNext(Message.of("ack", 1));
        assertThat(types(link)).containsExactly("a", "b");
    }

    @Test
    void syncOffWritesEverythingAtOnceAndAPlainMessageAnswersNoRequest() {
        ScriptedTransport t = new ScriptedTransport().then(true);
        IpcClient c = client(t, b -> b.sync(false));
        FakeLink link = t.last();
        List<String> inbound = Collections.synchronizedList(new ArrayList<>());
        resources.add(c.inbound().subscribe(m -> inbound.add(m.type())));
        TestSubscriber<Message> request = TestSubscriber.create();
        emit(c, "a", "b");
        c.request("q", 1).subscribe(request);
        emit(c, "c");
        assertThat(types(link)).containsExactly("a", "b", "q", "c");
        link.in.tryEmitNext(Message.of("result", 42));
        assertThat(inbound).containsExactly("result");
        assertThat(request.getReceivedOnNext()).isEmpty();
        assertThat(c.pendingRequests()).isOne();
        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(request.expectTerminalError()).isInstanceOf(IpcTimeoutException.class);
        assertThat(failures()).isEmpty();
    }
}
