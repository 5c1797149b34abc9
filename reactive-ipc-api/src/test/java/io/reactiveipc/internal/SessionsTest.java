package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.Delivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server's dedupe state stays bounded: by count (least recently seen first) and by age. */
class SessionsTest {

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
}
