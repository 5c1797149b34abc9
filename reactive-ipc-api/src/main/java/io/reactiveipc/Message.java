package io.reactiveipc;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.spi.IpcEngine;
import io.reactiveipc.spi.MessageParts;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.annotation.JsonSerialize;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.LongNode;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.StringNode;

/**
 * One node-ipc message: a {@code type} and JSON {@code data}, on the wire
 * {@code {"type":"...","data":...}} followed by {@code \f}. Immutable and safe to share between threads.
 *
 * <pre>{@code
 * record Job(String name, int priority) {}
 *
 * Message out = Message.of("job.start", new Job("build", 1));
 * Job job = in.data(Job.class);          // bound by Jackson
 * JsonNode tree = in.data();              // or read as a tree
 * client.inbound().filter(Message.type("job.done"));
 * }</pre>
 *
 * <p>Data of a received message is kept as its JSON text and parsed only when asked for, so a message that is
 * forwarded or filtered out by type costs no data parsing. Data given to {@link #of(String, Object)} is
 * serialized by Jackson when the frame is written, with the mapper of the connection's
 * {@link io.reactiveipc.codec.IpcCodec}; a received message binds with the mapper of the codec that decoded it.
 *
 * <p>Any Jackson 3 mapper (Spring's, in a WebFlux controller returning {@code Flux<Message>}) writes a message as
 * {@code {"type":"...","data":...}} and reads one back from that shape.
 */
@JsonSerialize(using = MessageJson.Serializer.class)
@JsonDeserialize(using = MessageJson.Deserializer.class)
public final class Message {

    /** Binds and converts data given as a Java value, and that of frames decoded without a mapper of their own. */
    private static final ObjectMapper DEFAULT_MAPPER;

    static {
        IpcEngine engine = IpcEngine.get();
        engine.install(new Parts());
        DEFAULT_MAPPER = engine.defaultMapper();
    }

    /** Serializes as {@code {}}; immutable, so it can be shared. */
    private static final Object EMPTY_OBJECT = java.util.Map.of();

    private final String type;
    /** A Java value (including a JsonNode), when {@link #json} is null. */
    private final @Nullable Object value;
    /** UTF-8 JSON text of the data of a decoded frame; null when the data came as a Java value. */
    private final byte @Nullable [] json;
    private final int offset;
    private final int length;
    /** How a decoded frame's data may be read without a parser: {@link #PARSE}, {@link #SCALAR} or {@link #TEXT}. */
    private final byte form;
    /** The encoded frame, when encoded once for many connections (broadcast). */
    private final byte @Nullable [] frame;
    /**
     * Correlation and relay members beside type and data, the engine's to read and write (its Envelope); null for
     * a plain node-ipc message.
     */
    private final @Nullable Object envelope;
    /** Binds and converts the data: the mapper of the codec that decoded the frame, else the default. */
    private final ObjectMapper mapper;
    private volatile @Nullable JsonNode tree;

    /** Data as JSON text, parsed when asked for (or a Java value, when {@link #json} is null). */
    private static final byte PARSE = 0;
    /** Data of a decoded frame that is a scalar: {@link #value} holds it, read by the decoder in passing. */
    private static final byte SCALAR = 1;
    /** Data of a decoded frame that is a string of printable ASCII without escapes: the bytes inside the quotes. */
    private static final byte TEXT = 2;

    private Message(String type, @Nullable Object value, byte @Nullable [] json, int offset, int length) {
        this(type, value, json, offset, length, PARSE);
    }

    private Message(String type, @Nullable Object value, byte @Nullable [] json, int offset, int length,
            byte form) {
        this(type, value, json, offset, length, form, null);
    }

    private Message(String type, @Nullable Object value, byte @Nullable [] json, int offset, int length,
            byte form, byte @Nullable [] frame) {
        this(type, value, json, offset, length, form, frame, null, DEFAULT_MAPPER);
    }

    private Message(String type, @Nullable Object value, byte @Nullable [] json, int offset, int length,
            byte form, byte @Nullable [] frame, @Nullable Object envelope, ObjectMapper mapper) {
        this.mapper = mapper;
        this.envelope = envelope;
        this.type = type;
        this.value = value;
        this.json = json;
        this.offset = offset;
        this.length = length;
        this.form = form;
        this.frame = frame;
    }

