package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.internal.JsonCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * A coverage-guided fuzz target (Jazzer, libFuzzer's engine) for the socket decoder and every framed codec: the
 * fuzzer picks the codec, the frame limit and where the reads are cut, then the bytes. Whatever it finds that makes
 * the decoder throw, emit anything but messages and protocol errors, or keep a buffer is a finding.
 *
 * <p>In the default suite, {@link #decoder} fuzzes for 3 s (the surefire execution {@code fuzz} sets
 * {@code JAZZER_FUZZ}); without {@code JAZZER_FUZZ} both methods replay the seeds in
 * {@code src/test/resources/io/reactiveipc/transport/FrameDecoderFuzzTestInputs/}. For a long run:
 * {@code JAZZER_FUZZ=1 ./mvnw -B -ntp verify -pl reactive-ipc-transports -am
 * -Dtest='FrameDecoderFuzzTest#decoderForTenMinutes' -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class FrameDecoderFuzzTest {

    static final IpcCodec[] CODECS = {IpcCodec.nodeIpc(), IpcCodec.nodeIpc(JsonCodec.MAPPER, "\0\0"),
            IpcCodec.nodeIpc(JsonCodec.MAPPER, "\r\n"), IpcCodec.socketIpc(), IpcCodec.raw("utf8")};

    @FuzzTest(maxDuration = "3s")
    void decoder(FuzzedDataProvider data) {
        decode(data);
    }

    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    @FuzzTest(maxDuration = "10m")
    void decoderForTenMinutes(FuzzedDataProvider data) {
        decode(data);
    }

    static void decode(FuzzedDataProvider data) {
        IpcCodec codec = CODECS[data.consumeInt(0, CODECS.length - 1)];
        int maxFrameSize = data.consumeInt(1, 512);
        int reads = data.consumeInt(1, 8);
        int[] sizes = new int[reads - 1];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = data.consumeInt(1, 256);
        }
        byte[] stream = data.consumeRemainingAsBytes();
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(codec, maxFrameSize, io.reactiveipc.spi.IpcMetricsRecorder.NONE));
        List<ByteBuf> given = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= sizes.length && from < stream.length; i++) {
            int to = i < sizes.length ? Math.min(stream.length, from + sizes[i]) : stream.length;
            ByteBuf read = Unpooled.copiedBuffer(stream, from, to - from);
            given.add(read);
            ch.writeInbound(read);
            from = to;
        }
        ch.finish();
        for (Object o; (o = ch.readInbound()) != null; ) {
            assertThat(o).isInstanceOfAny(Message.class, IpcProtocolException.class);
            if (o instanceof Message m && codec.delimiter().length == 0) {
                assertThat(m.data(byte[].class).length).isBetween(1, maxFrameSize);
            }
        }
        ch.finishAndReleaseAll();
        for (ByteBuf b : given) {
            assertThat(b.refCnt()).as("a read left unreleased").isZero();
        }
    }
}
