package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.IpcDataException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.JsonNodeFactory;

class JsonCodecTest {

    static String encode(Message m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonCodec.DEFAULT.encode(m, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    static Message decode(String frame) {
        byte[] b = frame.getBytes(StandardCharsets.UTF_8);
        return JsonCodec.DEFAULT.decode(b, 0, b.length);
    }

    @Test
    void encodesExactlyTheBytesNodeIpcWrites() throws IOException {
        // node-ipc-behaviour.md 1.1, measured from node-ipc 10 and 14 for emit('m', {a:1, s:'é✓\f\n"'})
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("a", 1);
        data.put("s", "é✓\f\n\"");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonCodec.DEFAULT.encode(Message.of("m", data), out);
        assertThat(HexFormat.of().formatHex(out.toByteArray())).isEqualTo(
                "7b2274797065223a226d222c2264617461223a7b2261223a312c2273223a22c3a9e29c935c665c6e5c22227d7d0c");
    }

    @Test
    void writesCharactersOutsideTheBmpAsUtf8AndLoneSurrogatesEscapedLikeJsonStringify() throws IOException {
        // node v20: JSON.stringify({type: "m", data: {"xy": "x\ud83d", "😀": "😀"}}) + "\f", as hex
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("xy", "x\ud83d");
        data.put("😀", "😀");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonCodec.DEFAULT.encode(Message.of("m", data), out);
        assertThat(HexFormat.of().formatHex(out.toByteArray())).isEqualTo("7b2274797065223a226d222c2264617461223a"
                + "7b227879223a22785c7564383364222c22f09f9880223a22f09f9880227d7d0c");
        // the same lone surrogate in a name: JSON.stringify writes it, but Jackson peers refuse it, so the send fails
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> JsonCodec.DEFAULT.encode(Message.of("m", Map.of("x\ude00y", 1)), new ByteArrayOutputStream()))
                .isInstanceOf(io.reactiveipc.IpcDataException.class).hasMessageContaining("x\\ude00y")
                .hasMessageContaining("lone surrogate");
    }

    @Test
    void escapesControlCharactersLikeJsonStringifySoTheDelimiterNeverOccursInAFrame() throws IOException {
        String frame = encode(Message.of("t", "\u0001\u001f\f\t\u007f"));
        // JSON.stringify('\u0001\u001f\f\t\u007f') === '"\\u0001\\u001f\\f\\t\u007f"' (lower-case hex, DEL raw)
        assertThat(frame).isEqualTo("{\"type\":\"t\",\"data\":\"\\u0001\\u001f\\f\\t\u007f\"}\f");
        assertThat(frame.indexOf('\f')).isEqualTo(frame.length() - 1);
    }

    @Test
    void omittedDataIsAnEmptyObjectAndNullIsNullAsInNodeIpc14() throws IOException {
        assertThat(encode(Message.of("a"))).isEqualTo("{\"type\":\"a\",\"data\":{}}\f");
        assertThat(encode(Message.of("a", null))).isEqualTo("{\"type\":\"a\",\"data\":null}\f");
        assertThat(encode(Message.of("a", ""))).isEqualTo("{\"type\":\"a\",\"data\":\"\"}\f");
        assertThat(encode(Message.of("a", List.of(1, false)))).isEqualTo("{\"type\":\"a\",\"data\":[1,false]}\f");
    }

    record Job(String name, int priority) {
    }

    @Test
    void recordsAndTreesAreWrittenAsJson() throws IOException {
        assertThat(encode(Message.of("job", new Job("build", 2))))
                .isEqualTo("{\"type\":\"job\",\"data\":{\"name\":\"build\",\"priority\":2}}\f");
        assertThat(encode(Message.of("n", JsonNodeFactory.instance.objectNode().put("x", 1.5))))
                .isEqualTo("{\"type\":\"n\",\"data\":{\"x\":1.5}}\f");
    }

    @Test
    void aDecodedMessageIsWrittenAgainByteForByte() throws IOException {
        String frame = "{\"type\":\"fwd\",\"data\":{\"b\":[1,2,{\"c\":\"\\u00e9\"}],\"a\":-1.5e3}}";
        assertThat(encode(decode(frame))).isEqualTo(frame + "\f");
    }

    @Test
    void theDirectPathWritesExactlyWhatTheGeneratorWrites() throws IOException {
        List<Object> values = new java.util.ArrayList<>(List.of("", "x", "a b ~!", "x".repeat(100), "y".repeat(5000),
                0, -1, Integer.MAX_VALUE, Long.MIN_VALUE, (short) 7, (byte) -8, true, false, Map.of()));
        values.add(null);
        for (String type : List.of("m", "job.done", "a-b_c:d")) {
            for (Object v : values) {
                Message m = Message.of(type, v);
                ByteArrayOutputStream generic = new ByteArrayOutputStream();
                JsonCodec.DEFAULT.encodeWithGenerator(m, MessageAccess.get(), null, generic);
                assertThat(encode(m)).as("%s %s", type, v).isEqualTo(generic.toString(StandardCharsets.UTF_8));
            }
            Message decoded = decode("{\"type\":\"x\",\"data\":[1,{\"k\":null}]}").withType(type);
            ByteArrayOutputStream generic = new ByteArrayOutputStream();
            JsonCodec.DEFAULT.encodeWithGenerator(decoded, MessageAccess.get(), MessageAccess.get().json(decoded), generic);
            assertThat(encode(decoded)).isEqualTo(generic.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void withTypeKeepsTheDataAsItCameWithoutParsingIt() throws IOException {
        Message in = decode("{\"type\":\"ping\",\"data\":{\"b\":1,\"a\":[2.50]}}");
        Message out = in.withType("pong");
        assertThat(encode(out)).isEqualTo("{\"type\":\"pong\",\"data\":{\"b\":1,\"a\":[2.50]}}\f");
        assertThat(encode(Message.of("x", 1).withType("y"))).isEqualTo("{\"type\":\"y\",\"data\":1}\f");
    }

    @ParameterizedTest
    @ValueSource(strings = {"12", "-0.5e-3", "true", "false", "null", "\"s\"", "\"\"", "\"a\\\"b\"", "[]", "{}",
            "[1,[2,[3]],{\"x\":{}}]", "{\"k\":\"v\\f\"}"})
    void findsTheDataOfAnyKindOfValue(String data) throws IOException {
        Message m = decode("{\"type\":\"t\",\"data\":" + data + "}");
        assertThat(m.type()).isEqualTo("t");
        assertThat(m.data()).isEqualTo(JsonCodec.MAPPER.readTree(data));
        // ...also when data is not last, with white space and unknown members around it
        Message spaced = decode(" { \"data\" : " + data + " ,\n \"x\":[1], \"type\" : \"t\" } ");
        assertThat(spaced.data()).isEqualTo(JsonCodec.MAPPER.readTree(data));
        assertThat(encode(spaced)).isEqualTo("{\"type\":\"t\",\"data\":" + data + "}\f");
    }

    @Test
    void decodesFromTheMiddleOfAnArray() {
        byte[] buf = "xx{\"type\":\"t\",\"data\":[7]}yy".getBytes(StandardCharsets.UTF_8);
        Message m = JsonCodec.DEFAULT.decode(buf, 2, buf.length - 4);
        assertThat(m.data(int[].class)).containsExactly(7);
    }

    @Test
    void missingDataIsMissingNotNullAndBindsToNull() {
        Message m = decode("{\"type\":\"t\"}");
        assertThat(m.data().isMissingNode()).isTrue();
        assertThat(m.data(String.class)).isNull();
    }

    @Test
    void theLastDuplicateMemberWinsAsInJsonParse() {
        Message m = decode("{\"type\":\"a\",\"data\":1,\"type\":\"b\",\"data\":2}");
        assertThat(m.type()).isEqualTo("b");
        assertThat(m.data(Integer.class)).isEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|MALFORMED_JSON",
            "'   '|MALFORMED_JSON",
            "{\"type\":\"a\"|MALFORMED_JSON",
            "{\"type\":\"a\",\"data\":}|MALFORMED_JSON",
            "{\"type\":\"a\"} {}|MALFORMED_JSON",
            "{\"type\":\"a\",\"data\":[1,]}|MALFORMED_JSON",
            "not json|MALFORMED_JSON",
            "{\"data\":1}|INVALID_MESSAGE",
            "{\"type\":5}|INVALID_MESSAGE",
            "{\"type\":null,\"data\":1}|INVALID_MESSAGE",
            "{\"type\":{\"x\":1}}|INVALID_MESSAGE",
            "5|INVALID_MESSAGE",
            "[\"type\",\"a\"]|INVALID_MESSAGE",
            "\"type\"|INVALID_MESSAGE",
    })
    void rejectsWhatNodeIpcChokesOnWithATypedReason(String frame, Reason reason) {
        assertThatThrownBy(() -> decode(frame))
                .isInstanceOf(IpcProtocolException.class)
                .satisfies(e -> assertThat(((IpcProtocolException) e).reason()).isEqualTo(reason));
    }

    @Test
    void reservedLookingTypesAreOrdinaryMessages() {
        // node-ipc 10 crashes on "__proto__"/"toString" and delivers "error" to its lifecycle listeners
        for (String type : List.of("__proto__", "toString", "error", "connect")) {
            assertThat(decode("{\"type\":\"" + type + "\",\"data\":1}").type()).isEqualTo(type);
        }
    }

    @Test
    void dataThatJacksonCannotWriteFailsWithIpcDataExceptionAndWritesNothingUsable() {
        Object unserializable = new Object() {
            public Object getSelf() {
                throw new IllegalStateException("boom");
            }
        };
        assertThatThrownBy(() -> encode(Message.of("bad", unserializable)))
                .isInstanceOf(IpcDataException.class)
                .hasMessageContaining("'bad'");
    }

    @Test
    void writesToAStreamInOneFrame() throws IOException {
        int[] writes = {0};
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                writes[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes[0]++;
            }
        };
        JsonCodec.DEFAULT.encode(Message.of("t", "x".repeat(100)), counting);
        assertThat(writes[0]).as("generator buffer + delimiter").isLessThanOrEqualTo(2);
    }

    // ---- the envelope: request correlation and relays beside type and data ----------------------------------

    private static Message with(Message m, Envelope e) {
        return MessageAccess.get().withEnvelope(m, e);
    }

    @Test
    void requestsAnswersAndRelaysAreExtraMembersAfterData() throws IOException {
        assertThat(encode(with(Message.of("add", java.util.Map.of("a", 2)), Envelope.of(Envelope.REQUEST, 7))))
                .isEqualTo("{\"type\":\"add\",\"data\":{\"a\":2},\"rid\":7}\f");
        assertThat(encode(with(Message.of("add", 5), Envelope.of(Envelope.REPLY, 7))))
                .isEqualTo("{\"type\":\"add\",\"data\":5,\"re\":7}\f");
        assertThat(encode(with(Message.of("add", 5), Envelope.of(Envelope.REQUEST, Envelope.MAX_ID))))
                .isEqualTo("{\"type\":\"add\",\"data\":5,\"rid\":9007199254740991}\f");
        assertThat(encode(with(Message.of("add", 5), Envelope.of(Envelope.REPLY, 10))))
                .isEqualTo("{\"type\":\"add\",\"data\":5,\"re\":10}\f");
        assertThat(encode(with(Message.of("count", 9), new Envelope(Envelope.STREAM, 3, 16, "bob", null))))
                .isEqualTo("{\"type\":\"count\",\"data\":9,\"rid\":3,\"credit\":16,\"to\":\"bob\"}\f");
        assertThat(encode(with(Message.of("count", null), Envelope.of(Envelope.END, 3))))
                .isEqualTo("{\"type\":\"count\",\"data\":null,\"re\":3,\"end\":true}\f");
        assertThat(encode(with(Message.of("chat", "hi"), new Envelope(Envelope.NONE, 0, 0, null, "al\u00e9 \"x\""))))
                .isEqualTo("{\"type\":\"chat\",\"data\":\"hi\",\"from\":\"al\u00e9 \\\"x\\\"\"}\f");
        // the generator's path (a type that needs escaping) writes the same members
        assertThat(encode(with(Message.of("t\u00e9", 1), Envelope.of(Envelope.ERROR, 2))))
                .isEqualTo("{\"type\":\"t\u00e9\",\"data\":1,\"re\":2,\"error\":true}\f");
    }

    @Test
    void everyEnvelopeSurvivesARoundTripAndUsersSeeOnlyWhoSentIt() throws IOException {
        Envelope[] all = {
            Envelope.of(Envelope.REQUEST, 1), new Envelope(Envelope.STREAM, 2, 5, null, null),
            new Envelope(Envelope.MORE, 3, 9, "b", null), Envelope.of(Envelope.CANCEL, Envelope.MAX_ID),
            Envelope.of(Envelope.REPLY, 4), Envelope.of(Envelope.END, 5), new Envelope(Envelope.ERROR, 6, 0, null, "a"),
            new Envelope(Envelope.NONE, 0, 0, "*", "c"), new Envelope(Envelope.NONE, 0, 0, null, "q\"uote")
        };
        for (Envelope e : all) {
            Message decoded = decode(encode(with(Message.of("x", java.util.List.of(1)), e)).replace("\f", ""));
            assertThat(String.valueOf(MessageAccess.get().envelope(decoded))).isEqualTo(e.toString());
            assertThat(decoded.from()).isEqualTo(e.from());
            assertThat(decoded.data(int[].class)).containsExactly(1);
        }
    }

    @Test
    void membersThatAreNotOursOrNotValidAreIgnoredAsNodeIpcDoes() {
        // a peer's own extras, an id of the wrong type, zero, or beyond 2^53: no envelope, the message is intact
        for (String frame : new String[] {
            "{\"type\":\"m\",\"data\":1,\"other\":{\"rid\":1}}",
            "{\"type\":\"m\",\"data\":1,\"rid\":\"7\"}",
            "{\"type\":\"m\",\"data\":1,\"rid\":0}",
            "{\"type\":\"m\",\"data\":1,\"re\":9007199254740992}",
            "{\"type\":\"m\",\"data\":1,\"re\":1.5}",
            "{\"rid\":4,\"type\":\"m\",\"data\":1,\"rid\":-4}"
        }) {
            Message m = decode(frame);
            assertThat(MessageAccess.get().envelope(m)).as(frame).isNull();
            assertThat(m.data(Integer.class)).as(frame).isEqualTo(1);
        }
        // JSON.parse keeps the last of a repeated member; so do we
        Message last = decode("{\"type\":\"m\",\"data\":1,\"rid\":4,\"rid\":5}");
        assertThat(MessageAccess.get().envelope(last)).hasToString(",\"rid\":5");
    }
}
