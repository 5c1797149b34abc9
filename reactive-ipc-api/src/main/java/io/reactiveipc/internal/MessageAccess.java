package io.reactiveipc.internal;

import io.reactiveipc.Message;
import io.reactiveipc.spi.IpcEngine;
import io.reactiveipc.spi.MessageParts;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;

/**
 * The engine's way into {@link Message}'s representation without making it public API: {@code Message}'s parts
 * ({@link MessageParts}, which keep the routing members opaque to the API) with those members typed as
 * the {@link Envelope}s they are. Final and held in a static final, so every call inlines to the message's own.
 */
public final class MessageAccess {

    /** Handed over by Message's static initializer, through {@link DefaultEngine#install}. */
    private static volatile @Nullable MessageParts installed;

    private final MessageParts parts;

    private MessageAccess(MessageParts parts) {
        this.parts = parts;
    }

    public static MessageAccess get() {
        return Holder.INSTANCE;
    }

    /** Only {@link DefaultEngine#install}, on behalf of Message, once. */
    static void install(MessageParts parts) {
        synchronized (MessageAccess.class) {
            if (installed != null) {
                throw new IllegalStateException("only Message installs its parts, once");
            }
            installed = parts;
        }
    }

    /** Kept apart so that {@link #install} never waits for Message's initialization. */
    private static final class Holder {
        static final MessageAccess INSTANCE = create();

        private static MessageAccess create() {
            MessageParts p = installed;
            if (p == null) {
                Message.of("init"); // runs Message's static initializer, which installs its parts
                p = installed;
            }
            if (p == null) {
                throw new IllegalStateException("Message did not install its parts: the engine Message found, "
                        + IpcEngine.get() + ", is not this one");
            }
            return new MessageAccess(p);
        }
    }

    public Message decoded(ObjectMapper mapper, String type, byte[] json, int offset, int length,
            @Nullable Envelope envelope) {
        return parts.decoded(mapper, type, json, offset, length, envelope);
    }

    /** As above, with the data's value already read by the decoder (a string, integer, boolean or null). */
    public Message decodedScalar(ObjectMapper mapper, String type, byte[] json, int offset, int length,
            @Nullable Object scalar, @Nullable Envelope envelope) {
        return parts.decodedScalar(mapper, type, json, offset, length, scalar, envelope);
    }

    /**
     * As {@link #decoded}, for data that is a JSON string of printable ASCII without escapes: its text is the bytes
     * between the quotes, read when asked for.
     */
    public Message decodedText(ObjectMapper mapper, String type, byte[] json, int offset, int length,
            @Nullable Envelope envelope) {
        return parts.decodedText(mapper, type, json, offset, length, envelope);
    }

    /** The same message with other extra members (the frame, if encoded once, is not kept). */
    public Message withEnvelope(Message m, @Nullable Envelope envelope) {
        return parts.withRouting(m, envelope);
    }

    /** Only the engine sets routing members, and only to an Envelope. */
    public @Nullable Envelope envelope(Message m) {
        return (Envelope) parts.routing(m);
    }

    public byte @Nullable [] json(Message m) {
        return parts.json(m);
    }

    /** The same message carrying its whole encoded frame, written as is by every connection it is sent to. */
    public Message withFrame(Message m, byte[] frame) {
        return parts.withFrame(m, frame);
    }

    public byte @Nullable [] frame(Message m) {
        return parts.frame(m);
    }

    public int jsonOffset(Message m) {
        return parts.jsonOffset(m);
    }

    public int jsonLength(Message m) {
        return parts.jsonLength(m);
    }

    public @Nullable Object value(Message m) {
        return parts.value(m);
    }
}
