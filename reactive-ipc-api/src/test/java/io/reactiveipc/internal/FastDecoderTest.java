package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The parser-free decoder against Jackson, the judge: same answer wherever it answers, and it answers often. */
class FastDecoderTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"m\",\"data\":\"0123456789 plain ASCII text as the benchmark sends it\"}",
        "{\"type\":\"m\",\"data\":\"esc \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9\\u20AC\"}",
        "{\"type\":\"u\",\"data\":\"é✓ 😀 ünïcödé\"}",
        "{\"type\":\"n\",\"data\":-12.5e+3}",
        "{\"type\":\"n\",\"data\":0}",
        "{\"type\":\"n\",\"data\":-2147483649}",
        "{\"type\":\"n\",\"data\":123456789012345678}",
        "{\"type\":\"n\",\"data\":1234567890123456789012}",
        "{\"type\":\"b\",\"data\":true}",
        "{\"type\":\"b\",\"data\":false}",
        "{\"type\":\"z\",\"data\":null}",
        "{\"type\":\"o\",\"data\":{}}",
        "{\"type\":\"a\",\"data\":[]}",
        "{\"type\":\"deep\",\"data\":{\"a\":[1,{\"b\":[[],{}]},\"x\"],\"c\":{\"d\":null,\"e\":[true,false]}}}",
        "{\"type\":\"with space and :,{}[] in it\",\"data\":1}",
    })
    void decodesWhatJsonStringifyWritesExactlyAsJacksonDoes(String frame) {
        byte[] b = frame.getBytes(StandardCharsets.UTF_8);
        Message fast = FastDecoder.decode(JsonCodec.MAPPER, b, 0, b.length);
        assertThat(fast).as("taken by the fast path").isNotNull();
        assertSame(fast, JsonCodec.DEFAULT.decodeWithParser(b, 0, b.length), frame);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{ \"type\":\"m\",\"data\":1}", // white space: valid, left to Jackson
        "{\"data\":1,\"type\":\"m\"}", // other order
        "{\"type\":\"m\"}", // no data
        "{\"type\":\"m\",\"data\":1,\"x\":2}", // another member
        "{\"type\":\"m\",\"data\":1,\"type\":\"n\"}", // duplicate: the last one wins in Jackson
        "{\"type\":\"t\\u0041\",\"data\":1}", // escaped type
        "{\"type\":\"é\",\"data\":1}", // non-ASCII type
        "{\"type\":\"m\",\"data\":\"\\ud83d\\ude00\"}", // an escaped surrogate pair: valid, Jackson's
        "{\"type\":\"m\",\"data\":{\"\\ude00\":1}}", // a lone surrogate as a name: Jackson refuses it
        "{\"type\":\"m\",\"data\":01}", // leading zero: invalid
        "{\"type\":\"m\",\"data\":1.}",
        "{\"type\":\"m\",\"data\":.5}",
        "{\"type\":\"m\",\"data\":1e}",
        "{\"type\":\"m\",\"data\":-}",
        "{\"type\":\"m\",\"data\":NaN}",
        "{\"type\":\"m\",\"data\":tru}",
        "{\"type\":\"m\",\"data\":[1,]}",
        "{\"type\":\"m\",\"data\":{\"a\"}}",
        "{\"type\":\"m\",\"data\":{\"a\":}}",
        "{\"type\":\"m\",\"data\":{1:2}}",
        "{\"type\":\"m\",\"data\":[1}}",
        "{\"type\":\"m\",\"data\":{\"a\":1]}",
        "{\"type\":\"m\",\"data\":\"bad escape \\x\"}",
        "{\"type\":\"m\",\"data\":\"short \\u12\"}",
        "{\"type\":\"m\",\"data\":\"raw\ttab\"}",
        "{\"type\":\"m\",\"data\":\"unterminated}",
        "{\"type\":\"m\",\"data\":[[[[1]]]]",
        "{\"type\":\"m\",\"data\":1}}",
        "{\"type\":\"m\",\"data\":1} ",
        "{\"type\":\"m\",\"data\":",
        "{\"type\":\"m\"",
        "",
    })
    void leavesEverythingElseToJackson(String frame) {
        byte[] b = frame.getBytes(StandardCharsets.UTF_8);
        assertThat(FastDecoder.decode(JsonCodec.MAPPER, b, 0, b.length)).isNull();
    }

    @Test
    void leavesInvalidUtf8AndTooDeepNestingToJackson() {
        for (String hex : new String[] {"c0af", "e08080", "eda080", "f4908080", "ff", "c3", "e29c"}) {
            byte[] b = frame(HexFormat.of().parseHex("22" + hex + "22"));
            assertThat(FastDecoder.decode(JsonCodec.MAPPER, b, 0, b.length)).as(hex).isNull();
        }
        byte[] deepest = frame(("[".repeat(63) + "]".repeat(63)).getBytes(StandardCharsets.US_ASCII));
        assertThat(FastDecoder.decode(JsonCodec.MAPPER, deepest, 0, deepest.length)).isNotNull();
        byte[] deep = frame(("[".repeat(64) + "]".repeat(64)).getBytes(StandardCharsets.US_ASCII));
        assertThat(FastDecoder.decode(JsonCodec.MAPPER, deep, 0, deep.length)).isNull();
    }

    /** The 8-bytes-a-step scan of a plain string against the obvious loop, every bad byte at every position. */
    @Test
    void findsTheEndOfAPlainStringExactlyAsAByteLoopWould() {
        byte[] special = {'"', '\\', 0x00, 0x1f, 0x20, 0x7e, 0x7f, (byte) 0x80, (byte) 0xc3, (byte) 0xff, 'a'};
        for (int length = 0; length < 40; length++) {
            for (int at = 0; at < length; at++) {
                for (byte s : special) {
                    for (int closeAt = at; closeAt <= length; closeAt++) {
                        byte[] b = new byte[length + 2];
                        Arrays.fill(b, (byte) 'x');
                        b[at + 1] = s;
                        b[closeAt + 1] = '"';
                        assertThat(FastDecoder.plainStringEnd(b, 1, b.length))
                                .as("byte %02x at %d, quote at %d, length %d", s, at, closeAt, length)
                                .isEqualTo(byteLoop(b, 1, b.length));
                    }
                }
            }
        }
    }

    private static int byteLoop(byte[] b, int p, int end) {
        for (; p < end; p++) {
            int c = b[p] & 0xff;
            if (c == '"') {
                return p + 1;
            }
            if (c < 0x20 || c >= 0x80 || c == '\\') {
                return -1;
            }
        }
        return -1;
    }

    @Test
    void decodesFromTheMiddleOfAnArrayAsTheTransportsHandIt() {
        byte[] b = "xx{\"type\":\"m\",\"data\":[1,2]}yy".getBytes(StandardCharsets.US_ASCII);
        Message m = FastDecoder.decode(JsonCodec.MAPPER, b, 2, b.length - 4);
        assertThat(m).isNotNull();
        assertThat(m.data()).isEqualTo(F.arrayNode().add(1).add(2));
    }

    /**
     * Generated values as our encoder writes them (JSON.stringify's bytes) must all take the fast path; the same
     * frames with a byte changed, inserted or removed must get Jackson's verdict: refused by both, or the same
     * message from both. The seed is fixed, so a failure is reproducible; the cases cover every branch.
     */
    @Test
    void agreesWithJacksonOnGeneratedAndMutatedFrames() throws IOException {
        Random random = new Random(20261122);
        int fastOnMutated = 0;
        for (int i = 0; i < 20_000; i++) {
            JsonNode data = value(random, 0);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Message message = Message.of("t" + i, data);
            if (random.nextBoolean()) {
                message = MessageAccess.get().withEnvelope(message, envelope(random));
            }
            JsonCodec.DEFAULT.encode(message, out);
            byte[] frame = Arrays.copyOf(out.toByteArray(), out.size() - 1); // without the delimiter
            Message fast = FastDecoder.decode(JsonCodec.MAPPER, frame, 0, frame.length);
            if (fast == null) {
                fail("not taken by the fast path: " + new String(frame, StandardCharsets.UTF_8));
            }
            assertSame(fast, JsonCodec.DEFAULT.decodeWithParser(frame, 0, frame.length), frame);
            byte[] mutated = mutate(random, frame);
            Message m = FastDecoder.decode(JsonCodec.MAPPER, mutated, 0, mutated.length);
            Message judged;
            try {
                judged = JsonCodec.DEFAULT.decodeWithParser(mutated, 0, mutated.length);
            } catch (IpcProtocolException e) {
                judged = null;
            }
            if (m != null) {
                fastOnMutated++;
                if (judged == null) {
                    fail("fast path accepted what Jackson refuses: " + HexFormat.of().formatHex(mutated));
                }
                assertSame(m, judged, mutated);
            }
        }
        assertThat(fastOnMutated).as("mutations that stay valid are decoded too").isGreaterThan(1000);
    }

    /** The same, for socket-ipc's frames ({@code topic}, {@code message}): the one fast path serves both dialects. */
    @Test
    void agreesWithJacksonOnGeneratedAndMutatedSocketIpcFrames() throws IOException {
        Random random = new Random(20261130);
        SocketIpcCodec codec = SocketIpcCodec.DEFAULT;
        int fastOnMutated = 0;
        for (int i = 0; i < 5_000; i++) {
            Message message = Message.of("t" + i, value(random, 0));
            if (random.nextBoolean()) {
                message = MessageAccess.get().withEnvelope(message, envelope(random));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            codec.encode(message, out);
            byte[] frame = Arrays.copyOf(out.toByteArray(), out.size() - 2); // without the two NULs
            Message fast = FastDecoder.decode(JsonCodec.MAPPER, frame, 0, frame.length, SocketIpcCodec.FAST_TOPIC,
                    SocketIpcCodec.FAST_MESSAGE);
            if (fast == null) {
                fail("not taken by the fast path: " + new String(frame, StandardCharsets.UTF_8));
            }
            assertSame(fast, codec.decodeWithParser(frame, 0, frame.length), frame);
            assertThat(FastDecoder.decode(JsonCodec.MAPPER, frame, 0, frame.length)).as("not node-ipc's").isNull();
            byte[] mutated = mutate(random, frame);
            Message m = FastDecoder.decode(JsonCodec.MAPPER, mutated, 0, mutated.length, SocketIpcCodec.FAST_TOPIC,
                    SocketIpcCodec.FAST_MESSAGE);
            Message judged;
            try {
                judged = codec.decodeWithParser(mutated, 0, mutated.length);
            } catch (IpcProtocolException e) {
                judged = null;
            }
            if (m != null) {
                fastOnMutated++;
                if (judged == null) {
                    fail("fast path accepted what Jackson refuses: " + HexFormat.of().formatHex(mutated));
                }
                assertSame(m, judged, mutated);
            }
        }
        assertThat(fastOnMutated).as("mutations that stay valid are decoded too").isGreaterThan(250);
    }

    /** Every kind of envelope this library writes, with ids up to 2^53 - 1 and relay addresses. */
    private static Envelope envelope(Random random) {
        int kind = random.nextInt(Envelope.ERROR + 1);
        long id = kind == Envelope.NONE ? 0 : random.nextBoolean() ? 1 + random.nextInt(1000)
                : 1 + (random.nextLong() & Envelope.MAX_ID - 1);
        long n = kind == Envelope.STREAM || kind == Envelope.MORE ? 1 + random.nextInt(1 << 20) : 0;
        String[] names = {null, "alice", "*"};
        String to = names[random.nextInt(names.length)];
        String from = kind == Envelope.NONE && to == null ? "carol" : names[random.nextInt(names.length)];
        return new Envelope(kind, id, n, to, from);
    }

    private static void assertSame(Message fast, Message parsed, Object frame) {
        MessageAccess a = MessageAccess.get();
        String what = frame instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(frame);
        assertThat(fast.type()).as(what).isEqualTo(parsed.type());
        assertThat(String.valueOf(a.envelope(fast))).as(what).isEqualTo(String.valueOf(a.envelope(parsed)));
        assertThat(a.jsonOffset(fast)).as(what).isEqualTo(a.jsonOffset(parsed));
        assertThat(a.jsonLength(fast)).as(what).isEqualTo(a.jsonLength(parsed));
        assertThat(fast.data()).as(what).isEqualTo(parsed.data());
        // the tree of a decoded scalar or plain string is built without a parser: it must be readTree's
        JsonNode reference = a.jsonLength(parsed) == 0 ? parsed.data()
                : JsonCodec.MAPPER.readTree(a.json(parsed), a.jsonOffset(parsed), a.jsonLength(parsed));
        assertThat(fast.data()).as(what).isEqualTo(reference);
        assertThat(fast.data().getNodeType()).as(what).isEqualTo(reference.getNodeType());
        assertThat(fast.data().numberType()).as(what).isEqualTo(reference.numberType());
        assertThat(fast.data(Object.class)).as(what).isEqualTo(parsed.data(Object.class));
        if (parsed.data().isString()) {
            assertThat(fast.data(String.class)).as(what).isEqualTo(parsed.data(String.class));
            assertThat(fast.data(CharSequence.class)).as(what).isEqualTo(parsed.data(String.class));
        }
    }

    private static byte[] frame(byte[] data) {
        byte[] prefix = "{\"type\":\"m\",\"data\":".getBytes(StandardCharsets.US_ASCII);
        byte[] b = Arrays.copyOf(prefix, prefix.length + data.length + 1);
        System.arraycopy(data, 0, b, prefix.length, data.length);
        b[b.length - 1] = '}';
        return b;
    }

    private static final String ALPHABET = "aZ09 \"\\/\b\f\n\r\t\u0000\u001f\u007fé✓😀{}[]:,.-+eE";

    private static JsonNode value(Random r, int depth) {
        int kind = r.nextInt(depth > 4 ? 6 : 8);
        return switch (kind) {
            case 0 -> F.textNode(text(r));
            case 1 -> F.numberNode(r.nextInt());
            case 2 -> r.nextBoolean() ? F.numberNode(r.nextLong()) : F.numberNode(new BigInteger(80, r).negate());
            case 3 -> r.nextBoolean() ? F.numberNode(r.nextDouble() * 1e10 - 5e9)
                    : F.numberNode(new BigDecimal(BigInteger.valueOf(r.nextLong()), r.nextInt(40) - 20));
            case 4 -> F.booleanNode(r.nextBoolean());
            case 5 -> F.nullNode();
            case 6 -> {
                ArrayNode a = F.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    a.add(value(r, depth + 1));
                }
                yield a;
            }
            default -> {
                ObjectNode o = F.objectNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    o.set(text(r), value(r, depth + 1));
                }
                yield o;
            }
        };
    }

    private static String text(Random r) {
        StringBuilder b = new StringBuilder();
        int[] codePoints = ALPHABET.codePoints().toArray();
        boolean plain = r.nextBoolean(); // long runs of plain ASCII, where the scan goes 8 bytes a step
        for (int i = r.nextInt(plain ? 40 : 12); i > 0; i--) {
            b.appendCodePoint(plain && r.nextInt(20) > 0 ? 'a' + r.nextInt(26) : codePoints[r.nextInt(codePoints.length)]);
        }
        return b.toString();
    }

    private static final byte[] NOISE = "\"\\{}[]:,0123456789.-+eEtruefalsn \u0001".getBytes(StandardCharsets.US_ASCII);

    private static byte[] mutate(Random r, byte[] frame) {
        int at = r.nextInt(frame.length);
        byte noise = r.nextInt(8) == 0 ? (byte) r.nextInt(256) : NOISE[r.nextInt(NOISE.length)];
        return switch (r.nextInt(3)) {
            case 0 -> {
                byte[] b = frame.clone();
                b[at] = noise;
                yield b;
            }
            case 1 -> {
                byte[] b = new byte[frame.length + 1];
                System.arraycopy(frame, 0, b, 0, at);
                b[at] = noise;
                System.arraycopy(frame, at, b, at + 1, frame.length - at);
                yield b;
            }
            default -> {
                byte[] b = new byte[frame.length - 1];
                System.arraycopy(frame, 0, b, 0, at);
                System.arraycopy(frame, at + 1, b, at, frame.length - at - 1);
                yield b;
            }
        };
    }
}