    /** A message with data {@code {}}: what node-ipc sends when {@code data} is omitted. */
    public static Message of(String type) {
        return new Message(requireNonNull(type, "type"), EMPTY_OBJECT, null, 0, 0);
    }

    /**
     * A message whose data is any value Jackson can serialize: a record, a bean, a Map, a String, a number, a
     * {@link JsonNode}, or null (JSON {@code null}). The value is serialized when the frame is written; if it
     * cannot be, that send fails with {@link IpcDataException}.
     */
    public static Message of(String type, @Nullable Object data) {
        return new Message(requireNonNull(type, "type"), data, null, 0, 0);
    }

    /**
     * A message whose data is JSON text, checked here and written as is.
     *
     * @throws IllegalArgumentException if {@code json} is not exactly one JSON value
     */
    public static Message ofJson(String type, String json) {
        requireNonNull(type, "type");
        requireNonNull(json, "json");
        byte[] bytes = IpcEngine.get().validateJson(json);
        return new Message(type, null, bytes, 0, bytes.length);
    }

    /** A predicate for {@code Flux.filter}: messages of exactly this type. */
    public static Predicate<Message> type(String type) {
        requireNonNull(type, "type");
        return m -> m.type.equals(type);
    }

    public String type() {
        return type;
    }

    /**
     * The same data under another type, without parsing or copying it: for answering or forwarding
     * ({@code in.message().withType("pong")}).
     */
    public Message withType(String type) {
        requireNonNull(type, "type");
        return new Message(type, value, json, offset, length, form, null, envelope, mapper);
    }

    /**
     * For a message another client sent through the server ({@code emitTo}, a client's {@code broadcast}), that
     * client's id; null for a message the peer sent itself.
     */
    public @Nullable String from() {
        Object e = envelope;
        return e != null ? IpcEngine.get().from(e) : null;
    }

    /**
     * As received by a server from a client sending with {@link Delivery#ACKNOWLEDGED}: the sequence number the
     * client gave it (1, 2, 3... per client instance), to record with your own state for exactly-once across your
     * process's crashes ({@link Delivery#resume}); as received by such a client from a server, the server's number
     * for it (1, 2, 3... per session and server process); 0 for any other message.
     */
    public long sequence() {
        Object e = envelope;
        return e != null ? IpcEngine.get().sequence(e) : 0;
    }

    /** As {@link #sequence()}: the sending client's session (a random token per client instance), else null. */
    public @Nullable String session() {
        Object e = envelope;
        return e != null ? IpcEngine.get().session(e) : null;
    }

    /** True if this message has exactly this type. */
    public boolean isType(String type) {
        return this.type.equals(type);
    }

    /**
     * The data as a Jackson tree: {@link NullNode} for JSON null, {@link MissingNode} if the frame had no
     * {@code data} member. Parsed once, then kept.
     *
     * @throws IpcDataException if a data value given as a Java object cannot be converted
     */
    public JsonNode data() {
        JsonNode t = tree;
        if (t == null) {
            t = computeTree();
            tree = t;
        }
        return t;
    }

