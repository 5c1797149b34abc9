package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.IpcDataException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.MissingNode;

/**
 * socket-ipc's frames, byte for byte as a real @crussell52/socket-ipc 0.4.0 wrote them (captured by
 * node-peers/probes/socket-ipc-wire.mjs, listed in docs/socket-ipc-wire.md): we write the same bytes for the same
 * value and read them back as the message socket-ipc meant. The interop suite checks the same against socket-ipc's
 * own encoder, live.
 */
class SocketIpcCodecTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final SocketIpcCodec CODEC = SocketIpcCodec.DEFAULT;

    /** What the probe's socket-ipc sent for each call, then the Java message that means the same. */
    static Stream<Arguments> captured() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("a", 1);
        object.put("s", "é✓\f\n\"");
        object.put("nul", "a\u0000b");
        return Stream.of(
                Arguments.of("client.send('hello', 'world')",
                        "7b22746f706963223a2268656c6c6f222c226d657373616765223a22776f726c64227d0000",
                        Message.of("hello", "world")),
                Arguments.of("client.send('obj', {a: 1, s: 'é✓\\f\\n\"', nul: 'a\\u0000b'})",
                        "7b22746f706963223a226f626a222c226d657373616765223a7b2261223a312c2273223a22c3a9e29c935c665c6e"
                                + "5c22222c226e756c223a22615c753030303062227d7d0000",
                        Message.of("obj", object)),
                Arguments.of("client.send('nul', null)",
                        "7b22746f706963223a226e756c222c226d657373616765223a6e756c6c7d0000",
                        Message.of("nul", null)),
                Arguments.of("client.send('es', '')",
                        "7b22746f706963223a226573222c226d657373616765223a22227d0000",
                        Message.of("es", "")),
                Arguments.of("client.send('num', 0)",
                        "7b22746f706963223a226e756d222c226d657373616765223a307d0000",
                        Message.of("num", 0)),
                Arguments.of("client.send('bool', false)",
                        "7b22746f706963223a22626f6f6c222c226d657373616765223a66616c73657d0000",
                        Message.of("bool", false)),
                Arguments.of("client.send('arr', [1, 'x', null])",
                        "7b22746f706963223a22617272222c226d657373616765223a5b312c2278222c6e756c6c5d7d0000",
                        Message.of("arr", Arrays.asList(1, "x", null))),
                Arguments.of("client.send('', 'x')",
                        "7b22746f706963223a22222c226d657373616765223a2278227d0000",
                        Message.of("", "x")),
                Arguments.of("client.send('a.b é', 1)",
                        "7b22746f706963223a22612e6220c3a9222c226d657373616765223a317d0000",
                        Message.of("a.b é", 1)),
                Arguments.of("server.send('only-a', {x: 1}, id)",
                        "7b22746f706963223a226f6e6c792d61222c226d657373616765223a7b2278223a317d7d0000",
                        Message.of("only-a", Map.of("x", 1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captured")
    void writesWhatSocketIpcWrites(String call, String hex, Message message) throws IOException {
        assertThat(HEX.formatHex(encode(message))).as(call).isEqualTo(hex);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captured")
    void readsWhatSocketIpcWrites(String call, String hex, Message message) {
        Message read = decode(HEX.parseHex(hex));
        assertThat(read.type()).as(call).isEqualTo(message.type());
        assertThat(read.data()).as(call).isEqualTo(message.data());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captured")
    void aDecodedFrameIsForwardedUnchanged(String call, String hex, Message message) throws IOException {
        assertThat(HEX.formatHex(encode(decode(HEX.parseHex(hex))))).as(call).isEqualTo(hex);
    }

    @Test
    void aMessageSentWithoutDataHasNoneAndIsForwardedWithoutTheMember() throws IOException {
        // client.send('undef', undefined) and client.send('omit'): JSON.stringify drops the member
        byte[] frame = HEX.parseHex("7b22746f706963223a22756e646566227d0000");
        Message read = decode(frame);
        assertThat(read.type()).isEqualTo("undef");
        assertThat(read.data()).isInstanceOf(MissingNode.class);
        assertThat(read.data(String.class)).isNull();
        assertThat(encode(read)).isEqualTo(frame);
    }

    @Test
    void theDirectPathWritesExactlyWhatTheGeneratorWrites() throws IOException {
        List<Object> values = new java.util.ArrayList<>(List.of("", "x", "a b ~!", "x".repeat(100), "y".repeat(5000),
                "é", "q\"", "\u0000", 0, -1, Integer.MAX_VALUE, Long.MIN_VALUE, (short) 7, (byte) -8, true, false,
                Map.of(), List.of(1)));
        values.add(null);
        for (String topic : List.of("m", "", "job.done", "a-b_c:d", "é", "q\"")) {
            for (Object v : values) {
                assertDirectIsGenerator(Message.of(topic, v), topic + " " + v);
            }
            assertDirectIsGenerator(decode(bytes("{\"topic\":\"x\",\"message\":[1,{\"k\":null}]}")).withType(topic),
                    topic + " decoded");
            assertDirectIsGenerator(decode(bytes("{\"topic\":\"x\"}")).withType(topic), topic + " no message");
            assertDirectIsGenerator(MessageAccess.get().withEnvelope(Message.of(topic, 5),
                    new Envelope(Envelope.REPLY, 3, 0, "bob", "alice")), topic + " with members");
        }
    }

    private static void assertDirectIsGenerator(Message m, String what) throws IOException {
        ByteArrayOutputStream generic = new ByteArrayOutputStream();
        CODEC.encodeWithGenerator(m, MessageAccess.get(), MessageAccess.get().json(m), generic);
        assertThat(HEX.formatHex(encode(m))).as(what).isEqualTo(HEX.formatHex(generic.toByteArray()));
    }

    @Test
    void aNulInsideAStringIsEscapedSoTheDelimiterNeverOccursInAFrame() throws IOException {
        byte[] frame = encode(Message.of("t\u0000", "\u0000\u0000 between"));
        int delimiters = 0;
        for (int i = 0; i + 1 < frame.length; i++) {
            if (frame[i] == 0 && frame[i + 1] == 0) {
                delimiters++;
            }
        }
        assertThat(delimiters).as("\\0\\0 in " + HEX.formatHex(frame)).isEqualTo(1);
        assertThat(frame[frame.length - 2]).isZero();
        assertThat(frame[frame.length - 1]).isZero();
        Message back = decode(frame);
        assertThat(back.type()).isEqualTo("t\u0000");
        assertThat(back.data(String.class)).isEqualTo("\u0000\u0000 between");
    }

    @Test
    void readsMembersInAnyOrderWithWhiteSpaceAndIgnoresOthersAsSocketIpcDoes() {
        // the frames the probe wrote to a socket-ipc server, which delivered topic t with "m" and 2
        assertThat(decode(bytes("{\"message\":\"m\",\"topic\":\"t\",\"x\":[1,{}]}")))
                .satisfies(m -> assertThat(m.type()).isEqualTo("t"))
                .satisfies(m -> assertThat(m.data(String.class)).isEqualTo("m"));
        assertThat(decode(bytes(" {\"topic\" : \"t\" , \"message\" : 2 } ")).data(Integer.class)).isEqualTo(2);
    }

    @Test
    void reactiveIpcMembersRideAfterTheMessageBothWays() throws IOException {
        // a request: socket-ipc hands its listeners topic and message only, so a Node peer ignores "rid"
        Message request = MessageAccess.get().withEnvelope(Message.of("add", Map.of("a", 2)),
                Envelope.of(Envelope.REQUEST, 7));
        byte[] frame = encode(request);
        assertThat(new String(frame, StandardCharsets.UTF_8))
                .isEqualTo("{\"topic\":\"add\",\"message\":{\"a\":2},\"rid\":7}\0\0");
        Envelope read = MessageAccess.get().envelope(decode(frame));
        assertThat(read).isNotNull();
        assertThat(read.kind()).isEqualTo(Envelope.REQUEST);
        assertThat(read.id()).isEqualTo(7);
    }

    /** Frames a socket-ipc process dies on or delivers with topic undefined: one clear error each, here. */
    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of("{\"topic\":\"t\",\"message\":", Reason.MALFORMED_JSON,
                        "Unexpected end-of-input"),
                Arguments.of("", Reason.MALFORMED_JSON, "empty socket-ipc frame"),
                Arguments.of("\u0000{\"topic\":\"t\",\"message\":\"b\"}", Reason.MALFORMED_JSON,
                        "starting '\\u0000{\"topic\""),
                Arguments.of("{\"topic\":\"t\",\"message\":\"a\u0000b\"}", Reason.MALFORMED_JSON,
                        "Illegal unquoted character"),
                Arguments.of("null", Reason.INVALID_MESSAGE,
                        "socket-ipc frame is a JSON null, not an object with a string 'topic'"),
                Arguments.of("5", Reason.INVALID_MESSAGE, "is a JSON number"),
                Arguments.of("[1,2]", Reason.INVALID_MESSAGE, "is a JSON array"),
                Arguments.of("{\"message\":1}", Reason.INVALID_MESSAGE, "no 'topic' member in frame of 13 bytes"),
                Arguments.of("{\"topic\":5,\"message\":1}", Reason.INVALID_MESSAGE,
                        "'topic' is a number, not a string"),
                Arguments.of("{\"topic\":\"t\",\"message\":1} x", Reason.MALFORMED_JSON, ""),
                // node-ipc's frame is not socket-ipc's: a peer speaking the other dialect gets a clear error
                Arguments.of("{\"type\":\"t\",\"data\":1}", Reason.INVALID_MESSAGE, "no 'topic' member"));
    }

    @ParameterizedTest
    @MethodSource("bad")
    void badFramesAreProtocolErrorsThatSayWhatWasWrong(String frame, Reason reason, String says) {
        assertThatThrownBy(() -> decode(bytes(frame)))
                .isInstanceOfSatisfying(IpcProtocolException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(says);
    }

    @Test
    void decodesAFrameInsideALargerArrayWithoutReadingAround() {
        byte[] frame = bytes("{\"topic\":\"t\",\"message\":\"x\"}");
        byte[] padded = new byte[frame.length + 8];
        Arrays.fill(padded, (byte) '{');
        System.arraycopy(frame, 0, padded, 4, frame.length);
        Message m = CODEC.decode(padded, 4, frame.length);
        assertThat(m.type()).isEqualTo("t");
        assertThat(m.data(String.class)).isEqualTo("x");
    }

    @Test
    void anOversizedOrUnencodableMessageFailsItsSendAndSaysWhy() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> Frames.encode(CODEC, Message.of("big", "x".repeat(100)), out, out::size, 2, 64))
                .isInstanceOfSatisfying(IpcProtocolException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.FRAME_TOO_LARGE))
                .hasMessageContaining("frame of 128 bytes, over maxFrameSize 64");
        Object cyclic = new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                return this;
            }
        };
        ByteArrayOutputStream out2 = new ByteArrayOutputStream();
        assertThatThrownBy(() -> Frames.encode(CODEC, Message.of("cyc", cyclic), out2, out2::size, 2, 1 << 20))
                .isInstanceOf(IpcDataException.class)
                .hasMessageContaining("cyc");
        List<Integer> fine = List.of(1);
        ByteArrayOutputStream out3 = new ByteArrayOutputStream();
        Frames.encode(CODEC, Message.of("ok", fine), out3, out3::size, 2, 28);
        assertThat(out3.toString(StandardCharsets.UTF_8)).isEqualTo("{\"topic\":\"ok\",\"message\":[1]}\0\0");
    }

    private static byte[] encode(Message m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CODEC.encode(m, out);
        return out.toByteArray();
    }

    /** A whole frame as captured, delimiter included, or a frame body without it. */
    private static Message decode(byte[] frame) {
        int length = frame.length >= 2 && frame[frame.length - 1] == 0 && frame[frame.length - 2] == 0
                ? frame.length - 2 : frame.length;
        return CODEC.decode(frame, 0, length);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
