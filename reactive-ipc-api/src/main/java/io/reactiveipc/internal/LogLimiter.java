package io.reactiveipc.internal;

import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * At most {@code burst} log lines per window, then silence with a count: bad input is a peer's to send as fast as
 * it likes, and the log is not a place to copy it to. The first line of a window says how many were left out in
 * the windows before it. Not thread-safe: its owner holds a lock around it.
 */
final class LogLimiter {

    /** Lines per window, a window of 10 s: a burst of bad input from a handful of peers is still seen whole. */
    static final int BURST = 10;
    static final long WINDOW_NANOS = 10_000_000_000L;

    private final int burst;
    private final long window;
    private final LongSupplier nanoClock;
    private long windowStart;
    private int lines;
    private long suppressed;
    private boolean started;

    LogLimiter() {
        this(BURST, WINDOW_NANOS, System::nanoTime);
    }

    LogLimiter(int burst, long windowNanos, LongSupplier nanoClock) {
        this.burst = burst;
        this.window = windowNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * Null: do not log this one (it is counted). Else log it with this suffix: empty, or the count left out since
     * the last line, or (on the last line a window allows) that the next ones are counted, not logged.
     */
    @Nullable String acquire() {
        long now = nanoClock.getAsLong();
        if (!started || now - windowStart >= window) {
            started = true;
            windowStart = now;
            lines = 0;
        }
        if (lines == burst) {
            suppressed++;
            return null;
        }
        lines++;
        long s = suppressed;
        suppressed = 0;
        String left = s == 0 ? "" : " (" + s + " more were not logged)";
        return lines < burst ? left : left + " (" + burst + " lines in " + window / 1_000_000_000L
                + " s: more are counted, not logged, until the next " + window / 1_000_000_000L + " s)";
    }
}
