package io.reactiveipc.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.spi.IpcMetricsRecorder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;

/** Framing, deterministically: every chunk boundary, many frames per chunk, limits, and a peer dying mid-frame. */
class FrameDecoderTest {

    static final String A = "{\"type\":\"a\",\"data\":{\"s\":\"é✓\\f\"}}\f";
    static final String B = "{\"type\":\"b\",\"data\":[1,2,3]}\f";

    static List<Object> feed(int maxFrameSize, boolean close, byte[]... chunks) {
        return feed(IpcCodec.nodeIpc(), maxFrameSize, close, chunks);
    }

    static List<Object> feed(IpcCodec codec, int maxFrameSize, boolean close, byte[]... chunks) {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(codec, maxFrameSize, IpcMetricsRecorder.NONE));
        for (byte[] c : chunks) {
            ch.writeInbound(Unpooled.wrappedBuffer(c));
        }
        if (close) {
            ch.finish();
        }
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFrameSplitAtAnyByteIsDecodedOnceItsDelimiterArrives() {
        byte[] all = utf8(A + B);
        for (int cut = 1; cut < all.length; cut++) {
            byte[] head = java.util.Arrays.copyOfRange(all, 0, cut);
            byte[] tail = java.util.Arrays.copyOfRange(all, cut, all.length);
            List<Object> out = feed(1024, false, head, tail);
            assertThat(out).as("cut at %d", cut).extracting(m -> ((Message) m).type()).containsExactly("a", "b");
        }
    }

    @Test
    void aDelimiterOfSeveralBytesSplitAtAnyByteStillEndsItsFrameAndAPartOfItDoesNot() {
        IpcCodec crlf = IpcCodec.nodeIpc(tools.jackson.databind.json.JsonMapper.builder().build(), "\r\n");
        // a lone CR inside a string cannot occur in JSON (it is escaped), but one between frames' bytes can
        String a = "{\"type\":\"a\",\"data\":\"\\r\\n\"}\r\n";
        String b = "{\"type\":\"b\",\"data\":1}\r\n";
        byte[] all = utf8(a + b);
        for (int cut = 1; cut < all.length; cut++) {
            for (int cut2 = cut; cut2 < all.length; cut2++) {
                List<Object> out = feed(crlf, 1024, true, java.util.Arrays.copyOfRange(all, 0, cut),
                        java.util.Arrays.copyOfRange(all, cut, cut2), java.util.Arrays.copyOfRange(all, cut2, all.length));
                assertThat(out).as("cuts at %d, %d", cut, cut2).extracting(m -> ((Message) m).type())
                        .containsExactly("a", "b");
            }
        }
        assertThat(feed(crlf, 1024, true, utf8("{\"type\":\"a\",\"data\":1}\r{\"type\"")))
                .singleElement().matches(e -> ((IpcProtocolException) e).reason() == Reason.TRUNCATED_FRAME);
    }

    @Test
    void rawBuffersGetEachReadAsItCameCutAtTheFrameLimit() {
        List<Object> out = feed(IpcCodec.raw("utf8"), 4, false, new byte[] {1, 2, 3}, new byte[] {4, 5, 6, 7, 8, 9});
        assertThat(out).extracting(m -> ((Message) m).data(byte[].class))
                .containsExactly(new byte[] {1, 2, 3}, new byte[] {4, 5, 6, 7}, new byte[] {8, 9});
    }

    @Test
    void aCompleteFrameIsDeliveredEvenWhenTheChunkEndsInsideTheNextOne() {
        // node-ipc 10 holds the first frame back until a chunk happens to end on a delimiter
        List<Object> out = feed(1024, false, utf8(A + B.substring(0, 5)));
        assertThat(out).extracting(m -> ((Message) m).type()).containsExactly("a");
    }

    @Test
    void manyFramesInOneChunkAndOneByteAtATime() {
        String many = (A + B).repeat(50);
        assertThat(feed(1024, false, utf8(many))).hasSize(100);
        byte[] all = utf8(many);
        byte[][] bytes = new byte[all.length][];
        for (int i = 0; i < all.length; i++) {
            bytes[i] = new byte[] {all[i]};
        }
        assertThat(feed(1024, false, bytes)).hasSize(100).allMatch(o -> o instanceof Message);
    }

    @Test
    void badFramesBecomeErrorsInPlaceAndTheNextFrameIsIntact() {
        List<Object> out = feed(1024, false, utf8("nope\f{\"data\":1}\f\f" + A));
        assertThat(out).hasSize(4);
        assertThat(((IpcProtocolException) out.get(0)).reason()).isEqualTo(Reason.MALFORMED_JSON);
        assertThat(((IpcProtocolException) out.get(1)).reason()).isEqualTo(Reason.INVALID_MESSAGE);
        assertThat(((IpcProtocolException) out.get(2)).reason()).isEqualTo(Reason.MALFORMED_JSON); // empty frame
        assertThat(((Message) out.get(3)).type()).isEqualTo("a");
    }

    @Test
    void aFrameOverTheLimitIsReportedOnceAndSkipped() {
        String big = "{\"type\":\"big\",\"data\":\"" + "x".repeat(200) + "\"}\f";
        List<Object> out = feed(100, false, utf8(big + B));
        assertThat(out).hasSize(2);
        assertThat(((IpcProtocolException) out.get(0)).reason()).isEqualTo(Reason.FRAME_TOO_LARGE);
        assertThat(((Message) out.get(1)).type()).isEqualTo("b");
    }

    @Test
    void aFrameOverTheLimitThatArrivesInPiecesIsNotBufferedWhole() {
        byte[] piece = utf8("x".repeat(80));
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(IpcCodec.nodeIpc(), 100, IpcMetricsRecorder.NONE));
        ch.writeInbound(Unpooled.wrappedBuffer(utf8("{\"type\":\"big\",\"data\":\"")));
        for (int i = 0; i < 100; i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(piece));
            assertThat(ch.pipeline().get(FrameDecoder.class).buffered()).isLessThanOrEqualTo(100);
        }
        ch.writeInbound(Unpooled.wrappedBuffer(utf8("\"}\f" + B)));
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        assertThat(out).hasSize(2);
        assertThat(((IpcProtocolException) out.get(0)).reason()).isEqualTo(Reason.FRAME_TOO_LARGE);
        assertThat(((Message) out.get(1)).type()).isEqualTo("b");
        ch.finishAndReleaseAll();
    }

    @Test
    void aPeerClosingMidFrameIsATruncatedFrameError() {
        List<Object> out = feed(1024, true, utf8(B + "{\"type\":\"half"));
        assertThat(out).hasSize(2);
        assertThat(((Message) out.get(0)).type()).isEqualTo("b");
        assertThat(((IpcProtocolException) out.get(1)).reason()).isEqualTo(Reason.TRUNCATED_FRAME);
        assertThat(((IpcProtocolException) out.get(1))).hasMessageContaining("13 bytes");
    }

    @Test
    void aCleanCloseIsNotAnError() {
        assertThat(feed(1024, true, utf8(B))).hasSize(1).allMatch(o -> o instanceof Message);
    }
}
