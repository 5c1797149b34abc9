package io.reactiveipc.internal;

import io.reactiveipc.Message;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;

/** The codec's way into {@link Message}'s representation without making it public API. */
public interface MessageAccess {

    Message decoded(ObjectMapper mapper, String type, byte[] json, int offset, int length, @Nullable Envelope envelope);

    /** As above, with the data's value already read by the decoder (a string, integer, boolean or null). */
    Message decodedScalar(ObjectMapper mapper, String type, byte[] json, int offset, int length, @Nullable Object scalar,
            @Nullable Envelope envelope);

    /**
     * As {@link #decoded}, for data that is a JSON string of printable ASCII without escapes: its text is the bytes
     * between the quotes, read when asked for.
     */
    Message decodedText(ObjectMapper mapper, String type, byte[] json, int offset, int length, @Nullable Envelope envelope);

    /** The same message with other extra members (the frame, if encoded once, is not kept). */
    Message withEnvelope(Message m, @Nullable Envelope envelope);

    @Nullable Envelope envelope(Message m);

    byte @Nullable [] json(Message m);

    /** The same message carrying its whole encoded frame, written as is by every connection it is sent to. */
    Message withFrame(Message m, byte[] frame);

    byte @Nullable [] frame(Message m);

    int jsonOffset(Message m);

    int jsonLength(Message m);

    @Nullable Object value(Message m);

    static MessageAccess get() {
        MessageAccess a = Holder.instance;
        if (a == null) {
            Message.of("init"); // runs Message's static initializer, which installs the accessor
            a = Holder.instance;
        }
        return a;
    }

    /**
     * Message's static initializer hands its accessor over; from anywhere else, or a second time, this throws (an
     * interface's static method cannot be less than public, and on the class path this package is reachable).
     */
    static void install(MessageAccess access) {
        Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass();
        synchronized (Holder.class) {
            if (caller != Message.class || Holder.instance != null) {
                throw new IllegalStateException("only Message installs its accessor, once");
            }
            Holder.instance = access;
        }
    }

    /** Mutable holder kept out of the interface's constants. */
    final class Holder {
        static volatile @Nullable MessageAccess instance;

        private Holder() {
        }
    }
}
