package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.spi.OutboundQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** The server's dedupe state stays bounded: by count (least recently seen first) and by age. */
class SessionsTest {

    /** A silence no test reaches: a connected client is never taken as one that stopped acknowledging. */
    static final Duration AN_HOUR = Duration.ofHours(1);

    final List<String> resumed = new ArrayList<>();

    Delivery delivery() {
        return Delivery.ACKNOWLEDGED.resume(session -> {
            resumed.add(session);
            return 5;
        });
    }

    @Test
    void beyondTheLimitTheLeastRecentlySeenSessionIsForgotten() {
        Sessions sessions = new Sessions(delivery().sessionLimit(2));
        Sessions.Session a = sessions.open("a");
        assertThat(a.route(5)).as("resumed at 5: 5 is a duplicate").isFalse();
        assertThat(a.route(6)).isTrue();
        sessions.open("b");
        sessions.open("a"); // seen again: b is now the eldest
        sessions.open("c");
        assertThat(sessions.size()).isEqualTo(2);
        assertThat(sessions.open("a")).as("kept").isSameAs(a);
        sessions.open("b");
        assertThat(resumed).as("b was forgotten and resumed again").containsExactly("a", "b", "c", "b");
    }

    @Test
    void aSessionNotSeenForItsExpiryIsForgotten() {
        Sessions sessions = new Sessions(delivery().sessionExpiry(Duration.ofNanos(1)));
        Sessions.Session a = sessions.open("a");
        sessions.open("b"); // at least a nanosecond later: a has expired
        assertThat(sessions.size()).isEqualTo(1);
        assertThat(sessions.open("a")).isNotSameAs(a);
        assertThat(resumed).containsExactly("a", "b", "a");
    }

    @Test
    void aReconnectTakesAgainWhatWasRoutedAndNeverDelivered() {
        Sessions sessions = new Sessions(Delivery.ACKNOWLEDGED);
        Sessions.Session s = sessions.open("s");
        assertThat(s.route(1)).isTrue();
        assertThat(s.route(2)).isTrue();
        s.delivered(1);
        assertThat(s.route(2)).as("a duplicate while the connection lives").isFalse();
        sessions.open("s");
        assertThat(s.route(1)).isFalse();
        assertThat(s.route(2)).as("2 was never handed on: the replay delivers it").isTrue();
    }

    @Test
    void aSessionWithASocketUpIsNeverForgottenAndOneForgottenAtTheLimitFailsWhatItHeld() {
        Sessions sessions = new Sessions(delivery().sessionLimit(1));
        Sessions.Session a = sessions.open("a");
        AckOutbox outbox = sessions.outbox(a, gone -> { });
        OutboundQueue queue = queue();
        outbox.attach(null, queue);
        Mono<Void> held = outbox.send(io.reactiveipc.Message.of("m", 1)).cache();
        held.subscribe(null, e -> { });
        sessions.open("b"); // over the limit: a is kept, its client is connected (and b, just opened)
        assertThat(sessions.size()).isEqualTo(2);
        assertThat(outbox.isClosed()).isFalse();

        outbox.detach(queue); // between sockets now
        sessions.open("c");
        assertThat(outbox.isClosed()).as("forgotten at the limit").isTrue();
        assertThat(sessions.size()).isEqualTo(2);
        assertThatThrownBy(() -> held.block(Duration.ofSeconds(5))).isInstanceOf(IpcClosedException.class)
                .hasMessageContaining("sessionLimit");
    }

    static OutboundQueue queue() {
        return new OutboundQueue(16, new OutboundQueue.Owner() {
            @Override
            public void outboundCompleted() {
            }

            @Override
            public void outboundErrored(Throwable error) {
            }

            @Override
            public void dropped(io.reactiveipc.Message message, Throwable why) {
            }
        });
    }

