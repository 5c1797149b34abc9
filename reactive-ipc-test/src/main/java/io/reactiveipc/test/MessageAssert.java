package io.reactiveipc.test;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.Message;
import io.reactiveipc.internal.JsonCodec;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.Assertions;

/**
 * AssertJ assertions for {@link Message}.
 *
 * <pre>{@code
 * assertThat(reply).hasType("greeting").hasData("hello world!");
 * assertThat(reply).hasDataSatisfying(Job.class, job -> assertThat(job.priority()).isEqualTo(2));
 * assertThat(reply).hasJsonData("{\"name\":\"build\",\"priority\":2}");
 * }</pre>
 */
public final class MessageAssert extends AbstractAssert<MessageAssert, Message> {

    private MessageAssert(Message actual) {
        super(actual, MessageAssert.class);
    }

    public static MessageAssert assertThat(Message actual) {
        return new MessageAssert(actual);
    }

    public MessageAssert hasType(String type) {
        isNotNull();
        if (!actual.isType(type)) {
            failWithMessage("expected a message of type <%s> but it was of type <%s>: %s", type, actual.type(), actual);
        }
        return this;
    }

    /** The data equals {@code expected} once {@code expected} is turned into JSON (numbers compared by value). */
    public MessageAssert hasData(Object expected) {
        isNotNull();
        Message want = Message.of(actual.type(), expected);
        if (!actual.data().equals(IpcExpect.NUMBERS_BY_VALUE, want.data())) {
            failWithMessage("expected data <%s> but was <%s> in message of type <%s>", want.data(), actual.data(),
                    actual.type());
        }
        return this;
    }

    /** The data equals this JSON text (numbers compared by value, member order ignored). */
    public MessageAssert hasJsonData(String json) {
        isNotNull();
        requireNonNull(json, "json");
        try {
            var want = JsonCodec.MAPPER.readTree(json);
            if (!actual.data().equals(IpcExpect.NUMBERS_BY_VALUE, want)) {
                failWithMessage("expected data <%s> but was <%s> in message of type <%s>", want, actual.data(),
                        actual.type());
            }
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
        return this;
    }

    /** The data binds to {@code type} and the bound value satisfies {@code requirements}. */
    public <T> MessageAssert hasDataSatisfying(Class<T> type, Consumer<? super T> requirements) {
        isNotNull();
        T value = actual.data(type);
        Assertions.assertThat(value).as("data of message of type <%s> as %s", actual.type(), type.getSimpleName())
                .satisfies(v -> requirements.accept(v));
        return this;
    }
}