    /**
     * The data bound to {@code type} by Jackson, straight from the JSON text of a received frame (no tree in
     * between). Returns null when the data is JSON null or absent.
     *
     * @throws IpcDataException if the data does not fit {@code type}
     */
    public <T> @Nullable T data(Class<T> type) {
        requireNonNull(type, "type");
        try {
            if (form == SCALAR && (value == null || type.isInstance(value))) {
                return type.cast(value); // read by the decoder: no second parse
            }
            if (form == TEXT && type.isAssignableFrom(String.class)) {
                return type.cast(new String(json, offset + 1, length - 2, StandardCharsets.ISO_8859_1));
            }
            if (json != null) {
                return length == 0 ? null : mapper.readValue(json, offset, length, type);
            }
            if (value == null || type.isInstance(value)) {
                return type.cast(value);
            }
            return mapper.convertValue(value, type);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IpcDataException("data of message '" + this.type + "' does not bind to " + type.getName()
                    + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #data(Class)}, for generic types: {@code data(new TypeReference<List<Job>>() {})}. */
    public <T> @Nullable T data(TypeReference<T> type) {
        requireNonNull(type, "type");
        try {
            if (json != null) {
                return length == 0 ? null : mapper.readValue(json, offset, length, type);
            }
            return mapper.convertValue(value, type);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IpcDataException("data of message '" + this.type + "' does not bind to " + type.getType()
                    + ": " + e.getMessage(), e);
        }
    }

    private JsonNode computeTree() {
        try {
            // what the decoder already read needs no parser: the same nodes Jackson's readTree makes
            if (form == TEXT) {
                return StringNode.valueOf(new String(json, offset + 1, length - 2, StandardCharsets.ISO_8859_1));
            }
            if (form == SCALAR) {
                return scalarNode(value);
            }
            if (json != null) {
                return length == 0 ? MissingNode.getInstance() : mapper.readTree(json, offset, length);
            }
            if (value == null) {
                return NullNode.getInstance();
            }
            return value instanceof JsonNode node ? node : mapper.valueToTree(value);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IpcDataException("data of message '" + type + "' is not valid JSON: " + e.getMessage(), e);
        }
    }

    private JsonNode scalarNode(@Nullable Object v) {
        if (v == null) {
            return NullNode.getInstance();
        }
        if (v instanceof Boolean b) {
            return BooleanNode.valueOf(b);
        }
        if (v instanceof Integer i) {
            return IntNode.valueOf(i);
        }
        if (v instanceof Long l) {
            return LongNode.valueOf(l);
        }
        if (v instanceof String str) {
            return StringNode.valueOf(str);
        }
        return mapper.valueToTree(v); // a BigInteger from the parser's path
    }

    /** Equal when type and data are equal as JSON. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && type.equals(m.type) && data().equals(m.data());
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + data().hashCode();
    }

    @Override
    public String toString() {
        String data;
        try {
            data = data().toString();
        } catch (IpcDataException e) {
            data = "<" + e.getMessage() + ">";
        }
        if (data.length() > 200) {
            data = data.substring(0, 200) + "...(" + data.length() + " chars)";
        }
        return "Message{type=" + type + ", data=" + data + "}";
    }

    /** Whether the data is the JSON text of a decoded frame (else a Java value): for {@link MessageJson}. */
    boolean hasJsonText() {
        return json != null;
    }

    /** Whether a decoded frame had a {@code data} member. */
    boolean hasData() {
        return length > 0;
    }

    /** The data given as a Java value, when {@link #hasJsonText()} is false. */
    @Nullable Object javaValue() {
        return value;
    }

    private static final class Parts implements MessageParts {
        @Override
        public Message decoded(ObjectMapper mapper, String type, byte[] json, int offset, int length,
                @Nullable Object routing) {
            return new Message(type, null, json, offset, length, PARSE, null, routing, mapper);
        }

        @Override
        public Message decodedScalar(ObjectMapper mapper, String type, byte[] json, int offset, int length,
                @Nullable Object scalar, @Nullable Object routing) {
            return new Message(type, scalar, json, offset, length, SCALAR, null, routing, mapper);
        }

        @Override
        public Message decodedText(ObjectMapper mapper, String type, byte[] json, int offset, int length,
                @Nullable Object routing) {
            return new Message(type, null, json, offset, length, TEXT, null, routing, mapper);
        }

        @Override
        public Message withFrame(Message m, byte[] frame) {
            return new Message(m.type, m.value, m.json, m.offset, m.length, m.form, frame, m.envelope, m.mapper);
        }

        @Override
        public Message withRouting(Message m, @Nullable Object routing) {
            return m.envelope == routing ? m
                    : new Message(m.type, m.value, m.json, m.offset, m.length, m.form, null, routing, m.mapper);
        }

        @Override
        public @Nullable Object routing(Message m) {
            return m.envelope;
        }

        @Override
        public byte @Nullable [] frame(Message m) {
            return m.frame;
        }

        @Override
        public byte @Nullable [] json(Message m) {
            return m.json;
        }

        @Override
        public int jsonOffset(Message m) {
            return m.offset;
        }

        @Override
        public int jsonLength(Message m) {
            return m.length;
        }

        @Override
        public @Nullable Object value(Message m) {
            return m.value;
        }
    }
}
