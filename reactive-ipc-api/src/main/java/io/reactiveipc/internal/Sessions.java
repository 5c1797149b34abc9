package io.reactiveipc.internal;

import io.reactiveipc.Delivery;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A server's dedupe state for acknowledged senders: two numbers per session, at most
 * {@link Delivery#sessionLimit()} sessions (the least recently seen forgotten first), each forgotten
 * {@link Delivery#sessionExpiry()} after it was last seen. A forgotten session that comes back starts from
 * {@link Delivery#resume()}: what it replays may then be delivered again (at-least-once).
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

    Sessions(Delivery delivery) {
        this.delivery = delivery;
        this.expiryNanos = delivery.sessionExpiry().toNanos();
    }

    /** A session hello: its state, made (from the resume function) if this process does not know it. */
    synchronized Session open(String id) {
        long now = System.nanoTime();
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
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
                Iterator<Map.Entry<String, Session>> eldest = sessions.entrySet().iterator();
                eldest.next();
                eldest.remove();
            }
        } else {
            s.reconnected();
        }
        s.lastSeen = now;
        return s;
    }

    synchronized int size() {
        return sessions.size();
    }
}
