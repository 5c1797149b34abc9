package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A client retrying every 500 ms against a wrong path writes 2 lines a minute, not 120, and counts the rest. */
class ConnectFailureLogTest {

    static final String NO_FILE = "cannot connect to unix:/tmp/x.sock: no such file or directory";
    static final String REFUSED = "cannot connect to unix:/tmp/x.sock: connection refused";

    final AtomicLong now = new AtomicLong();
    final ConnectFailureLog log = new ConnectFailureLog(now::get);

    void advanceMillis(long ms) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void theFirstFailureIsLoggedWithItsReasonThenRepeatsOnceEvery30sWithACount() {
        assertThat(log.failed(NO_FILE)).startsWith(NO_FILE + " (the same failure");
        int lines = 0;
        String last = null;
        for (int i = 1; i < 120; i++) { // a minute of attempts every 500 ms
            advanceMillis(500);
            String line = log.failed(NO_FILE);
            if (line != null) {
                lines++;
                last = line;
            }
        }
        assertThat(lines).isEqualTo(1);
        assertThat(last).isEqualTo(NO_FILE + " (59 more failed attempts not logged since the last line)");
    }

    @Test
    void aDifferentReasonIsLoggedAtOnce() {
        log.failed(NO_FILE);
        advanceMillis(500);
        assertThat(log.failed(NO_FILE)).isNull();
        advanceMillis(500);
        assertThat(log.failed(REFUSED)).isEqualTo(REFUSED + " (1 more failed attempt not logged since the last line)");
    }

    @Test
    void connectingAfterFailuresSaysHowManyAndStartsAfresh() {
        assertThat(log.connected()).isNull();
        log.failed(NO_FILE);
        advanceMillis(500);
        log.failed(NO_FILE);
        assertThat(log.connected()).isEqualTo("connected after 2 failed attempts");
        assertThat(log.connected()).isNull();
        advanceMillis(500);
        assertThat(log.failed(NO_FILE)).as("a new outage is logged at once").startsWith(NO_FILE + " (the same failure");
    }
}
