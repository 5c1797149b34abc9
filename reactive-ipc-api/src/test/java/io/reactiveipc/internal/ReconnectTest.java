package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcEvent.Connected;
import io.reactiveipc.IpcEvent.Destroyed;
import io.reactiveipc.IpcEvent.Disconnected;
import io.reactiveipc.IpcEvent.Failure;
import io.reactiveipc.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.util.retry.Retry;

/** Reconnect timing and budgets, on virtual time; the expectations are node-ipc's measured behaviour. */
class ReconnectTest {

    static final IpcAddress ADDRESS = IpcAddress.unix(Path.of("/nowhere"));

    final List<IpcClient> clients = new ArrayList<>();
    final List<Disposable> subscriptions = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        subscriptions.forEach(Disposable::dispose);
        clients.forEach(IpcClient::dispose);
        VirtualTimeScheduler.reset();
    }

    /** Starts a client on virtual time and records its events with the virtual time they happened at. */
    List<String> run(ScriptedTransport transport, Function<IpcConfig.Builder, IpcConfig.Builder> config) {
        VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();
        IpcClient client = Transports.connectClient(transport, "c", ADDRESS,
                config.apply(IpcConfig.builder().silent(true)).build());
        clients.add(client);
        List<String> log = new ArrayList<>();
        subscriptions.add(client.events().subscribe(e -> log.add(vts.now(java.util.concurrent.TimeUnit.MILLISECONDS)
                + ":" + e.nodeIpcName())));
        return log;
    }

    @Test
    void maxRetriesTwoMeansThreeAttemptsRetryMillisApartThenDestroy() {
        ScriptedTransport t = new ScriptedTransport();
        List<String> log = run(t, c -> c.retry(100).maxRetries(2));
        VirtualTimeScheduler.get().advanceTimeBy(Duration.ofSeconds(10));
        // node-ipc 10 and 14 measured: error+disconnect at 1, 102, 203 ms, destroy at 203 ms
        assertThat(log).containsExactly("0:error", "0:disconnect", "100:error", "100:disconnect",
                "200:error", "200:disconnect", "200:destroy");
        assertThat(t.attempts).isEqualTo(3);
    }

    @Test
    void maxRetriesZeroGivesUpAtOnce() {
        ScriptedTransport t = new ScriptedTransport();
        List<String> log = run(t, c -> c.maxRetries(0));
        VirtualTimeScheduler.get().advanceTimeBy(Duration.ofSeconds(10));
        assertThat(log).containsExactly("0:error", "0:disconnect", "0:destroy");
    }

    @Test
    void stopRetryingTrueNeverReconnectsAfterAnOutage() {
        ScriptedTransport t = new ScriptedTransport().then(true);
        List<String> log = run(t, c -> c.stopRetrying(true));
        t.last().close();
        VirtualTimeScheduler.get().advanceTimeBy(Duration.ofSeconds(10));
        assertThat(log).containsExactly("0:connect", "0:disconnect", "0:destroy");
        assertThat(t.attempts).isEqualTo(1);
    }

    @Test
    void theBudgetResetsOnEverySuccessfulConnectAsInNodeIpc() {
        // maxRetries 1: fail, (retry) connect, close, (retry: budget was reset) fail, (no retry left) destroy
        ScriptedTransport t = new ScriptedTransport().then(false, true, false, true);
        List<String> log = run(t, c -> c.retry(50).maxRetries(1));
        VirtualTimeScheduler.get().advanceTimeBy(Duration.ofMillis(50));
        assertThat(log).containsExactly("0:error", "0:disconnect", "50:connect");
        t.last().close();
        VirtualTimeScheduler.get().advanceTimeBy(Duration.ofSeconds(10));
        assertThat(log).containsExactly("0:error", "0:disconnect", "50:connect", "50:disconnect",
                "100:error", "100:disconnect", "100:destroy");
    }

    @Test
    void stopRetryingCountCapsReconnectsOverTheClientsLife() {
        ScriptedTransport t = new ScriptedTransport().then(true, true, true, true, true);
        List<String> log = run(t, c -> c.retry(10).stopRetrying(2));
        for (int i = 0; i < 3; i++) {
            t.last().close();
            VirtualTimeScheduler.get().advanceTimeBy(Duration.ofMillis(10));
        }
        assertThat(log).filteredOn(s -> s.endsWith("connect") && !s.endsWith("disconnect")).hasSize(3);
        assertThat(log).last().isEqualTo("20:destroy");
        assertThat(t.attempts).isEqualTo(3);
    }

    @Test
    void anyReactorRetryCanReplaceTheFixedDelay() {
        ScriptedTransport t = new ScriptedTransport();
        List<String> log = run(t, c -> c.reconnect(Retry.backoff(3, Duration.ofMillis(100)).jitter(0)));
        VirtualTimeScheduler.get().advanceTimeBy(Duration.ofSeconds(10));
        assertThat(log).filteredOn(s -> s.endsWith(":error")).containsExactly("0:error", "100:error", "300:error",
                "700:error");
        assertThat(log).last().isEqualTo("700:destroy");
    }

    @Test
    void disposeDuringTheRetryDelayStopsAtOnce() {
        ScriptedTransport t = new ScriptedTransport();
        List<String> log = run(t, c -> c.retry(1000));
        VirtualTimeScheduler.get().advanceTimeBy(Duration.ofMillis(500));
        clients.get(0).dispose();
        VirtualTimeScheduler.get().advanceTimeBy(Duration.ofSeconds(10));
        assertThat(log).containsExactly("0:error", "0:disconnect", "500:destroy");
        assertThat(t.attempts).isEqualTo(1);
        assertThat(clients.get(0).isDisposed()).isTrue();
    }

    @Test
    void destroyCarriesTheLastErrorAndEndsEveryStream() {
        ScriptedTransport t = new ScriptedTransport();
        VirtualTimeScheduler.getOrSet();
        IpcClient client = Transports.connectClient(t, "c", ADDRESS,
                IpcConfig.builder().silent(true).maxRetries(0).build());
        clients.add(client);
        StepVerifier.create(client.events())
                .expectNextMatches(e -> e instanceof Failure)
                .expectNextMatches(e -> e instanceof Disconnected)
                .expectNextMatches(e -> e instanceof Destroyed d && d.cause() != null
                        && d.cause().getMessage().contains("refused"))
                .verifyComplete();
        // a later subscriber learns the state from the latest event only
        StepVerifier.create(client.events()).expectNextMatches(e -> e instanceof Destroyed).verifyComplete();
        StepVerifier.create(client.inbound()).verifyComplete();
        StepVerifier.create(client.emit("late", 1)).verifyError(IpcClosedException.class);
        assertThat(client.outbound().tryEmitNext(Message.of("late")))
                .isEqualTo(reactor.core.publisher.Sinks.EmitResult.FAIL_TERMINATED);
    }

    @Test
    void queuedMessagesAreWrittenInOrderWhenTheFirstSocketComesUp() {
        ScriptedTransport t = new ScriptedTransport().then(false, false, true);
        List<String> log = run(t, c -> c.retry(100).identify(false));
        IpcClient client = clients.get(0);
        for (int i = 0; i < 5; i++) {
            assertThat(client.outbound().tryEmitNext(Message.of("n", i)).isSuccess()).isTrue();
        }
        StepVerifier.create(client.emit("n", 5)).then(() -> VirtualTimeScheduler.get()
                .advanceTimeBy(Duration.ofMillis(200))).verifyComplete();
        assertThat(t.last().written).extracting(m -> m.data(Integer.class)).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(log).last().isEqualTo("200:connect");
    }

    @Test
    void inboundSurvivesReconnectsInOrder() {
        ScriptedTransport t = new ScriptedTransport().then(true, true);
        List<String> log = run(t, c -> c.retry(10));
        IpcClient client = clients.get(0);
        StepVerifier.create(client.inbound().map(m -> m.data(Integer.class)))
                .then(() -> t.last().in.tryEmitNext(Message.of("n", 1)))
                .expectNext(1)
                .then(() -> {
                    t.last().close();
                    VirtualTimeScheduler.get().advanceTimeBy(Duration.ofMillis(10));
                    t.last().in.tryEmitNext(Message.of("n", 2));
                })
                .expectNext(2)
                .then(client::dispose)
                .verifyComplete();
        assertThat(log).containsSubsequence("0:connect", "0:disconnect", "10:connect", "10:destroy");
    }

    @Test
    void eventsReplayTheLatestToANewSubscriber() {
        ScriptedTransport t = new ScriptedTransport().then(true);
        run(t, c -> c);
        StepVerifier.create(clients.get(0).events().take(1))
                .expectNextMatches(e -> e instanceof Connected)
                .verifyComplete();
    }

    @Test
    void theFirstSubscriberSeesEverythingSinceCreationEachFailedAttemptAFailureThenADisconnect() {
        ScriptedTransport t = new ScriptedTransport();
        VirtualTimeScheduler vts = VirtualTimeScheduler.getOrSet();
        IpcClient client = Transports.connectClient(t, "c", ADDRESS,
                IpcConfig.builder().silent(true).maxRetries(1).retry(10).build());
        clients.add(client);
        List<IpcEvent> seen = new ArrayList<>();
        subscriptions.add(client.events().subscribe(seen::add)); // after attempt 1 already failed
        vts.advanceTimeBy(Duration.ofMillis(10));
        assertThat(seen).hasSize(5);
        for (int attempt = 1; attempt <= 2; attempt++) {
            Failure f = (Failure) seen.get(2 * attempt - 2);
            assertThat(f.error()).hasMessageContaining("attempt " + attempt);
            assertThat(((Disconnected) seen.get(2 * attempt - 1)).cause()).isSameAs(f.error());
        }
        assertThat(seen.get(4)).isInstanceOf(Destroyed.class);
    }
}
