package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The request table: every call found by its own id, wherever it sits, and nothing left behind. */
class CallTableTest {

    /** As the exchange's calls: equal only to itself. */
    static final class Call implements CallTable.Keyed {
        private final long id;

        Call(long id) {
            this.id = id;
        }

        @Override
        public long id() {
            return id;
        }
    }

    @Test
    void slotsAreMadeToTheBoundOfPendingRequests() {
        assertThat(new CallTable<Call>(65_536).slots()).isEqualTo(CallTable.MAX_SLOTS);
        assertThat(new CallTable<Call>(512).slots()).isEqualTo(512);
        assertThat(new CallTable<Call>(100).slots()).isEqualTo(128);
        assertThat(new CallTable<Call>(1).slots()).isEqualTo(2);
    }

    /** Ids a table's size apart share a slot: the later goes beside the slots and is still found by its id. */
    @Test
    void callsSharingASlotAreEachFoundByTheirOwnId() {
        CallTable<Call> table = new CallTable<>(4);
        Call a = new Call(1);
        Call b = new Call(5); // slot 1 too
        Call c = new Call(9); // and again
        table.put(a);
        table.put(b);
        table.put(c);
        assertThat(table.size()).isEqualTo(3);
        assertThat(table.get(1)).isSameAs(a);
        assertThat(table.get(5)).isSameAs(b);
        assertThat(table.get(9)).isSameAs(c);
        assertThat(table.get(13)).isNull();

        assertThat(table.remove(new Call(5))).as("another call with the id is not this one").isFalse();
        assertThat(table.remove(a)).isTrue();
        assertThat(table.get(1)).isNull();
        assertThat(table.get(5)).isSameAs(b);
        assertThat(table.remove(a)).isFalse();

        Call d = new Call(13); // slot 1 is free again
        table.put(d);
        assertThat(table.get(13)).isSameAs(d);
        assertThat(table.get(9)).isSameAs(c);
        List<Long> seen = new ArrayList<>();
        table.forEach(x -> seen.add(x.id()));
        assertThat(seen).containsExactlyInAnyOrder(5L, 9L, 13L);

        assertThat(table.remove(b) && table.remove(c) && table.remove(d)).isTrue();
        assertThat(table.isEmpty()).isTrue();
        assertThat(table.get(5)).isNull();
    }

    /**
     * Under the default bound (65,536) nothing is counted as calls come and go: the size is found by looking, and the
     * bound is still told exactly, here with calls beside the slots.
     */
    @Test
    void anUncountedTableStillTellsItsSizeAndBound() {
        CallTable<Call> table = new CallTable<>(65_536);
        assertThat(table.isEmpty()).isTrue();
        List<Call> calls = new ArrayList<>();
        for (int i = 1; i <= 600; i++) {
            Call c = new Call(i % 2 == 0 ? i : i + 1024L * i); // odd ids collide with even ones' slots in part
            calls.add(c);
            table.put(c);
        }
        assertThat(table.size()).isEqualTo(600);
        assertThat(table.atLeast(600)).isTrue();
        assertThat(table.atLeast(601)).isFalse();
        assertThat(table.isEmpty()).isFalse();
        for (Call c : calls) {
            assertThat(table.get(c.id())).isSameAs(c);
        }
        for (Call c : calls) {
            assertThat(table.remove(c)).isTrue();
        }
        assertThat(table.size()).isZero();
        assertThat(table.isEmpty()).isTrue();
        assertThat(table.atLeast(1)).isFalse();
    }

    /** A small bound is counted as calls come and go. */
    @Test
    void aSmallBoundIsReachedAtItsNumber() {
        CallTable<Call> table = new CallTable<>(3);
        table.put(new Call(1));
        table.put(new Call(5)); // beside the slots
        assertThat(table.atLeast(3)).isFalse();
        Call third = new Call(2);
        table.put(third);
        assertThat(table.atLeast(3)).isTrue();
        table.remove(third);
        assertThat(table.atLeast(3)).isFalse();
        assertThat(table.size()).isEqualTo(2);
    }

    /**
     * Four threads ask and are answered at once, as a connection's callers and its event loop do, with ids from one
     * counter and some calls held back for a while (so slots are taken when their next id comes): each lookup
     * finds exactly its call, and the table ends empty.
     */
    @Test
    void concurrentCallersFindTheirOwnCallsAndLeaveNothing() throws Exception {
        concurrentCallers(new CallTable<>(64));
        concurrentCallers(new CallTable<>(65_536));
    }

    private static void concurrentCallers(CallTable<Call> table) throws Exception {
        AtomicLong ids = new AtomicLong();
        int threads = 4;
        int perThread = 200_000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    List<Call> held = new ArrayList<>();
                    long wrong = 0;
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < perThread; i++) {
                        Call c = new Call(ids.incrementAndGet());
                        table.put(c);
                        if (random.nextInt(100) == 0) {
                            held.add(c); // answered later: its slot is taken when the table comes round again
                            continue;
                        }
                        if (table.get(c.id()) != c || !table.remove(c) || table.get(c.id()) != null) {
                            wrong++;
                        }
                        if (held.size() > 50) {
                            Call old = held.remove(0);
                            if (table.get(old.id()) != old || !table.remove(old)) {
                                wrong++;
                            }
                        }
                    }
                    for (Call old : held) {
                        if (table.get(old.id()) != old || !table.remove(old)) {
                            wrong++;
                        }
                    }
                    return wrong;
                }));
            }
            start.countDown();
            for (Future<Long> r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS)).as("calls not found as put").isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(table.size()).isZero();
        List<Call> left = new ArrayList<>();
        table.forEach(left::add);
        assertThat(left).isEmpty();
    }
}
