package io.reactiveipc.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.IpcDataException;
import io.reactiveipc.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/** The codecs a user can pick, as a user sees them: bytes out, messages in. */
class IpcCodecTest {

    record Job(String fullName, int priority) {
    }

    static byte[] encode(IpcCodec codec, Message m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        codec.encode(m, out);
        return out.toByteArray();
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void aUsersMapperWritesAndBindsTheDataAndTheEnvelopeStaysNodeIpcs() throws IOException {
        JsonMapper snake = JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
        IpcCodec codec = IpcCodec.nodeIpc(snake);
        byte[] frame = encode(codec, Message.of("job", new Job("build all", 2)));
        assertThat(new String(frame, StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"job\",\"data\":{\"full_name\":\"build all\",\"priority\":2}}\f");
        Message in = codec.decode(frame, 0, frame.length - 1);
        assertThat(in.data(Job.class)).as("bound with the mapper of the codec that decoded it")
                .isEqualTo(new Job("build all", 2));
        assertThat(IpcCodec.nodeIpc().decode(frame, 0, frame.length - 1).data(Job.class))
                .as("the default mapper knows no full_name (and, as Jackson 3, ignores it)")
                .isEqualTo(new Job(null, 2));
    }

    @Test
    void aLongerDelimiterEndsEveryFrameAndAFrameThatWouldContainItIsRefused() throws IOException {
        IpcCodec crlf = IpcCodec.nodeIpc(JsonMapper.builder().build(), "\r\n");
        assertThat(new String(encode(crlf, Message.of("a", "x\r\ny")), StandardCharsets.UTF_8))
                .as("JSON escapes control characters, so CR LF never occurs inside")
                .isEqualTo("{\"type\":\"a\",\"data\":\"x\\r\\ny\"}\r\n");
        IpcCodec bars = IpcCodec.nodeIpc(JsonMapper.builder().build(), "||");
        assertThat(new String(encode(bars, Message.of("a", 1)), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"a\",\"data\":1}||");
        assertThatThrownBy(() -> encode(bars, Message.of("a", "x||y")))
                .isInstanceOf(IpcDataException.class).hasMessageContaining("delimiter");
    }

    @Test
    void rawBuffersPassBytesThroughUntouchedBothWays() throws IOException {
        IpcCodec raw = IpcCodec.raw("utf8");
        byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, 0x41, 0x0c};
        Message in = raw.decode(notUtf8, 0, notUtf8.length);
        assertThat(in.type()).isEqualTo("data");
        assertThat(in.data(byte[].class)).containsExactly(notUtf8);
        assertThat(encode(raw, in)).containsExactly(notUtf8);
        assertThat(encode(raw, Message.of("ignored", notUtf8))).as("the type is not written").containsExactly(notUtf8);
        assertThat(raw.delimiter()).isEmpty();
        assertThatThrownBy(() -> encode(raw, Message.of("data", Map.of("k", 1))))
                .isInstanceOf(IpcDataException.class).hasMessageContaining("bytes or strings");
        byte[] json = "{\"type\":\"t\",\"data\":{}}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> encode(raw, IpcCodec.nodeIpc().decode(json, 0, json.length)))
                .isInstanceOf(IpcDataException.class);
    }

    /** What node's Buffer.from(string, encoding) gives (node 20: `node -e`, each line checked). */
    @Test
    void rawStringsAreEncodedAsNodesBufferFromDoes() throws IOException {
        assertThat(hex(encode(IpcCodec.raw("utf8"), Message.of("data", "é✓")))).isEqualTo("c3a9e29c93");
        assertThat(hex(encode(IpcCodec.raw("utf16le"), Message.of("data", "hé")))).isEqualTo("6800e900");
        assertThat(hex(encode(IpcCodec.raw("ucs2"), Message.of("data", "hé")))).isEqualTo("6800e900");
        assertThat(hex(encode(IpcCodec.raw("latin1"), Message.of("data", "é✓")))).isEqualTo("e913");
        assertThat(hex(encode(IpcCodec.raw("binary"), Message.of("data", "é")))).isEqualTo("e9");
        assertThat(hex(encode(IpcCodec.raw("ascii"), Message.of("data", "é")))).isEqualTo("e9");
        assertThat(hex(encode(IpcCodec.raw("hex"), Message.of("data", "ff00zz11")))).isEqualTo("ff00");
        assertThat(hex(encode(IpcCodec.raw("base64"), Message.of("data", "aGk=")))).isEqualTo("6869");
        assertThat(hex(encode(IpcCodec.raw("base64"), Message.of("data", "aGk")))).isEqualTo("6869");
        assertThat(hex(encode(IpcCodec.raw("base64url"), Message.of("data", "-_8")))).isEqualTo("fbff");
        assertThatThrownBy(() -> IpcCodec.raw("klingon")).isInstanceOf(IllegalArgumentException.class);
    }
}
