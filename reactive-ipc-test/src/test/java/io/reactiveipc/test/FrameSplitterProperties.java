package io.reactiveipc.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.testsupport.gen.Gen;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The in-JVM transport's splitter on generated input ({@link Gen}), held to what the socket decoder is held to: any
 * cut of the stream into chunks gives the same frames in order, for every delimiter; arbitrary bytes give messages
 * and protocol errors only, the same whatever the chunks.
 */
class FrameSplitterProperties {

    static final JsonMapper MAPPER = JsonMapper.builder().build();
    static final List<IpcCodec> FRAMED = List.of(IpcCodec.nodeIpc(), IpcCodec.nodeIpc(MAPPER, "\0\0"),
            IpcCodec.nodeIpc(MAPPER, "\r\n"), IpcCodec.socketIpc());

    static List<Message> messages(Gen g) {
        List<Message> messages = new ArrayList<>();
        for (int i = g.between(0, 12); i > 0; i--) {
            messages.add(Message.of(g.string(12), g.oneIn(2) ? g.string(40) : (Object) g.random.nextInt()));
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

    static List<Object> feed(IpcCodec codec, int maxFrameSize, byte[] stream, List<Integer> cuts) {
        TreeSet<Integer> at = new TreeSet<>();
        for (int c : cuts) {
            at.add(c % (stream.length + 1));
        }
        at.add(stream.length);
        FrameSplitter splitter = new FrameSplitter(codec, maxFrameSize);
        List<Object> out = new ArrayList<>();
        int from = 0;
        for (int to : at) {
            if (to > from) {
                out.addAll(splitter.feed(Arrays.copyOfRange(stream, from, to)));
            }
            from = to;
        }
        out.addAll(splitter.finish());
        return out;
    }

    static List<String> kinds(List<Object> out) {
        return out.stream().map(o -> o instanceof IpcProtocolException e ? e.reason().name()
                : Gen.show(((Message) o).type() + "=" + ((Message) o).data())).toList();
    }

    /** A stream of frames and where it is cut; {@code maxFrameSize} is the longest frame's, so the limit is hit exactly. */
    record Split(IpcCodec codec, List<Message> messages, List<Integer> cuts) {
        @Override
        public String toString() {
            return codec + ", messages " + messages.stream().map(m -> Gen.show(m.type() + "=" + m.data())).toList()
                    + ", cuts " + cuts;
        }
    }

    static List<Split> smaller(Split s) {
        List<Split> out = new ArrayList<>();
        Gen.withoutOne(s.cuts()).forEach(c -> out.add(new Split(s.codec(), s.messages(), c)));
        Gen.withoutOne(s.messages()).forEach(m -> out.add(new Split(s.codec(), m, s.cuts())));
        return out;
    }

    /** Per codec: no frames, then two frames cut once at every position (each delimiter split everywhere) and everywhere at once. */
    static List<Split> edges() {
        List<Split> edges = new ArrayList<>();
        for (IpcCodec codec : FRAMED) {
            edges.add(new Split(codec, List.of(), List.of()));
            List<Message> two = List.of(Message.of("", "\ud800"), Message.of("\ud83d\ude00", "x\r\n\f\0"),
                    Message.of("t", 7));
            int length = encode(codec, two).length;
            List<Integer> all = new ArrayList<>();
            for (int p = 0; p <= length; p++) {
                edges.add(new Split(codec, two, List.of(p)));
                all.add(p);
            }
            edges.add(new Split(codec, two, all));
            edges.add(new Split(codec, List.of(Message.of("big", "x".repeat(5000))), List.of(1, 4096, 4097)));
        }
        return edges;
    }

    @Test
    void anySplitIntoChunksGivesTheSameFramesInOrder() {
        Gen.forAll(edges(), Gen.cases(200), g -> new Split(g.pick(FRAMED), messages(g), g.cuts(40)),
                FrameSplitterProperties::smaller, s -> {
                    byte[] stream = encode(s.codec(), s.messages());
                    int longest = s.messages().stream()
                            .mapToInt(m -> encode(s.codec(), List.of(m)).length - s.codec().delimiter().length)
                            .max().orElse(1);
                    List<String> sent = s.messages().stream().map(m -> Gen.show(m.type() + "=" + m.data())).toList();
                    assertThat(kinds(feed(s.codec(), longest, stream, s.cuts()))).isEqualTo(sent);
                });
    }

    record Noise(IpcCodec codec, byte[] bytes, List<Integer> cuts) {
        @Override
        public String toString() {
            return codec + ", bytes " + Gen.show(new String(bytes, StandardCharsets.ISO_8859_1)) + ", cuts " + cuts;
        }
    }

    @Test
    void arbitraryBytesGiveMessagesAndProtocolErrorsOnlyWhateverTheChunks() {
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
                n -> Gen.withoutOne(n.cuts()).stream().map(c -> new Noise(n.codec(), n.bytes(), c)).toList(), n -> {
                    List<Object> split = feed(n.codec(), 32, n.bytes(), n.cuts());
                    assertThat(split).allMatch(o -> o instanceof Message || o instanceof IpcProtocolException);
                    assertThat(kinds(split)).isEqualTo(kinds(feed(n.codec(), 32, n.bytes(), List.of())));
                });
    }
}
