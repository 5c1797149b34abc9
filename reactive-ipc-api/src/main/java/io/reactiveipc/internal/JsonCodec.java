package io.reactiveipc.internal;

import io.reactiveipc.IpcDataException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * node-ipc's JSON frame: {@code {"type":<string>,"data":<json>}} then the delimiter ({@code \f} unless set), as
 * written by {@code JSON.stringify}: key order type then data, no white space, non-ASCII as raw UTF-8, control
 * characters escaped (lower-case hex, as JavaScript does), so the default delimiter never occurs inside a frame.
 * Data is bound and serialized by this codec's {@link JsonMapper}; messages it decodes keep that mapper.
 */
public final class JsonCodec implements IpcCodec {

    /** node-ipc's default delimiter, form feed. */
    public static final byte DELIMITER = 0x0C;

    /**
     * The default mapper: Jackson 3's defaults, and what makes its output the bytes JSON.stringify writes.
     */
    public static final JsonMapper MAPPER = configure(JsonMapper.builder()).build();

    /** node-ipc's frame with the default mapper and delimiter. */
    public static final JsonCodec DEFAULT = new JsonCodec(MAPPER, new byte[] {DELIMITER});

    private final JsonMapper mapper;
    private final byte[] delimiter;
    /** The closing brace and the delimiter: the last bytes of every frame. */
    private final byte[] end;
    private final boolean mayContainDelimiter;

