package io.reactiveipc.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One connection's requests awaiting answers, by request id, safe for any thread. It replaces a
 * {@code ConcurrentHashMap<Long, Call>}, which cost a box and a node per request, a box per answer looked up, and
 * (in the rr-256 profile) a tenth of the requesting event loop. Ids come from one counter per connection, so the
 * requests in flight hold nearby ids: each sits in the slot of its id modulo {@link #slots()}, found with one read
 * and a compare. A request whose slot is still held (by one {@code slots()} ids older and unanswered) goes to a map
 * beside the slots, created then; so does every request beyond {@code slots()} in flight, as with the map before.
 *
 * <p>The slots are made on the first request, {@value #MAX_SLOTS} references (2 KiB) or fewer when
 * {@code maxPendingRequests} is smaller: a connection that never asks has none.
 *
 * <p>Calls are not counted as they come and go (two atomic operations a request) unless the bound is within reach
 * of the slots: with the default bound (65,536) the table is counted only when what sits beside the slots nears it.
 */
final class CallTable<C extends CallTable.Keyed> {

    /** What the table holds: something with a request id, fixed for its life. */
    interface Keyed {
        long id();
    }

    static final int MAX_SLOTS = 512;

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<CallTable> SIZE =
            AtomicIntegerFieldUpdater.newUpdater(CallTable.class, "size");
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<CallTable, ConcurrentHashMap> OVERFLOW =
            AtomicReferenceFieldUpdater.newUpdater(CallTable.class, ConcurrentHashMap.class, "overflow");

    private final AtomicReferenceArray<C> slots;
    private final int mask;
    /** Counted in {@link #size} as calls come and go: only when the bound is below twice the slots. */
    private final boolean counted;
    /** Calls whose slot was held when they were put; null until the first such call. */
    private volatile @Nullable ConcurrentHashMap<Long, C> overflow;
    private volatile int size;

    /** A table of {@value #MAX_SLOTS} slots, or the power of two at or above {@code maxPending} if that is fewer. */
    CallTable(int maxPending) {
        int n = Math.min(MAX_SLOTS, Integer.highestOneBit(Math.max(1, maxPending - 1)) << 1);
        this.slots = new AtomicReferenceArray<>(n);
        this.mask = n - 1;
        this.counted = maxPending < 2 * n;
    }

    int slots() {
        return mask + 1;
    }

    /** Calls held; exact when nothing is put or removed meanwhile. Looks at every slot unless counted. */
    int size() {
        if (counted) {
            return size;
        }
        int n = beside();
        for (int i = 0; i <= mask; i++) {
            if (slots.get(i) != null) {
                n++;
            }
        }
        return n;
    }

    /** Whether {@code bound} or more calls are held (as exact as {@link #size()}); cheap while far from it. */
    boolean atLeast(int bound) {
        if (counted) {
            return size >= bound;
        }
        return beside() + slots() >= bound && size() >= bound;
    }

    boolean isEmpty() {
        if (counted) {
            return size == 0;
        }
        for (int i = 0; i <= mask; i++) {
            if (slots.get(i) != null) {
                return false;
            }
        }
        return beside() == 0;
    }

    private int beside() {
        ConcurrentHashMap<Long, C> m = overflow;
        return m == null ? 0 : m.size();
    }

    /** Adds {@code c}, whose id no other call in the table has. */
    void put(C c) {
        if (counted) {
            SIZE.incrementAndGet(this);
        }
        if (!slots.compareAndSet(index(c.id()), null, c)) {
            overflow().put(c.id(), c);
        }
    }

    /** The call with this id, or null. */
    @Nullable C get(long id) {
        C c = slots.get(index(id));
        if (c != null && c.id() == id) {
            return c;
        }
        ConcurrentHashMap<Long, C> m = overflow;
        return m == null ? null : m.get(id);
    }

    /** Removes {@code c} itself (not another call with its id); false if it was not here. */
    boolean remove(C c) {
        boolean removed = slots.compareAndSet(index(c.id()), c, null);
        if (!removed) {
            ConcurrentHashMap<Long, C> m = overflow;
            removed = m != null && m.remove(c.id(), c);
        }
        if (removed && counted) {
            SIZE.decrementAndGet(this);
        }
        return removed;
    }

    /**
     * Each call held, as {@code ConcurrentHashMap}'s iteration sees them: weakly consistent, so calls may be removed
     * (or added) by {@code action} or other threads meanwhile.
     */
    void forEach(Consumer<? super C> action) {
        for (int i = 0; i <= mask; i++) {
            C c = slots.get(i);
            if (c != null) {
                action.accept(c);
            }
        }
        ConcurrentHashMap<Long, C> m = overflow;
        if (m != null) {
            m.values().forEach(action);
        }
    }

    private int index(long id) {
        return (int) id & mask;
    }

    @SuppressWarnings("unchecked")
    private ConcurrentHashMap<Long, C> overflow() {
        ConcurrentHashMap<Long, C> m = overflow;
        if (m == null) {
            OVERFLOW.compareAndSet(this, null, new ConcurrentHashMap<>());
            m = overflow;
        }
        return m;
    }
}
