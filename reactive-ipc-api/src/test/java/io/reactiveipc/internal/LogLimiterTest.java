package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The log's share of bad input, on a clock the test moves. */
class LogLimiterTest {

    /** 600,000 bad frames over 60 s (10,000 a second): 10 lines per 10 s, and every frame is accounted for. */
    @Test
    void aFloodGivesABurstPerWindowAndCountsTheRest() {
        long[] now = {0};
        LogLimiter limiter = new LogLimiter(10, 10_000_000_000L, () -> now[0]);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 600_000; i++) {
            now[0] = i * 100_000L; // 100 µs apart
            String suffix = limiter.acquire();
            if (suffix != null) {
                lines.add(suffix);
            }
        }
        assertThat(lines).hasSize(60);
        assertThat(lines.get(0)).isEmpty();
        assertThat(lines.get(9)).contains("10 lines in 10 s: more are counted, not logged");
        assertThat(lines.get(10)).isEqualTo(" (99990 more were not logged)");
        long logged = lines.size();
        long counted = lines.stream().filter(l -> l.contains("more were not logged"))
                .mapToLong(l -> Long.parseLong(l.substring(2, l.indexOf(' ', 2)))).sum();
        assertThat(logged + counted + 99_990).as("logged + counted + still pending in the last window")
                .isEqualTo(600_000);
    }

    @Test
    void aTrickleIsLoggedWhole() {
        long[] now = {0};
        LogLimiter limiter = new LogLimiter(10, 10_000_000_000L, () -> now[0]);
        for (int i = 0; i < 100; i++) {
            now[0] = i * 2_000_000_000L; // one every 2 s
            assertThat(limiter.acquire()).as("line %d", i).isNotNull().doesNotContain("not logged");
        }
    }
}
