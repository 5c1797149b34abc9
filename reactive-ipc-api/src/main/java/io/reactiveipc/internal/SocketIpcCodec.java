package io.reactiveipc.internal;

import io.reactiveipc.IpcDataException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

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
public final class SocketIpcCodec implements IpcCodec {

    /** socket-ipc's delimiter: two NUL bytes. */
    private static final byte[] DELIMITER = {0, 0};

    /** socket-ipc's frame with the library's default mapper. */
    public static final SocketIpcCodec DEFAULT = new SocketIpcCodec(JsonCodec.MAPPER);

    private final JsonMapper mapper;

    /**
     * Data is written and bound by {@code mapper}; for the bytes JSON.stringify writes, configure it with
     * {@link JsonCodec#configure}.
     */
    public SocketIpcCodec(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** {@code 00 00}, a fresh copy. */
    @Override
    public byte[] delimiter() {
        return DELIMITER.clone();
    }

    @Override
    public String toString() {
        return "socket-ipc JSON, delimiter [0, 0]";
    }

    /**
     * Writes one whole frame, delimiter included, as socket-ipc's encoder writes it for the same value: members
     * {@code topic} then {@code message}, no white space, non-ASCII as UTF-8, control characters escaped. A decoded
     * frame that had no {@code message} (socket-ipc's {@code send(topic)} with no message) is written without one.
     * On failure the stream holds a partial frame: write into a buffer you can discard.
     *
     * @throws IpcDataException if the data cannot be serialized
     */
    @Override
    public void encode(Message message, OutputStream out) throws IOException {
        MessageAccess access = MessageAccess.get();
        byte[] json = access.json(message);
        if (!encodeDirect(message, access, json, out)) {
            encodeWithGenerator(message, access, json, out);
        }
    }

    /** The general path; package-private so a test can hold the direct path to its exact output. */
    void encodeWithGenerator(Message message, MessageAccess access, byte @Nullable [] json, OutputStream out)
            throws IOException {
        try (JsonGenerator g = mapper.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("topic", message.type());
            if (json == null) {
                g.writeName("message");
                mapper.writeValue(new ReadableNames(g), access.value(message)); // names we write, peers read
            } else if (access.jsonLength(message) > 0) {
                g.writeName("message");
                g.writeRawValue(""); // the generator writes the ':' and counts the value; its bytes follow
                g.flush();
                out.write(json, access.jsonOffset(message), access.jsonLength(message));
            }
            Envelope envelope = access.envelope(message);
            if (envelope != null) {
                g.writeRaw(new String(envelope.members(), StandardCharsets.UTF_8));
            }
            g.writeEndObject();
        } catch (JacksonException e) {
            throw new IpcDataException("data of message '" + message.type() + "' cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
        }
        out.write(DELIMITER);
    }

    private static final byte[] TOPIC_PREFIX = "{\"topic\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESSAGE_KEY = "\",\"message\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = {'}', 0, 0};
    private static final byte[] NO_MEMBERS = {};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

    /**
     * The common frames in one array, without a generator (which costs more than the rest of a small frame): a
     * topic that needs no escaping and data that is already JSON text (a decoded frame answered or forwarded), a
     * string that needs no escaping, an integer, a boolean or null. Writes exactly what the generator would, or
     * nothing and returns false.
     */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exact for printable ASCII
    private static boolean encodeDirect(Message message, MessageAccess access, byte @Nullable [] json,
            OutputStream out) throws IOException {
        String topic = message.type();
        if (!JsonCodec.plain(topic)) {
            return false;
        }
        byte[] data = null;
        int dataOffset = 0;
        int dataLength;
        String text = null;
        if (json != null) {
            dataLength = access.jsonLength(message);
            if (dataLength == 0) {
                return false;
            }
            data = json;
            dataOffset = access.jsonOffset(message);
        } else {
            Object value = access.value(message);
            if (value instanceof String s) {
                if (!JsonCodec.plain(s)) {
                    return false;
                }
                text = s;
                dataLength = s.length() + 2;
            } else {
                if (value == null) {
                    data = NULL;
                } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                        || value instanceof Byte) {
                    data = value.toString().getBytes(StandardCharsets.US_ASCII);
                } else if (value instanceof Boolean b) {
                    data = b ? TRUE : FALSE;
                } else {
                    return false;
                }
                dataLength = data.length;
            }
        }
        Envelope envelope = access.envelope(message);
        byte[] members = envelope == null ? NO_MEMBERS : envelope.members();
        byte[] frame = new byte[TOPIC_PREFIX.length + topic.length() + MESSAGE_KEY.length + dataLength
                + members.length + END.length];
        int at = 0;
        System.arraycopy(TOPIC_PREFIX, 0, frame, at, TOPIC_PREFIX.length);
        at += TOPIC_PREFIX.length;
        topic.getBytes(0, topic.length(), frame, at);
        at += topic.length();
        System.arraycopy(MESSAGE_KEY, 0, frame, at, MESSAGE_KEY.length);
        at += MESSAGE_KEY.length;
        if (text != null) {
            frame[at] = '"';
            text.getBytes(0, text.length(), frame, at + 1);
            frame[at + 1 + text.length()] = '"';
        } else {
            System.arraycopy(data, dataOffset, frame, at, dataLength);
        }
        at += dataLength;
        System.arraycopy(members, 0, frame, at, members.length);
        System.arraycopy(END, 0, frame, at + members.length, END.length);
        out.write(frame);
        return true;
    }

    /**
     * Decodes one frame (delimiter excluded). The bytes are kept by the message: do not reuse the array.
     *
     * @throws IpcProtocolException {@code MALFORMED_JSON} if the frame is not one well-formed JSON value (an empty
     *         frame, as between {@code \0\0\0\0}, included); {@code INVALID_MESSAGE} if it is not an object with a
     *         string {@code topic}
     */
    @Override
    public Message decode(byte[] frame, int offset, int length) {
        Message m = FastDecoder.decode(mapper, frame, offset, length, FAST_TOPIC, FAST_MESSAGE);
        return m != null ? m : decodeWithParser(frame, offset, length);
    }

    static final byte[] FAST_TOPIC = "{\"topic\":\"".getBytes(StandardCharsets.US_ASCII);
    static final byte[] FAST_MESSAGE = ",\"message\":".getBytes(StandardCharsets.US_ASCII);

    /** The general path, and the judge of what is valid; package-private so a test can hold the fast path to it. */
    Message decodeWithParser(byte[] frame, int offset, int length) {
        String topic = null;
        String badTopic = null;
        int dataStart = 0;
        int dataEnd = 0;
        boolean scalar = false;
        Object scalarValue = null;
        Envelope.Reader members = new Envelope.Reader();
        try (JsonParser p = mapper.createParser(frame, offset, length)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IpcProtocolException(Reason.MALFORMED_JSON, "empty socket-ipc frame");
            }
            if (t != JsonToken.START_OBJECT) {
                JsonCodec.skipValue(p);
                JsonCodec.requireEnd(p);
                throw new IpcProtocolException(Reason.INVALID_MESSAGE, "socket-ipc frame is a JSON "
                        + JsonCodec.kind(t) + ", not an object with a string 'topic' in "
                        + JsonCodec.preview(frame, offset, length));
            }
            while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("topic".equals(name)) {
                    if (v == JsonToken.VALUE_STRING) {
                        topic = p.getString();
                        badTopic = null;
                    } else {
                        topic = null;
                        badTopic = JsonCodec.kind(v);
                        p.skipChildren();
                    }
                } else if ("message".equals(name)) {
                    dataStart = (int) p.currentTokenLocation().getByteOffset();
                    scalar = true;
                    switch (v) {
                        case VALUE_STRING -> scalarValue = p.getString();
                        case VALUE_NUMBER_INT -> scalarValue = p.getNumberValue();
                        case VALUE_TRUE -> scalarValue = Boolean.TRUE;
                        case VALUE_FALSE -> scalarValue = Boolean.FALSE;
                        case VALUE_NULL -> scalarValue = null;
                        default -> scalar = false;
                    }
                    JsonCodec.skipValue(p);
                    dataEnd = (int) p.currentLocation().getByteOffset();
                } else if (v == JsonToken.VALUE_NUMBER_INT) {
                    members.integer(name, p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? 0
                            : p.getLongValue());
                } else if (v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE) {
                    members.bool(name, v == JsonToken.VALUE_TRUE);
                } else if (v == JsonToken.VALUE_STRING) {
                    members.string(name, p.getString());
                } else {
                    p.skipChildren();
                }
            }
            JsonCodec.requireEnd(p);
        } catch (JacksonException e) {
            throw new IpcProtocolException(Reason.MALFORMED_JSON, e.getOriginalMessage() + " in "
                    + JsonCodec.preview(frame, offset, length), e);
        }
        if (topic == null) {
            throw new IpcProtocolException(Reason.INVALID_MESSAGE, (badTopic == null
                    ? "no 'topic' member" : "'topic' is a " + badTopic + ", not a string")
                    + " in " + JsonCodec.preview(frame, offset, length));
        }
        Envelope envelope = members.envelope();
        // parser locations count from the start of the parsed range
        return scalar
                ? MessageAccess.get().decodedScalar(mapper, topic, frame, offset + dataStart, dataEnd - dataStart,
                        scalarValue, envelope)
                : MessageAccess.get().decoded(mapper, topic, frame, offset + dataStart, dataEnd - dataStart,
                        envelope);
    }
}
