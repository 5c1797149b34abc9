package io.reactiveipc.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.reactiveipc.IpcDataException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.Message;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The frame of @crussell52/socket-ipc 0.4.0 (its default JSON transcoder): {@code JSON.stringify({topic, message})}
 * followed by two NUL bytes, {@code {"topic":"hello","message":"world"}\0\0} (measured: docs/socket-ipc-wire.md).
 * Its {@code topic} is {@link Message#type()}, its {@code message} the data. A raw NUL never occurs inside JSON
 * text (JSON.stringify and Jackson both escape it as {@code \u0000}), so the first {@code \0\0} ends a frame.
 *
 * <p>socket-ipc has no control frames: nothing is sent on connect, there is no subscription (the receiver filters
 * topics itself; the server sends every topic to every client on broadcast), and client ids never go on the wire.
 * Reactive IPC's own members ({@code rid}, {@code re}, {@code to}, ...) ride after {@code message} as they do after
 * node-ipc's {@code data}; socket-ipc hands its listeners {@code topic} and {@code message} only, so it ignores them
 * (measured).
 *
 * <p>Where socket-ipc is careless this codec is strict: a frame that is not one JSON object with a string
 * {@code topic} is an {@link IpcProtocolException} (socket-ipc crashes on malformed JSON, an empty frame and
 * {@code null}, and delivers numbers, arrays and a missing topic with topic {@code undefined}).
 */
public final class SocketIpcCodec {

    /** socket-ipc's delimiter: two NUL bytes. */
    private static final byte[] DELIMITER = {0, 0};

    private static final JsonFactory FACTORY = JsonCodec.mapper().getFactory();

    private SocketIpcCodec() {
    }

    /** The delimiter, {@code 00 00}: a copy, so no caller can change it. */
    public static byte[] delimiter() {
        return DELIMITER.clone();
    }

    /**
     * Writes one whole frame, delimiter included, as socket-ipc's encoder writes it for the same value: members
     * {@code topic} then {@code message}, no white space, non-ASCII as UTF-8, control characters escaped. A decoded
     * frame that had no {@code message} (socket-ipc's {@code send(topic)} with no message) is written without one.
     * On failure the stream holds a partial frame: write into a buffer you can discard.
     *
     * @throws IpcDataException if the data cannot be serialized
     */
    public static void encode(Message message, OutputStream out) throws IOException {
        MessageAccess access = MessageAccess.get();
        byte[] json = access.json(message);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("topic", message.type());
            if (json == null) {
                g.writeFieldName("message");
                JsonCodec.mapper().writeValue(g, access.value(message));
            } else if (access.jsonLength(message) > 0) {
                g.writeFieldName("message");
                g.writeRawValue(""); // the generator writes the ':' and counts the value; its bytes follow
                g.flush();
                out.write(json, access.jsonOffset(message), access.jsonLength(message));
            }
            Envelope envelope = access.envelope(message);
            if (envelope != null) {
                g.writeRaw(new String(envelope.members(), StandardCharsets.UTF_8));
            }
            g.writeEndObject();
        } catch (JsonProcessingException e) {
            throw new IpcDataException("data of message '" + message.type() + "' cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
        }
        out.write(DELIMITER);
    }

    /**
     * {@link #encode}, with every failure turned into the exception the sender is given, and the frame held to the
     * limit. {@code written} tells how many bytes {@code out} holds. On failure {@code out} holds a partial frame.
     *
     * @throws IpcDataException if the data cannot be encoded
     * @throws IpcProtocolException ({@code FRAME_TOO_LARGE}) if the frame, delimiter excluded, exceeds
     *         {@code maxFrameSize}
     */
    public static void encodeChecked(Message message, OutputStream out, IntSupplier written, int maxFrameSize) {
        int before = written.getAsInt();
        try {
            encode(message, out);
        } catch (IpcDataException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IpcDataException("message '" + message.type() + "' could not be encoded: " + e, e);
        }
        int frame = written.getAsInt() - before - DELIMITER.length;
        if (frame > maxFrameSize) {
            throw new IpcProtocolException(Reason.FRAME_TOO_LARGE, "outbound message '" + message.type()
                    + "' is a frame of " + frame + " bytes, over maxFrameSize " + maxFrameSize + "; it was not sent");
        }
    }

    /**
     * Decodes one frame (delimiter excluded). The bytes are kept by the message: do not reuse the array.
     *
     * @throws IpcProtocolException {@code MALFORMED_JSON} if the frame is not one well-formed JSON value (an empty
     *         frame, as between {@code \0\0\0\0}, included); {@code INVALID_MESSAGE} if it is not an object with a
     *         string {@code topic}
     */
    public static Message decode(byte[] frame, int offset, int length) {
        String topic = null;
        String badTopic = null;
        int dataStart = 0;
        int dataEnd = 0;
        boolean scalar = false;
        Object scalarValue = null;
        Envelope.Reader members = new Envelope.Reader();
        try (JsonParser p = FACTORY.createParser(frame, offset, length)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IpcProtocolException(Reason.MALFORMED_JSON, "empty socket-ipc frame");
            }
            if (t != JsonToken.START_OBJECT) {
                skipValue(p);
                requireEnd(p);
                throw new IpcProtocolException(Reason.INVALID_MESSAGE, "socket-ipc frame is a JSON " + kind(t)
                        + ", not an object with a string 'topic' in " + preview(frame, offset, length));
            }
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("topic".equals(name)) {
                    if (v == JsonToken.VALUE_STRING) {
                        topic = p.getText();
                        badTopic = null;
                    } else {
                        topic = null;
                        badTopic = kind(v);
                        p.skipChildren();
                    }
                } else if ("message".equals(name)) {
                    dataStart = (int) p.currentTokenLocation().getByteOffset();
                    scalar = true;
                    switch (v) {
                        case VALUE_STRING -> scalarValue = p.getText();
                        case VALUE_NUMBER_INT -> scalarValue = p.getNumberValue();
                        case VALUE_TRUE -> scalarValue = Boolean.TRUE;
                        case VALUE_FALSE -> scalarValue = Boolean.FALSE;
                        case VALUE_NULL -> scalarValue = null;
                        default -> scalar = false;
                    }
                    skipValue(p);
                    dataEnd = (int) p.currentLocation().getByteOffset();
                } else if (v == JsonToken.VALUE_NUMBER_INT) {
                    members.integer(name, p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? 0
                            : p.getLongValue());
                } else if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) {
                    members.bool(name, v == JsonToken.VALUE_TRUE);
                } else if (v == JsonToken.VALUE_STRING) {
                    members.string(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
            requireEnd(p);
        } catch (JsonProcessingException e) {
            throw new IpcProtocolException(Reason.MALFORMED_JSON, e.getOriginalMessage() + " in "
                    + preview(frame, offset, length), e);
        } catch (IOException e) {
            throw new IllegalStateException("reading a byte array cannot fail", e);
        }
        if (topic == null) {
            throw new IpcProtocolException(Reason.INVALID_MESSAGE, (badTopic == null
                    ? "no 'topic' member" : "'topic' is a " + badTopic + ", not a string")
                    + " in " + preview(frame, offset, length));
        }
        Envelope envelope = members.envelope();
        // parser locations count from the start of the parsed range
        return scalar
                ? MessageAccess.get().decodedScalar(topic, frame, offset + dataStart, dataEnd - dataStart,
                        scalarValue, envelope)
                : MessageAccess.get().decoded(topic, frame, offset + dataStart, dataEnd - dataStart, envelope);
    }

    /** Skips the value at the current token and reads it to its last byte, so the location is its end. */
    private static void skipValue(JsonParser p) throws IOException {
        p.skipChildren();
        p.finishToken();
    }

    private static void requireEnd(JsonParser p) throws IOException {
        JsonToken extra = p.nextToken();
        if (extra != null) {
            throw new IpcProtocolException(Reason.MALFORMED_JSON, "content after the JSON value: " + extra);
        }
    }

    private static String kind(@Nullable JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_ARRAY -> "array";
            case START_OBJECT -> "object";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> t.name();
        };
    }

    /** The start of a frame, control characters (NUL above all) shown as escapes, for error messages. */
    private static String preview(byte[] frame, int offset, int length) {
        int n = Math.min(length, 64);
        String s = new String(frame, offset, n, StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder("frame of ").append(length).append(" bytes starting '");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.append(n < length ? "...'" : "'").toString();
    }
}