    public JsonCodec(JsonMapper mapper, byte[] delimiter) {
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("a JSON frame needs a delimiter of at least one byte");
        }
        this.mapper = mapper;
        this.delimiter = delimiter.clone();
        this.end = new byte[delimiter.length + 1];
        end[0] = '}';
        System.arraycopy(delimiter, 0, end, 1, delimiter.length);
        // JSON.stringify escapes control characters: a delimiter of one is never inside a frame; others may be.
        this.mayContainDelimiter = !(delimiter.length == 1 && delimiter[0] >= 0 && delimiter[0] < 0x20);
    }

    /** What node-ipc's output needs from a mapper; Spring's or a user's builder can take it too. */
    public static JsonMapper.Builder configure(JsonMapper.Builder builder) {
        return builder
                .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                // JSON.stringify writes a character outside the BMP as 4 bytes of UTF-8; Jackson by default as two
                // backslash-u escapes. Lone surrogates are escaped either way, as JSON.stringify does.
                .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
                .disable(StreamReadFeature.AUTO_CLOSE_SOURCE);
    }

    /** The mapper used to bind and serialize data. */
    public JsonMapper mapper() {
        return mapper;
    }

    @Override
    public byte[] delimiter() {
        return delimiter.clone();
    }

    @Override
    public String toString() {
        return "node-ipc JSON, delimiter " + Arrays.toString(delimiter);
    }

    /**
     * Writes one whole frame, delimiter included. On failure the stream holds a partial frame: write into a
     * buffer you can discard.
     *
     * @throws IpcDataException if the data cannot be serialized
     */
    @Override
    public void encode(Message message, OutputStream out) throws IOException {
        MessageAccess access = MessageAccess.get();
        byte[] json = access.json(message);
        if (mayContainDelimiter) {
            java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream(256);
            encodeFrame(message, access, json, frame);
            byte[] bytes = frame.toByteArray();
            if (Frames.indexOf(bytes, 0, bytes.length - delimiter.length, delimiter) >= 0) {
                throw new IpcDataException("message '" + message.type() + "' contains the delimiter "
                        + Arrays.toString(delimiter) + " in its JSON; it was not sent");
            }
            out.write(bytes);
        } else {
            encodeFrame(message, access, json, out);
        }
    }

    private void encodeFrame(Message message, MessageAccess access, byte @Nullable [] json, OutputStream out)
            throws IOException {
        if (!encodeDirect(message, access, json, out)) {
            encodeWithGenerator(message, access, json, out);
        }
    }

    /** The general path; package-private so a test can hold the direct path to its exact output. */
    void encodeWithGenerator(Message message, MessageAccess access, byte @Nullable [] json, OutputStream out)
            throws IOException {
        try (JsonGenerator g = mapper.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("type", message.type());
            if (json == null) {
                g.writeName("data");
                mapper.writeValue(new ReadableNames(g), access.value(message)); // names we write, peers read
            } else if (access.jsonLength(message) > 0) {
                g.writeName("data");
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
        out.write(delimiter);
    }

    private static final byte[] TYPE_PREFIX = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA_PREFIX = "\",\"data\":".getBytes(StandardCharsets.US_ASCII);

    /**
     * The common frames without a JSON generator: a type and data that need no escaping (printable ASCII strings,
     * integers, booleans, null, an empty object) or data that is already JSON text (a decoded frame being answered
     * or forwarded). Writes exactly what the generator would, or nothing and returns false.
     */
    @SuppressWarnings("deprecation")
    private boolean encodeDirect(Message message, MessageAccess access, byte @Nullable [] json, OutputStream out)
            throws IOException {
        String type = message.type();
        if (!plain(type)) {
            return false;
        }
        Envelope envelope = access.envelope(message);
        // every request and answer: the id is written into the frame in place, not into an array of its own
        Envelope id = envelope != null && envelope.idOnly() ? envelope : null;
        byte[] members = envelope == null || id != null ? NO_MEMBERS : envelope.members();
        int membersLength = id != null ? id.idMembersLength() : members.length;
        int tail = end.length + membersLength;
        if (json != null) {
            int length = access.jsonLength(message);
            if (length == 0) {
                return false;
            }
            byte[] frame = frame(type, length, members, id, membersLength, end);
            System.arraycopy(json, access.jsonOffset(message), frame, frame.length - tail - length, length);
            out.write(frame);
            return true;
        }
        Object value = access.value(message);
        byte[] data;
        if (value instanceof String s) {
            if (!plain(s)) {
                return false;
            }
            byte[] frame = frame(type, s.length() + 2, members, id, membersLength, end);
            int at = frame.length - tail - s.length() - 2;
            frame[at] = '"';
            s.getBytes(0, s.length(), frame, at + 1); // printable ASCII: one byte per char
            frame[at + 1 + s.length()] = '"';
            out.write(frame);
            return true;
        } else if (value == null) {
            data = NULL;
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte) {
            data = value.toString().getBytes(StandardCharsets.US_ASCII);
        } else if (value instanceof Boolean b) {
            data = b ? TRUE : FALSE;
        } else if (value instanceof java.util.Map<?, ?> map && map.isEmpty()) {
            data = EMPTY_OBJECT;
        } else {
            return false;
        }
        byte[] frame = frame(type, data.length, members, id, membersLength, end);
        System.arraycopy(data, 0, frame, frame.length - tail - data.length, data.length);
        out.write(frame);
        return true;
    }

    private static final byte[] NO_MEMBERS = {};

    /**
     * {@code {"type":"<type>","data":} + room for the data + the envelope's members ({@code members}, or those of
     * {@code id} when it is not null) + {@code \}\f}, all but the data filled in.
     */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exact for ASCII, no encoder
    private static byte[] frame(String type, int dataLength, byte[] members, @Nullable Envelope id,
            int membersLength, byte[] end) {
        byte[] frame = new byte[TYPE_PREFIX.length + type.length() + DATA_PREFIX.length + dataLength
                + membersLength + end.length];
        System.arraycopy(TYPE_PREFIX, 0, frame, 0, TYPE_PREFIX.length);
        type.getBytes(0, type.length(), frame, TYPE_PREFIX.length);
        System.arraycopy(DATA_PREFIX, 0, frame, TYPE_PREFIX.length + type.length(), DATA_PREFIX.length);
        if (id != null) {
            id.writeIdMembers(frame, frame.length - end.length - membersLength);
        } else {
            System.arraycopy(members, 0, frame, frame.length - end.length - membersLength, membersLength);
        }
        System.arraycopy(end, 0, frame, frame.length - end.length, end.length);
        return frame;
    }

    /** {@code s} as a JSON string, quotes included, escaped as JSON.stringify does. */
    static byte[] quoted(String s) {
        if (plain(s)) {
            byte[] b = new byte[s.length() + 2];
            b[0] = '"';
            System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, b, 1, s.length());
            b[b.length - 1] = '"';
            return b;
        }
        return MAPPER.writeValueAsBytes(s);
    }

    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] EMPTY_OBJECT = {'{', '}'};

    /** Printable ASCII without quote or backslash: written as is by JSON.stringify and by us. */
    static boolean plain(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /**
     * Decodes one frame (delimiter excluded). The bytes are kept by the message: do not reuse the array.
     *
     * @throws IpcProtocolException if the frame is not a JSON object with a string {@code type}
     */
    @Override
    public Message decode(byte[] frame, int offset, int length) {
        Message m = FastDecoder.decode(mapper, frame, offset, length);
        return m != null ? m : decodeWithParser(frame, offset, length);
    }

    /** The general path, and the judge of what is valid; package-private so a test can hold the fast path to it. */
    Message decodeWithParser(byte[] frame, int offset, int length) {
        String type = null;
        String badType = null;
        int dataStart = 0;
        int dataEnd = 0;
        boolean scalar = false;
        Object scalarValue = null;
        Envelope.Reader members = new Envelope.Reader();
        try (JsonParser p = mapper.createParser(frame, offset, length)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new IpcProtocolException(Reason.MALFORMED_JSON, "empty frame");
            }
            if (t != JsonToken.START_OBJECT) {
                skipValue(p);
                requireEnd(p);
                throw new IpcProtocolException(Reason.INVALID_MESSAGE,
                        "frame is a JSON " + kind(t) + ", not an object with a string 'type'");
            }
            while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("type".equals(name)) {
                    if (v == JsonToken.VALUE_STRING) {
                        type = p.getString();
                        badType = null;
                    } else {
                        type = null;
                        badType = kind(v);
                        p.skipChildren();
                    }
                } else if ("data".equals(name)) {
                    dataStart = (int) p.currentTokenLocation().getByteOffset();
                    // A scalar is read on the way (the parser decodes it to find its end anyway), so binding it
                    // later costs no second parse.
                    scalar = true;
                    switch (v) {
                        case VALUE_STRING -> scalarValue = p.getString();
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
                    members.string(name, p.getString());
                } else {
                    p.skipChildren();
                }
            }
            requireEnd(p);
        } catch (JacksonException e) {
            throw new IpcProtocolException(Reason.MALFORMED_JSON, e.getOriginalMessage() + " in "
                    + preview(frame, offset, length), e);
        }
        if (type == null) {
            throw new IpcProtocolException(Reason.INVALID_MESSAGE, (badType == null
                    ? "no 'type' member" : "'type' is a " + badType + ", not a string")
                    + " in " + preview(frame, offset, length));
        }
        // Location offsets count from the start of the parsed range.
        Envelope envelope = members.envelope();
        return scalar
                ? MessageAccess.get().decodedScalar(mapper, type, frame, offset + dataStart, dataEnd - dataStart,
                        scalarValue, envelope)
                : MessageAccess.get().decoded(mapper, type, frame, offset + dataStart, dataEnd - dataStart, envelope);
    }

    /**
     * Checks that {@code json} is exactly one JSON value and returns its UTF-8 bytes.
     *
     * @throws IllegalArgumentException if it is not
     */
    public static byte[] validateValue(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        try (JsonParser p = MAPPER.createParser(bytes)) {
            if (p.nextToken() == null) {
                throw new IllegalArgumentException("not a JSON value: empty text");
            }
            skipValue(p);
            requireEnd(p);
        } catch (JacksonException | IpcProtocolException e) {
            throw new IllegalArgumentException("not a JSON value: " + e.getMessage(), e);
        }
        return bytes;
    }

    /** Skips the value at the current token and reads it to its last byte, so the location is its end. */
    static void skipValue(JsonParser p) {
        p.skipChildren();
        p.finishToken();
    }

    static void requireEnd(JsonParser p) {
        JsonToken extra = p.nextToken();
        if (extra != null) {
            throw new IpcProtocolException(Reason.MALFORMED_JSON, "content after the JSON value: " + extra);
        }
    }

    static String kind(@Nullable JsonToken t) {
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

    /** The start of a frame, for error messages. */
    static String preview(byte[] frame, int offset, int length) {
        int n = Math.min(length, 64);
        String s = new String(frame, offset, n, StandardCharsets.UTF_8);
        return "frame of " + length + " bytes starting " + quote(s, n < length);
    }

    private static String quote(String s, boolean cut) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.append(cut ? "...'" : "'").toString();
    }
}
