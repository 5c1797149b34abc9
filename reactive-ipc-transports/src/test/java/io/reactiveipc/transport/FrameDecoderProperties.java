package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.internal.JsonCodec;
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
import net.jqwik.api.constraints.Size;

/**
 * The socket splitter on generated input (jqwik): however the stream is cut into reads, the same frames come out
 * in the same order, for every codec and delimiter (one byte, two, node-ipc's and socket-ipc's); arbitrary bytes
 * give messages and protocol errors only, and every buffer is released.
 */
class FrameDecoderProperties {

    static final List<IpcCodec> FRAMED = List.of(IpcCodec.nodeIpc(), IpcCodec.nodeIpc(JsonCodec.MAPPER, "\0\0"),
            IpcCodec.nodeIpc(JsonCodec.MAPPER, "\r\n"), IpcCodec.socketIpc());

    @Provide
    Arbitrary<IpcCodec> framed() {
        return Arbitraries.of(FRAMED);
    }

    @Provide
    Arbitrary<List<Message>> messages() {
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(40);
        Arbitrary<Object> data = Arbitraries.oneOf(text.map(s -> (Object) s), Arbitraries.integers().map(i -> (Object) i),
                text.list().ofMaxSize(5).map(l -> (Object) l));
        return Arbitraries.strings().all().ofMaxLength(12).flatMap(type -> data.map(d -> Message.of(type, d)))
                .list().ofMaxSize(12);
    }

    /** Where the stream is cut: any positions, many of them, duplicates and the ends included. */
    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(0, 100_000).list().ofMaxSize(40);
    }

    static byte[] encode(IpcCodec codec, List<Message> messages) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Message m : messages) {
            codec.encode(m, out);
        }
        return out.toByteArray();
    }

    /** The stream cut at {@code cuts} (taken modulo its length), fed read by read; what came out, buffers checked. */
    static List<Object> feed(IpcCodec codec, int maxFrameSize, byte[] stream, List<Integer> cuts) {
        TreeSet<Integer> at = new TreeSet<>();
        for (int c : cuts) {
            at.add(stream.length == 0 ? 0 : c % (stream.length + 1));
        }
        at.add(stream.length);
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(codec, maxFrameSize, io.reactiveipc.spi.IpcMetricsRecorder.NONE));
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

    static String summary(Object o) {
        if (o instanceof Message m) {
            return m.type() + "=" + m.data();
        }
        return o.toString();
    }

    @Property(tries = 200)
    void anySplitIntoReadsGivesTheSameFramesInOrder(@ForAll("framed") IpcCodec codec,
            @ForAll("messages") List<Message> messages, @ForAll("cuts") List<Integer> cuts) throws IOException {
        byte[] stream = encode(codec, messages);
        List<Object> whole = feed(codec, 1 << 20, stream, List.of());
        List<Object> split = feed(codec, 1 << 20, stream, cuts);
        List<String> sent = messages.stream().map(FrameDecoderProperties::summary).toList();
        assertThat(whole.stream().map(FrameDecoderProperties::summary).toList()).isEqualTo(sent);
        assertThat(split.stream().map(FrameDecoderProperties::summary).toList()).isEqualTo(sent);
    }

    /** Raw mode has no frames: whatever the reads, their bytes come out whole and in order, each read cut at the limit. */
    @Property(tries = 200)
    void rawBuffersGiveTheBytesBackInOrderWhateverTheReads(@ForAll @Size(max = 300) byte[] stream,
            @ForAll("cuts") List<Integer> cuts) {
        List<Object> out = feed(IpcCodec.raw("utf8"), 64, stream, cuts);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Object o : out) {
            byte[] chunk = ((Message) o).data(byte[].class);
            assertThat(chunk.length).isBetween(1, 64);
            all.writeBytes(chunk);
        }
        assertThat(all.toByteArray()).isEqualTo(stream);
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

    /**
     * Arbitrary bytes under a small limit: out come messages and protocol errors only, nothing is thrown, no buffer
     * is kept, and the outcome does not depend on how the bytes were cut into reads.
     */
    @Property(tries = 500)
    void arbitraryBytesGiveMessagesAndProtocolErrorsOnlyWhateverTheReads(@ForAll("framed") IpcCodec codec,
            @ForAll("noise") byte[] stream, @ForAll("cuts") List<Integer> cuts) {
        List<Object> whole = feed(codec, 32, stream, List.of());
        List<Object> split = feed(codec, 32, stream, cuts);
        assertThat(split).allMatch(o -> o instanceof Message || o instanceof IpcProtocolException);
        assertThat(kinds(split)).isEqualTo(kinds(whole));
    }

    /** Messages by type and data, errors by reason: the messages of errors may say how many bytes one read held. */
    static List<String> kinds(List<Object> out) {
        return out.stream().map(o -> o instanceof IpcProtocolException e ? e.reason().name() : summary(o)).toList();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
