package io.reactiveipc.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * What a client writes to the log about its failed connect attempts: the first failure of an outage at once, with
 * its reason; the same reason again at most once per {@link #INTERVAL_NANOS 30 s}, with the number of attempts that
 * failed in between; a different reason at once; and one line when it connects after failures. A client pointed
 * at a wrong path retries every 500 ms by default: 2 lines a minute instead of 120. Every attempt is still
 * published as an {@code IpcEvent.Failure}.
 */
final class ConnectFailureLog {

    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final LongSupplier nanoTime;
    private @Nullable String lastReason;
    private long lastLogged;
    /** Failures not written since the last line. */
    private long suppressed;
    /** Failures since the last connect. */
    private long failures;

    ConnectFailureLog(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The line to write for a failed attempt with {@code message}, or null to stay quiet. */
    synchronized @Nullable String failed(String message) {
        failures++;
        long now = nanoTime.getAsLong();
        if (message.equals(lastReason) && now - lastLogged < INTERVAL_NANOS) {
            suppressed++;
            return null;
        }
        String line = lastReason == null ? message + " (the same failure is logged at most every 30 s)"
                : suppressed == 0 ? message
                : message + " (" + suppressed + " more failed attempt" + (suppressed == 1 ? "" : "s")
                        + " not logged since the last line)";
        lastReason = message;
        lastLogged = now;
        suppressed = 0;
        return line;
    }

    /** The line to write when a socket came up, or null if no attempt had failed since the last one. */
    synchronized @Nullable String connected() {
        if (failures == 0) {
            return null;
        }
        String line = "connected after " + failures + " failed attempt" + (failures == 1 ? "" : "s");
        failures = 0;
        suppressed = 0;
        lastReason = null;
        return line;
    }
}
