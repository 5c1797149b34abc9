package io.reactiveipc;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;

/**
 * A {@link Message} as any Jackson 3 mapper writes and reads it: {@code {"type":...,"data":...}}, so a WebFlux
 * controller can return {@code Flux<Message>} and take one as a request body. Extra members of ours (request ids,
 * relay names) are the wire's business and are left out. Package-private beside Message; Jackson instantiates the
 * nested classes, which are public in an exported package, so nothing is opened to reflection.
 */
final class MessageJson {

    private MessageJson() {
    }

    public static final class Serializer extends ValueSerializer<Message> {
        @Override
        public void serialize(Message m, JsonGenerator g, SerializationContext ctxt) throws JacksonException {
            g.writeStartObject();
            g.writeStringProperty("type", m.type());
            if (!m.hasJsonText()) {
                g.writeName("data");
                ctxt.writeValue(g, m.javaValue());
            } else if (m.hasData()) {
                g.writeName("data");
                ctxt.writeValue(g, m.data()); // a tree: right for every format the mapper writes
            }
            g.writeEndObject();
        }
    }

    public static final class Deserializer extends ValueDeserializer<Message> {
        @Override
        public Message deserialize(JsonParser p, DeserializationContext ctxt) throws JacksonException {
            JsonNode node = ctxt.readTree(p);
            JsonNode type = node.get("type");
            if (type == null || !type.isString()) {
                return ctxt.reportInputMismatch(Message.class, "a message is an object with a string 'type', not %s",
                        node);
            }
            JsonNode data = node.get("data");
            return data == null ? Message.of(type.stringValue()) : Message.of(type.stringValue(), data);
        }
    }
}
