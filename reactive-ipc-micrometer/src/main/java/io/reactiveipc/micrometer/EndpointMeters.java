package io.reactiveipc.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.spi.IpcMetricsRecorder;
import io.reactiveipc.spi.OutboundQueue;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one server or client address. Those without a type tag are registered up front, so the hot path is
 * a field read and an increment; those with one are looked up in a map bounded by {@code maxTypes}.
 */
final class EndpointMeters implements IpcMetricsRecorder {

    static final String OTHER = "other";

    private final MeterRegistry registry;
    private final String name;
    private final Tags tags;
    private final int maxTypes;
    private final boolean messageTypes;

    private final AtomicInteger open = new AtomicInteger();
    private final Set<OutboundQueue> queues = ConcurrentHashMap.newKeySet();
    /** Null when messages carry a type tag: then a counter per type, and none without one. */
    private final @Nullable Counter messagesIn;
    private final @Nullable Counter messagesOut;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter reconnects;
    private final Counter dropped;
    private final Map<IpcProtocolException.Reason, Counter> protocolErrors =
            new EnumMap<>(IpcProtocolException.Reason.class);
    private final ConcurrentMap<String, Counter> refused = new ConcurrentHashMap<>();
    /** Type tag values given out so far; at most maxTypes, then everything is "other". */
    private final Set<String> types = ConcurrentHashMap.newKeySet();
    private final ConcurrentMap<String, Counter> typedIn = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> typedOut = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer[]> requests = new ConcurrentHashMap<>();

    EndpointMeters(MeterRegistry registry, String name, String uri, String addressTag, String address, int maxTypes,
            boolean messageTypes) {
        this.registry = registry;
        this.name = name;
        this.tags = Tags.of("uri", uri, addressTag, address);
        this.maxTypes = maxTypes;
        this.messageTypes = messageTypes;
        Gauge.builder(name + ".connections.total", open, AtomicInteger::get).tags(tags)
                .description("Connections open now").strongReference(true).register(registry);
        Gauge.builder(name + ".queue.size", queues, EndpointMeters::queued).tags(tags)
                .description("Outbound messages queued, all connections together").strongReference(true)
                .register(registry);
        Gauge.builder(name + ".queue.max", queues, EndpointMeters::longest).tags(tags)
                .description("The longest outbound queue of one connection").strongReference(true)
                .register(registry);
        this.messagesIn = messageTypes ? null : messages("in", null);
        this.messagesOut = messageTypes ? null : messages("out", null);
        this.bytesIn = data("in");
        this.bytesOut = data("out");
        this.reconnects = Counter.builder(name + ".reconnects").tags(tags)
                .description("Connections made again after one was lost").register(registry);
        this.dropped = Counter.builder(name + ".messages.dropped").tags(tags)
                .description("Outbound messages that were not written and whose sender was told").register(registry);
        for (IpcProtocolException.Reason r : IpcProtocolException.Reason.values()) {
            protocolErrors.put(r, Counter.builder(name + ".protocol.errors").tags(tags).tag("code", r.name())
                    .description("Frames that broke the protocol and were skipped").register(registry));
        }
    }

    private Counter messages(String direction, @Nullable String type) {
        Counter.Builder b = Counter.builder(name + ".messages").tags(tags).tag("direction", direction)
                .description("Messages decoded (in) and taken to be written (out)");
        if (type != null) {
            b.tag("type", type);
        }
        return b.register(registry);
    }

    private Counter data(String direction) {
        return Counter.builder(name + ".data").baseUnit("bytes").tags(tags).tag("direction", direction)
                .description("Bytes read from and written to sockets").register(registry);
    }

    private static double queued(Set<OutboundQueue> queues) {
        long n = 0;
        for (OutboundQueue q : queues) {
            n += q.size();
        }
        return n;
    }

    private static double longest(Set<OutboundQueue> queues) {
        int max = 0;
        for (OutboundQueue q : queues) {
            max = Math.max(max, q.size());
        }
        return max;
    }

    /** {@code type} if it is one of the first maxTypes seen, else {@link #OTHER}. */
    String bounded(String type) {
        if (types.contains(type)) {
            return type;
        }
        if (types.size() < maxTypes) {
            synchronized (types) {
                if (types.size() < maxTypes) {
                    types.add(type);
                    return type;
                }
            }
        }
        return OTHER;
    }

    @Override
    public void connectionOpened() {
        open.incrementAndGet();
    }

    @Override
    public void connectionClosed() {
        open.decrementAndGet();
    }

    @Override
    public void connectionRefused(String reason) {
        refused.computeIfAbsent(reason, r -> Counter.builder(name + ".connections.refused").tags(tags)
                .tag("reason", r).description("Sockets a server closed at once instead of serving them")
                .register(registry)).increment();
    }

    @Override
    public void reconnected() {
        reconnects.increment();
    }

    @Override
    public void queueOpened(OutboundQueue queue) {
        queues.add(queue);
    }

    @Override
    public void queueClosed(OutboundQueue queue) {
        queues.remove(queue);
    }

    @Override
    public void messageReceived(String type) {
        Counter c = messagesIn;
        (c != null ? c : typed(typedIn, "in", type)).increment();
    }

    @Override
    public void messageSent(String type) {
        Counter c = messagesOut;
        (c != null ? c : typed(typedOut, "out", type)).increment();
    }

    private Counter typed(ConcurrentMap<String, Counter> counters, String direction, String type) {
        Counter c = counters.get(type);
        if (c != null) {
            return c;
        }
        // keyed by the tag value: a type beyond the bound finds "other", and the map stays bounded too
        return counters.computeIfAbsent(bounded(type), t -> messages(direction, t));
    }

    @Override
    public void bytesReceived(long bytes) {
        bytesIn.increment(bytes);
    }

    @Override
    public void bytesSent(long bytes) {
        bytesOut.increment(bytes);
    }

    @Override
    public void protocolError(IpcProtocolException.Reason reason) {
        protocolErrors.get(reason).increment();
    }

    @Override
    public void messageDropped() {
        dropped.increment();
    }

    @Override
    public void requestCompleted(String type, long nanos, Outcome outcome) {
        Timer[] timers = requests.get(type);
        if (timers == null) {
            String t = bounded(type);
            timers = requests.computeIfAbsent(t, this::timers);
        }
        timers[outcome.ordinal()].record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    private Timer[] timers(String type) {
        Outcome[] outcomes = Outcome.values();
        Timer[] timers = new Timer[outcomes.length];
        for (Outcome o : outcomes) {
            timers[o.ordinal()] = Timer.builder(name + ".requests").tags(tags).tag("type", type)
                    .tag("outcome", o.name().toLowerCase(Locale.ROOT))
                    .description("Requests from sending to their end").register(registry);
        }
        return timers;
    }

    @Override
    public String toString() {
        return "EndpointMeters{" + name + ", " + tags + "}";
    }
}
