package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.internal.JsonCodec;
import io.reactiveipc.spi.IpcMetricsRecorder;
import io.reactiveipc.testsupport.gen.Gen;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The socket splitter on generated input ({@link Gen}): however the stream is cut into reads, the same frames come
 * out in the same order, for every codec and delimiter (one byte, two, node-ipc's and socket-ipc's); arbitrary bytes
 * give messages and protocol errors only, and every buffer is released.
 */
class FrameDecoderProperties {

    static final List<IpcCodec> FRAMED = List.of(IpcCodec.nodeIpc(), IpcCodec.nodeIpc(JsonCodec.MAPPER, "\0\0"),
            IpcCodec.nodeIpc(JsonCodec.MAPPER, "\r\n"), IpcCodec.socketIpc());

    static Object data(Gen g) {
        return switch (g.between(0, 3)) {
            case 0 -> g.string(40);
            case 1 -> g.random.nextInt();
            case 2 -> {
                List<String> list = new ArrayList<>();
                for (int i = g.between(0, 5); i > 0; i--) {
                    list.add(g.string(40));
                }
                yield list;
            }
            default -> Map.of(g.oneIn(2) ? "k" : "\ud83d\ude00", List.of(Map.of("n", g.string(10)))); // nested
        };
    }

    static List<Message> messages(Gen g) {
        List<Message> messages = new ArrayList<>();
        for (int i = g.between(0, 12); i > 0; i--) {
            messages.add(Message.of(g.string(12), data(g)));
        }
        return messages;
    }