    @Test
    void theReplayBudgetCountsWhatEveryOutboxHoldsAndAcksAndClosesGiveItBack() {
        Sessions sessions = new Sessions(delivery().replayBudget(3).ackTimeout(AN_HOUR));
        AckOutbox a = sessions.outbox(sessions.open("a"), gone -> { });
        AckOutbox b = sessions.outbox(sessions.open("b"), gone -> { });
        a.attach(null, queue());
        b.attach(null, queue());
        assertThat(a.offer(io.reactiveipc.Message.of("m", 1))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(a.offer(io.reactiveipc.Message.of("m", 2))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(b.offer(io.reactiveipc.Message.of("m", 1))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(sessions.held()).isEqualTo(3);
        assertThat(b.offer(io.reactiveipc.Message.of("m", 2))).as("both connected: refused")
                .isEqualTo(Sinks.EmitResult.FAIL_OVERFLOW);
        assertThatThrownBy(() -> a.send(io.reactiveipc.Message.of("m", 3)).block(Duration.ofSeconds(5)))
                .isInstanceOf(io.reactiveipc.IpcOverflowException.class).hasMessageContaining("replayBudget (3)");
        assertThat(sessions.held()).as("a refusal takes nothing").isEqualTo(3);

        a.acked(1);
        assertThat(sessions.held()).isEqualTo(2);
        assertThat(b.offer(io.reactiveipc.Message.of("m", 2))).isEqualTo(Sinks.EmitResult.OK);
        sessions.closeAll(new IpcClosedException("disposed"));
        assertThat(sessions.held()).as("what closed outboxes held is given back").isZero();
    }

    @Test
    void aSpentBudgetDropsTheOutboxOfTheSessionAwayLongestButKeepsItsDedupeState() {
        Sessions sessions = new Sessions(delivery().replayBudget(3).ackTimeout(AN_HOUR));
        Sessions.Session first = sessions.open("first");
        AckOutbox away1 = sessions.outbox(first, gone -> { });
        AckOutbox away2 = sessions.outbox(sessions.open("second"), gone -> { });
        AckOutbox live = sessions.outbox(sessions.open("live"), gone -> { });
        OutboundQueue q1 = queue();
        OutboundQueue q2 = queue();
        away1.attach(null, q1);
        away2.attach(null, q2);
        live.attach(null, queue());
        Mono<Void> lost = away1.send(io.reactiveipc.Message.of("m", 1)).cache();
        lost.subscribe(null, e -> { });
        Mono<Void> kept = away2.send(io.reactiveipc.Message.of("m", 1)).cache();
        kept.subscribe(null, e -> { });
        away1.detach(q1); // away first
        away2.detach(q2);
        assertThat(live.offer(io.reactiveipc.Message.of("m", 1))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(away2.offer(io.reactiveipc.Message.of("m", 2))).as("room made by the one away longest")
                .isEqualTo(Sinks.EmitResult.OK);
        assertThat(away1.isClosed()).isTrue();
        assertThatThrownBy(() -> lost.block(Duration.ofSeconds(5))).isInstanceOf(IpcClosedException.class)
                .hasMessageContaining("replay budget");
        assertThat(away2.isClosed()).isFalse();
        assertThat(sessions.held()).isEqualTo(3);
        assertThat(away2.offer(io.reactiveipc.Message.of("m", 3))).as("never drops its own outbox to make room")
                .isEqualTo(Sinks.EmitResult.FAIL_OVERFLOW);

        assertThat(sessions.open("first")).as("the session's dedupe state stays").isSameAs(first);
        AckOutbox again = sessions.outbox(first, gone -> { });
        assertThat(again).isNotSameAs(away1);
        assertThat(again.token()).isNotEqualTo(away1.token());
    }

    @Test
    void aRefusalForASpentBudgetHoldsOnlyUntilAClientGoesAway() {
        Sessions sessions = new Sessions(delivery().replayBudget(2).ackTimeout(AN_HOUR));
        AckOutbox a = sessions.outbox(sessions.open("a"), gone -> { });
        AckOutbox b = sessions.outbox(sessions.open("b"), gone -> { });
        OutboundQueue qa = queue();
        a.attach(null, qa);
        b.attach(null, queue());
        assertThat(a.offer(io.reactiveipc.Message.of("m", 1))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(a.offer(io.reactiveipc.Message.of("m", 2))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(b.offer(io.reactiveipc.Message.of("m", 1))).as("both connected: refused")
                .isEqualTo(Sinks.EmitResult.FAIL_OVERFLOW);
        assertThat(b.offer(io.reactiveipc.Message.of("m", 1))).as("and again")
                .isEqualTo(Sinks.EmitResult.FAIL_OVERFLOW);

        a.detach(qa); // a's client leaves holding two: the next refusal looks again and drops it
        assertThat(b.offer(io.reactiveipc.Message.of("m", 1))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(a.isClosed()).isTrue();
        assertThat(sessions.held()).isEqualTo(1);
    }

    @Test
    void anOutboxThatTakesRoomWhileItsClientIsAwayCanBeDroppedAfterARefusal() {
        Sessions sessions = new Sessions(delivery().replayBudget(2).ackTimeout(AN_HOUR));
        AckOutbox a = sessions.outbox(sessions.open("a"), gone -> { });
        AckOutbox b = sessions.outbox(sessions.open("b"), gone -> { });
        AckOutbox away = sessions.outbox(sessions.open("away"), gone -> { });
        OutboundQueue q = queue();
        a.attach(null, queue());
        b.attach(null, queue());
        away.attach(null, q);
        away.detach(q); // away, holding nothing: nothing to drop
        assertThat(a.offer(io.reactiveipc.Message.of("m", 1))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(a.offer(io.reactiveipc.Message.of("m", 2))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(b.offer(io.reactiveipc.Message.of("m", 1))).isEqualTo(Sinks.EmitResult.FAIL_OVERFLOW);

        a.acked(1);
        assertThat(away.offer(io.reactiveipc.Message.of("m", 1))).as("held for its client's return")
                .isEqualTo(Sinks.EmitResult.OK);
        assertThat(b.offer(io.reactiveipc.Message.of("m", 1))).as("room made by the one away")
                .isEqualTo(Sinks.EmitResult.OK);
        assertThat(away.isClosed()).isTrue();
    }

    @Test
    void withNoClientAwayTheConnectedOneThatStoppedAcknowledgingIsDropped() {
        // an ackTimeout of a nanosecond: whoever holds something has been silent long enough by the next look
        Sessions sessions = new Sessions(delivery().replayBudget(2).ackTimeout(Duration.ofNanos(1)));
        AckOutbox silent = sessions.outbox(sessions.open("silent"), gone -> { });
        AckOutbox other = sessions.outbox(sessions.open("other"), gone -> { });
        silent.attach(null, queue());
        other.attach(null, queue());
        Mono<Void> lost = silent.send(io.reactiveipc.Message.of("m", 1)).cache();
        lost.subscribe(null, e -> { });
        assertThat(silent.offer(io.reactiveipc.Message.of("m", 2))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(silent.offer(io.reactiveipc.Message.of("m", 3))).as("never drops its own outbox to make room")
                .isEqualTo(Sinks.EmitResult.FAIL_OVERFLOW);

        assertThat(other.offer(io.reactiveipc.Message.of("m", 1))).as("room made by the silent one")
                .isEqualTo(Sinks.EmitResult.OK);
        assertThat(silent.isClosed()).isTrue();
        assertThat(silent.ended()).contains("acknowledged nothing for");
        assertThatThrownBy(() -> lost.block(Duration.ofSeconds(5))).isInstanceOf(IpcClosedException.class)
                .hasMessageContaining("session silent dropped").hasMessageContaining("acknowledged nothing for");
        assertThat(sessions.held()).isEqualTo(1);
    }

    @Test
    void aClientAwayIsDroppedBeforeAConnectedOneThatStoppedAcknowledging() {
        Sessions sessions = new Sessions(delivery().replayBudget(2).ackTimeout(Duration.ofNanos(1)));
        AckOutbox silent = sessions.outbox(sessions.open("silent"), gone -> { });
        AckOutbox away = sessions.outbox(sessions.open("away"), gone -> { });
        AckOutbox other = sessions.outbox(sessions.open("other"), gone -> { });
        OutboundQueue q = queue();
        silent.attach(null, queue());
        away.attach(null, q);
        other.attach(null, queue());
        assertThat(silent.offer(io.reactiveipc.Message.of("m", 1))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(away.offer(io.reactiveipc.Message.of("m", 1))).isEqualTo(Sinks.EmitResult.OK);
        away.detach(q);
        assertThat(other.offer(io.reactiveipc.Message.of("m", 1))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(away.isClosed()).isTrue();
        assertThat(silent.isClosed()).isFalse();
    }
}
