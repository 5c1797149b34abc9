package io.reactiveipc.spi;

import io.reactiveipc.Message;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;

/**
 * What the engine's codecs and queues read and make of a {@link Message} beyond its public accessors: the
 * decoded JSON text, the frame encoded once for a broadcast, and routing members ({@code routing}, opaque to
 * the API). Implemented by {@code Message} alone and handed only to the engine ({@link IpcEngine#install}). Not
 * for users: it may change in any release.
 */
public interface MessageParts {

    Message decoded(ObjectMapper mapper, String type, byte[] json, int offset, int length,
            @Nullable Object routing);

    /** As above, with the data's value already read by the decoder (a string, integer, boolean or null). */
    Message decodedScalar(ObjectMapper mapper, String type, byte[] json, int offset, int length,
            @Nullable Object scalar, @Nullable Object routing);

    /** As {@link #decoded}, for data that is a JSON string of printable ASCII without escapes. */
    Message decodedText(ObjectMapper mapper, String type, byte[] json, int offset, int length,
            @Nullable Object routing);

    /** The same message with other routing members (the frame, if encoded once, is not kept). */
    Message withRouting(Message m, @Nullable Object routing);

    @Nullable Object routing(Message m);

    byte @Nullable [] json(Message m);

    /** The same message carrying its whole encoded frame, written as is by every connection it is sent to. */
    Message withFrame(Message m, byte[] frame);

    byte @Nullable [] frame(Message m);

    int jsonOffset(Message m);

    int jsonLength(Message m);

    @Nullable Object value(Message m);
}