    static byte[] encode(IpcCodec codec, List<Message> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (Message m : messages) {
                codec.encode(m, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The stream cut at {@code cuts} (taken modulo its length), fed read by read; what came out, buffers checked. */
    static List<Object> feed(IpcCodec codec, int maxFrameSize, byte[] stream, List<Integer> cuts) {
        TreeSet<Integer> at = new TreeSet<>();
        for (int c : cuts) {
            at.add(c % (stream.length + 1));
        }
        at.add(stream.length);
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(codec, maxFrameSize, IpcMetricsRecorder.NONE));
        List<ByteBuf> reads = new ArrayList<>();
        int from = 0;
        for (int to : at) {
            if (to == from) {
                continue; // a socket read is never empty
            }
            ByteBuf read = Unpooled.copiedBuffer(stream, from, to - from);
            reads.add(read);
            ch.writeInbound(read);
            from = to;
        }
        ch.finish();
        List<Object> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add(o);
        }
        ch.finishAndReleaseAll();
        assertThat(reads).as("every read is released").allSatisfy(b -> assertThat(b.refCnt()).isZero());
        return out;
    }

    /** Messages by type and data, errors by reason: the messages of errors may say how many bytes one read held. */
    static List<String> kinds(List<Object> out) {
        return out.stream().map(o -> o instanceof IpcProtocolException e ? e.reason().name() : summary((Message) o))
                .toList();
    }

    static String summary(Message m) {
        return Gen.show(m.type() + "=" + m.data());
    }

    /** A stream of frames and where it is cut; {@code maxFrameSize} is the longest frame's, so the limit is hit exactly. */
    record Split(IpcCodec codec, List<Message> messages, List<Integer> cuts) {
        @Override
        public String toString() {
            return codec + ", messages " + messages.stream().map(FrameDecoderProperties::summary).toList()
                    + ", cuts " + cuts;
        }
    }

    static List<Split> smaller(Split s) {
        List<Split> out = new ArrayList<>();
        Gen.withoutOne(s.cuts()).forEach(c -> out.add(new Split(s.codec(), s.messages(), c)));
        Gen.withoutOne(s.messages()).forEach(m -> out.add(new Split(s.codec(), m, s.cuts())));
        return out;
    }

    /** Per codec: no frames, then frames cut once at every position (each delimiter split everywhere) and everywhere at once. */
    static List<Split> edges() {
        List<Split> edges = new ArrayList<>();
        for (IpcCodec codec : FRAMED) {
            edges.add(new Split(codec, List.of(), List.of()));
            List<Message> three = List.of(Message.of("", "\ud800"), Message.of("\ud83d\ude00", "x\r\n\f\0"),
                    Message.of("t", Map.of("a", List.of(Map.of("b", List.of())))));
            int length = encode(codec, three).length;
            List<Integer> all = new ArrayList<>();
            for (int p = 0; p <= length; p++) {
                edges.add(new Split(codec, three, List.of(p)));
                all.add(p);
            }
            edges.add(new Split(codec, three, all));
            edges.add(new Split(codec, List.of(Message.of("big", "x".repeat(70_000))), List.of(1, 65_536, 65_537)));
        }
        return edges;
    }

    @Test
    void anySplitIntoReadsGivesTheSameFramesInOrder() {
        Gen.forAll(edges(), Gen.cases(150), g -> new Split(g.pick(FRAMED), messages(g), g.cuts(40)),
                FrameDecoderProperties::smaller, s -> {
                    byte[] stream = encode(s.codec(), s.messages());
                    int longest = s.messages().stream()
                            .mapToInt(m -> encode(s.codec(), List.of(m)).length - s.codec().delimiter().length)
                            .max().orElse(1);
                    List<String> sent = s.messages().stream().map(FrameDecoderProperties::summary).toList();
                    assertThat(kinds(feed(s.codec(), longest, stream, List.of()))).isEqualTo(sent);
                    assertThat(kinds(feed(s.codec(), longest, stream, s.cuts()))).isEqualTo(sent);
                });
    }

    record Noise(IpcCodec codec, byte[] bytes, List<Integer> cuts) {
        @Override
        public String toString() {
            return codec + ", bytes " + Gen.show(new String(bytes, StandardCharsets.ISO_8859_1)) + ", cuts " + cuts;
        }
    }

    static List<Noise> fewerReads(Noise n) {
        return Gen.withoutOne(n.cuts()).stream().map(c -> new Noise(n.codec(), n.bytes(), c)).toList();
    }

    /** Raw mode has no frames: whatever the reads, their bytes come out whole and in order, each read cut at the limit. */
    @Test
    void rawBuffersGiveTheBytesBackInOrderWhateverTheReads() {
        IpcCodec raw = IpcCodec.raw("utf8");
        List<Noise> edges = List.of(new Noise(raw, new byte[0], List.of()), new Noise(raw, new byte[] {0}, List.of()),
                new Noise(raw, new byte[64], List.of()), new Noise(raw, new byte[65], List.of()),
                new Noise(raw, new byte[300], List.of(1, 63, 64, 65, 128, 129, 299)));
        Gen.forAll(edges, Gen.cases(150), g -> new Noise(raw, g.bytes(300), g.cuts(40)),
                FrameDecoderProperties::fewerReads, n -> {
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    for (Object o : feed(raw, 64, n.bytes(), n.cuts())) {
                        byte[] chunk = ((Message) o).data(byte[].class);
                        assertThat(chunk.length).isBetween(1, 64);
                        all.writeBytes(chunk);
                    }
                    assertThat(all.toByteArray()).isEqualTo(n.bytes());
                });
    }

    /**
     * Arbitrary bytes under a small limit: out come messages and protocol errors only, nothing is thrown, no buffer
     * is kept, and the outcome does not depend on how the bytes were cut into reads.
     */
    @Test
    void arbitraryBytesGiveMessagesAndProtocolErrorsOnlyWhateverTheReads() {
        List<Noise> edges = new ArrayList<>();
        for (IpcCodec codec : FRAMED) {
            edges.add(new Noise(codec, new byte[0], List.of()));
            edges.add(new Noise(codec, new byte[] {'\f'}, List.of()));
            edges.add(new Noise(codec, "{\"type\":\"t\"}\0\r\f\0\n{}\0\0".getBytes(StandardCharsets.US_ASCII),
                    List.of(1, 2, 3, 12, 13, 14, 15, 16, 17, 18, 19)));
            edges.add(new Noise(codec, ("{\"type\":\"" + "x".repeat(40) + "\"}\f\0\0\r\n").getBytes(
                    StandardCharsets.US_ASCII), List.of(5, 31, 33, 50, 51)));
        }
        Gen.forAll(edges, Gen.cases(300), g -> new Noise(g.pick(FRAMED), g.noise(400), g.cuts(40)),
                FrameDecoderProperties::fewerReads, n -> {
                    List<Object> whole = feed(n.codec(), 32, n.bytes(), List.of());
                    List<Object> split = feed(n.codec(), 32, n.bytes(), n.cuts());
                    assertThat(split).allMatch(o -> o instanceof Message || o instanceof IpcProtocolException);
                    assertThat(kinds(split)).isEqualTo(kinds(whole));
                });
    }
}
