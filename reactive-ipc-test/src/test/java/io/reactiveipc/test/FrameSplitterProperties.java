package io.reactiveipc.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import tools.jackson.databind.json.JsonMapper;

/**
 * The in-JVM transport's splitter on generated input (jqwik), held to what the socket decoder is held to: any cut
 * of the stream into chunks gives the same frames in order, for every delimiter; arbitrary bytes give messages and
 * protocol errors only, the same whatever the chunks.
 */
class FrameSplitterProperties {

    static final JsonMapper MAPPER = JsonMapper.builder().build();
    static final List<IpcCodec> FRAMED = List.of(IpcCodec.nodeIpc(), IpcCodec.nodeIpc(MAPPER, "\0\0"),
            IpcCodec.nodeIpc(MAPPER, "\r\n"), IpcCodec.socketIpc());

    @Provide
    Arbitrary<IpcCodec> framed() {
        return Arbitraries.of(FRAMED);
    }

    @Provide
    Arbitrary<List<Message>> messages() {
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(40);
        Arbitrary<Object> data = Arbitraries.oneOf(text.map(s -> (Object) s), Arbitraries.integers().map(i -> (Object) i));
        return Arbitraries.strings().all().ofMaxLength(12).flatMap(type -> data.map(d -> Message.of(type, d)))
                .list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, 100_000).list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<byte[]> noise() {
        Arbitrary<Byte> interesting = Arbitraries.of("{}[]\":,\\ \f\0\r\ntypedatatopicmessage0123"
                .chars().mapToObj(c -> (byte) c).toList());
        return Arbitraries.frequencyOf(Tuple.of(3, interesting), Tuple.of(1, Arbitraries.bytes())).list()
                .ofMaxSize(400).map(l -> {
                    byte[] b = new byte[l.size()];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = l.get(i);
                    }
                    return b;
                });
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
                : ((Message) o).type() + "=" + ((Message) o).data()).toList();
    }

    @Property(tries = 200)
    void anySplitIntoChunksGivesTheSameFramesInOrder(@ForAll("framed") IpcCodec codec,
            @ForAll("messages") List<Message> messages, @ForAll("cuts") List<Integer> cuts) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (Message m : messages) {
            codec.encode(m, bytes);
        }
        List<String> sent = messages.stream().map(m -> m.type() + "=" + m.data()).toList();
        assertThat(kinds(feed(codec, 1 << 20, bytes.toByteArray(), cuts))).isEqualTo(sent);
    }

    @Property(tries = 500)
    void arbitraryBytesGiveMessagesAndProtocolErrorsOnlyWhateverTheChunks(@ForAll("framed") IpcCodec codec,
            @ForAll("noise") byte[] stream, @ForAll("cuts") List<Integer> cuts) {
        List<Object> split = feed(codec, 32, stream, cuts);
        assertThat(split).allMatch(o -> o instanceof Message || o instanceof IpcProtocolException);
        assertThat(kinds(split)).isEqualTo(kinds(feed(codec, 32, stream, List.of())));
    }
}
