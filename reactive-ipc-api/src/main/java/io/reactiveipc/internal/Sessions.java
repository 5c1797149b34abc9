package io.reactiveipc.internal;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcClosedException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A server's dedupe state for acknowledged senders: two numbers per session, at most
 * {@link Delivery#sessionLimit()} sessions (the least recently seen forgotten first), each forgotten
 * {@link Delivery#sessionExpiry()} after it was last seen. A forgotten session that comes back starts from
 * {@link Delivery#resume()}: what it replays may then be delivered again (at-least-once).
 *
 * <p>A session whose client acknowledges what the server sends also has an {@link AckOutbox}. Such a session is
 * never forgotten while one of its connections is up (the limit may then be exceeded, by at most the open
 * connections); between sockets its outbox decides when it expires, and a session forgotten at the limit closes
 * its outbox (what it held fails).
 *
 * <p>It also keeps the server's {@link Delivery#replayBudget()}: the messages all outboxes hold together. When it is
 * spent, the outbox of the session whose client has been away longest (and that holds something) is dropped to make
 * room, as at its expiry, but the session's dedupe state stays (its client's own sends are still deduplicated when it
 * comes back, to a new outbox). With none away, the connected session that has acknowledged nothing for longest, if
 * for {@link Delivery#ackTimeout()} at least, is dropped the same way and its connection closed; with neither, the
 * message is refused.
 */
final class Sessions {

    /** One sender's state; guarded by itself. */
    static final class Session {
        final String id;
        /** Highest sequence number handed on by this process (or resumed from): anything up to it is a duplicate. */
        long routed;
        /** Highest sequence number delivered with everything before it: what acks say. */
        long delivered;
        volatile long lastSeen;
        /** What the server sends to the session, if its client acknowledges it; made by the first such hello. */
        volatile @Nullable AckOutbox outbox;

        Session(String id, long resumed, long now) {
            this.id = id;
            this.routed = resumed;
            this.delivered = resumed;
            this.lastSeen = now;
        }

        synchronized boolean route(long seq) {
            if (seq <= routed) {
                return false;
            }
            routed = seq;
            return true;
        }

        synchronized long delivered(long seq) {
            if (seq > delivered) {
                delivered = seq;
            }
            return delivered;
        }

        synchronized long delivered() {
            return delivered;
        }

        /**
         * A new socket of the session: what an old one routed and never handed on is taken again from the replay
         * (a slow subscriber of the dead connection may still get it too: no loss is preferred to no duplicate).
         */
        synchronized void reconnected() {
            routed = delivered;
        }
    }

    private final Delivery delivery;
    private final long expiryNanos;
    /** Access order: the eldest is the least recently seen. Guarded by this. */
    private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);
    /** Messages all outboxes hold: at most {@link Delivery#replayBudget()}. */
    private final AtomicInteger held = new AtomicInteger();
    /**
     * Bumped whenever an outbox may have become one to drop for the budget: a session's socket closed, or an outbox
     * took room while its client was away. A scan that found none to drop remembers the count it began at
     * ({@link #noneAt}): until it changes (or {@link #noneUntil}), a spent budget refuses at once, without looking
     * at every session under this lock again (a server refusing a flood would otherwise scan up to sessionLimit
     * sessions a message).
     */
    private final AtomicLong mayDrop = new AtomicLong();
    /** Guarded by this: {@link #mayDrop} when a scan last found no outbox to drop; -1 before any did. */
    private long noneAt = -1;
    /**
     * Guarded by this: with {@link #noneAt}, until when (nanoTime) that scan's answer holds: the soonest a connected
     * client that holds something can have been silent for {@link Delivery#ackTimeout()}.
     */
    private long noneUntil;

    Sessions(Delivery delivery) {
        this.delivery = delivery;
        this.expiryNanos = delivery.sessionExpiry().toNanos();
    }

    /** A session hello: its state, made (from the resume function) if this process does not know it. */
    synchronized Session open(String id) {
        long now = System.nanoTime();
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            if (s.outbox != null) {
                continue; // its outbox says when it expires
            }
            if (now - s.lastSeen < expiryNanos) {
                break; // access order: the rest were seen later
            }
            it.remove();
        }
        Session s = sessions.get(id);
        if (s == null) {
            s = new Session(id, Math.max(0, delivery.resume().applyAsLong(id)), now);
            sessions.put(id, s);
            if (sessions.size() > delivery.sessionLimit()) {
                forgetEldest(s);
            }
        } else {
            s.reconnected();
        }
        s.lastSeen = now;
        return s;
    }

    /**
     * The least recently seen session whose client is not connected now, other than {@code opened} (a session with a
     * socket up stays, and so does the one just opened).
     */
    private void forgetEldest(Session opened) {
        for (Iterator<Map.Entry<String, Session>> it = sessions.entrySet().iterator(); it.hasNext(); ) {
            Session s = it.next().getValue();
            AckOutbox o = s.outbox;
            if (s == opened || o != null && o.isAttached()) {
                continue;
            }
            it.remove();
            if (o != null) {
                o.close(new IpcClosedException("session " + s.id + " forgotten: sessionLimit ("
                        + delivery.sessionLimit() + ") sessions are known; " + o.held()
                        + " message(s) its client had not acknowledged are dropped"));
            }
            return;
        }
    }

    /**
     * The session's outbox, made if it has none (or its old one was closed). When it expires the session is
     * forgotten here, then {@code expired} is told.
     */
    synchronized AckOutbox outbox(Session s, Consumer<AckOutbox> expired) {
        AckOutbox o = s.outbox;
        if (o == null || o.isClosed()) {
            o = new AckOutbox(s.id, delivery, this, gone -> {
                synchronized (this) {
                    if (s.outbox == gone) {
                        sessions.remove(s.id, s);
                    }
                }
                expired.accept(gone);
            });
            s.outbox = o;
        }
        return o;
    }

    /**
     * Room for one more held message in the budget, for {@code asking}: taken if there is some, else made by dropping
     * the outbox whose client has been away longest (not {@code asking}'s); false when no client is away. Called
     * under no outbox's lock.
     */
    boolean take(AckOutbox asking) {
        for (;;) {
            int now = held.get();
            if (now < delivery.replayBudget()) {
                if (held.compareAndSet(now, now + 1)) {
                    return true;
                }
            } else if (!dropLongestAway(asking)) {
                return false;
            }
        }
    }

    /** Messages that left an outbox (acknowledged, failed, or dropped with it). */
    void giveBack(int messages) {
        held.addAndGet(-messages);
    }

    /** An outbox's client went away, or an outbox whose client is away took room: it may be one to drop. */
    void mayDrop() {
        mayDrop.incrementAndGet();
    }

    /** Messages all outboxes hold now. */
    int held() {
        return held.get();
    }

    /**
     * Makes room by dropping, other than {@code asking}'s, the outbox whose client has been away longest; with none
     * away, the one whose connected client has acknowledged nothing for the longest, if that is at least
     * {@link Delivery#ackTimeout()} (it has stopped acknowledging: it would hold its room for as long as it stays
     * connected). False when there is neither.
     */
    private boolean dropLongestAway(AckOutbox asking) {
        AckOutbox victim;
        Session owner;
        boolean connected;
        synchronized (this) {
            long seen = mayDrop.get();
            long now = System.nanoTime();
            if (seen == noneAt && now - noneUntil < 0) {
                return false; // nothing went away, and nobody can have been silent long enough, since the last look
            }
            long timeout = delivery.ackTimeout().toNanos();
            AckOutbox away = null;
            Session awayOwner = null;
            long awaySince = 0;
            AckOutbox stuck = null;
            Session stuckOwner = null;
            long stuckSince = 0;
            long soonest = now + timeout; // one that begins to hold from now on is not silent long enough before that
            for (Session s : sessions.values()) {
                AckOutbox o = s.outbox;
                AckOutbox.Holding h = o == null ? null : o.holding();
                if (h == null) {
                    continue;
                }
                if (!h.away()) {
                    long silentEnough = h.since() + timeout; // asking's own silence counts for the others
                    if (silentEnough - soonest < 0) {
                        soonest = silentEnough;
                    }
                }
                if (o == asking) {
                    continue;
                }
                if (h.away()) {
                    if (away == null || h.since() - awaySince < 0) {
                        away = o;
                        awayOwner = s;
                        awaySince = h.since();
                    }
                } else if (now - h.since() >= timeout && (stuck == null || h.since() - stuckSince < 0)) {
                    stuck = o;
                    stuckOwner = s;
                    stuckSince = h.since();
                }
            }
            if (away == null && stuck == null) {
                AckOutbox.Holding mine = asking.holding();
                if (mine == null || !mine.away()) { // the asking outbox, skipped here, is none to drop for others
                    noneAt = seen; // ... until it has been silent long enough (counted above if it is in the map)
                    noneUntil = mine == null || mine.since() + timeout - soonest >= 0 ? soonest
                            : mine.since() + timeout;
                }
                return false;
            }
            connected = away == null;
            victim = connected ? stuck : away;
            owner = connected ? stuckOwner : awayOwner;
            owner.outbox = null; // the session stays (its dedupe state); its next hello makes a new outbox
        }
        boolean dropped = connected ? victim.evictStuck(delivery.replayBudget())
                : victim.evict("the server's replay budget was reached and its client had been away longest",
                        delivery.replayBudget());
        if (!dropped) {
            synchronized (this) { // it moved (acknowledged, came back, left) or expired meanwhile: as it was
                if (owner.outbox == null) {
                    owner.outbox = victim;
                }
            }
        }
        return true; // room made, or the scan is worth another look
    }

    /** The server is going away: every outbox closes, what they held fails with {@code why}. */
    void closeAll(Throwable why) {
        List<AckOutbox> outboxes = new ArrayList<>();
        synchronized (this) {
            for (Session s : sessions.values()) {
                AckOutbox o = s.outbox;
                if (o != null) {
                    outboxes.add(o);
                }
            }
        }
        for (AckOutbox o : outboxes) {
            o.close(why);
        }
    }

    synchronized int size() {
        return sessions.size();
    }
}
