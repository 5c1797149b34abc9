package io.reactiveipc.test;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import java.util.Comparator;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * Predicates for {@code StepVerifier.expectNextMatches} and {@code Flux.filter} over messages and events.
 *
 * <pre>{@code
 * StepVerifier.create(client.inbound())
 *         .then(() -> client.emit("add", new Add(2, 3)).subscribe())
 *         .expectNextMatches(IpcExpect.message("sum", Integer.class, sum -> sum == 5))
 *         .thenCancel()
 *         .verify(Duration.ofSeconds(5));
 *
 * StepVerifier.create(server.events())
 *         .expectNextMatches(IpcExpect.event(IpcEvent.Started.class))
 *         ...
 * }</pre>
 */
public final class IpcExpect {

    /** JSON trees compared with numbers by value (JavaScript has one number type: 2.0 and 2 are the same). */
    static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.equals(b)) {
            return 0;
        }
        return a.isNumber() && b.isNumber() && Double.compare(a.asDouble(), b.asDouble()) == 0 ? 0 : 1;
    };

    private IpcExpect() {
    }

    /** A message of this type. */
    public static Predicate<Message> message(String type) {
        return Message.type(type);
    }

    /** A message of this type whose data equals {@code data} as JSON. */
    public static Predicate<Message> message(String type, Object data) {
        requireNonNull(type, "type");
        JsonNode want = Message.of(type, data).data();
        return m -> m.isType(type) && m.data().equals(NUMBERS_BY_VALUE, want);
    }

    /** A message of this type whose data binds to {@code dataType} and satisfies {@code test}. */
    public static <T> Predicate<Message> message(String type, Class<T> dataType, Predicate<? super T> test) {
        requireNonNull(type, "type");
        requireNonNull(dataType, "dataType");
        requireNonNull(test, "test");
        return m -> {
            if (!m.isType(type)) {
                return false;
            }
            T value = m.data(dataType);
            return value != null && test.test(value);
        };
    }

    /** An event of this kind. */
    public static Predicate<IpcEvent> event(Class<? extends IpcEvent> kind) {
        requireNonNull(kind, "kind");
        return kind::isInstance;
    }

    /** A {@link IpcEvent.Failure} caused by a bad frame for this reason. */
    public static Predicate<IpcEvent> protocolFailure(IpcProtocolException.Reason reason) {
        requireNonNull(reason, "reason");
        return e -> e instanceof IpcEvent.Failure f && f.error() instanceof IpcProtocolException p
                && p.reason() == reason;
    }
}
