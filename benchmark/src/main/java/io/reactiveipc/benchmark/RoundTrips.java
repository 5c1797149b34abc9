package io.reactiveipc.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * How every round-trip scenario (ping/pong and request/response, pinned or not) is measured: warm up, then keep
 * warming up until the JIT compilers of both processes are quiet, then measure.
 *
 * <p>Why the wait. On a two-CPU machine the kernel runs client and server on one CPU (one wakes the other with
 * no cross-CPU wake-up: about 9 us a round trip here) only while the other CPU is busy with something else, and on
 * two CPUs otherwise (about 60 us, most of it waking the idle CPU). Traced with ftrace: every stretch of
 * same-CPU round trips in a run was a C2 compiler thread holding the other CPU at 96-100%, and the mode flipped to
 * two CPUs when compilation ended. A library whose code takes longer to compile looked up to 6x faster unpinned:
 * it was measured while its compiler still ran. The measured phase therefore starts once a whole window of round
 * trips has had less than {@link #QUIET_SHARE} of its time spent in the compiler threads of the two processes.
 */
final class RoundTrips {

    /**
     * {@code n} round trips, each time recorded into {@code nanos}. Warm-up records too (into a scratch array): a
     * branch the warm-up never took would be compiled as a trap, and the first measured round trip would throw the
     * compiled code away and compile it again while being measured.
     */
    @FunctionalInterface
    interface Phase {
        void run(long[] nanos, int n);
    }

    /** A window of warm-up is at least this long. */
    static final long WINDOW_NANOS = 250_000_000L;

    /** Quiet: the compilers of both processes used less than this share of a window. */
    static final double QUIET_SHARE = 0.01;

    /** The wait for quiet ends after this long; the run is then measured anyway and says so. */
    static final long MAX_WAIT_NANOS = 60_000_000_000L;

    private static final int CHUNK = 1_000;

    /** The server's process id, for its compiler threads: {@code -Dbench.peerPid}, set by {@link Bench}. */
    private static final long PEER = Long.getLong("bench.peerPid", -1);

    private RoundTrips() {
    }

    /** Warm-up, the wait for a quiet JIT, the measured {@code count}; the JSON line of {@link Protocol#rttJson}. */
    static String measure(String scenario, Phase phase, int count, int warmup, LongSupplier serverRss) {
        if (warmup > 0) {
            phase.run(new long[warmup], warmup);
        }
        long[] scratch = new long[CHUNK];
        long[] nanos = new long[count];
        Measured m = quietThenMeasure(() -> phase.run(scratch, CHUNK), () -> phase.run(nanos, count));
        return Protocol.rttJson(scenario, nanos, Protocol.peakRssKb(), serverRss.getAsLong(), m);
    }

    /**
     * A measured span and what was around it: whether the compilers were quiet before it ({@code quiet}), the
     * warm-up added to get there ({@code waitedMs}), what the compilers of both processes used during it
     * ({@code jitMs}), and its length.
     */
    record Measured(boolean quiet, long waitedMs, long jitMs, long nanos) {
    }

    /** Runs {@code chunk} until the compilers are quiet ({@link #awaitQuiet}), then {@code measured}, timed. */
    static Measured quietThenMeasure(Runnable chunk, Runnable measured) {
        long waitStart = System.nanoTime();
        boolean quiet = awaitQuiet(chunk);
        long waited = System.nanoTime() - waitStart;
        long jitBefore = compilerNanos();
        long t0 = System.nanoTime();
        measured.run();
        long nanos = System.nanoTime() - t0;
        return new Measured(quiet, waited / 1_000_000, (compilerNanos() - jitBefore) / 1_000_000, nanos);
    }

    /**
     * Runs {@code chunk} (more warm-up) until a window of at least {@link #WINDOW_NANOS} had the compilers of both
     * processes below {@link #QUIET_SHARE} of it; false if that did not happen within {@link #MAX_WAIT_NANOS}.
     */
    private static boolean awaitQuiet(Runnable chunk) {
        long deadline = System.nanoTime() + MAX_WAIT_NANOS;
        while (true) {
            long before = compilerNanos();
            long t0 = System.nanoTime();
            do {
                chunk.run();
            } while (System.nanoTime() - t0 < WINDOW_NANOS);
            long window = System.nanoTime() - t0;
            if (compilerNanos() - before < window * QUIET_SHARE) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
        }
    }

    /**
     * CPU time the JIT compiler threads of this process and of the peer have used so far, in ns, from
     * {@code /proc/<pid>/task/<tid>/schedstat}; 0 where there is no /proc (no wait then).
     */
    private static long compilerNanos() {
        long sum = compilerNanos(ProcessHandle.current().pid());
        return PEER > 0 ? sum + compilerNanos(PEER) : sum;
    }

    private static long compilerNanos(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        if (!Files.isDirectory(tasks)) {
            return 0;
        }
        long sum = 0;
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path t : (Iterable<Path>) threads::iterator) {
                sum += compilerThreadNanos(t);
            }
        } catch (IOException e) {
            return sum; // the peer has gone: what it used until then is all it will use
        }
        return sum;
    }

    private static long compilerThreadNanos(Path thread) {
        try {
            // Linux keeps 15 characters of a thread's name: "C2 CompilerThre", "C1 CompilerThre"
            String comm = Files.readString(thread.resolve("comm"), StandardCharsets.US_ASCII);
            if (!comm.startsWith("C1 CompilerThre") && !comm.startsWith("C2 CompilerThre")) {
                return 0;
            }
            String schedstat = Files.readString(thread.resolve("schedstat"), StandardCharsets.US_ASCII);
            return Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
            return 0; // a thread that ended while being read
        }
    }
}
