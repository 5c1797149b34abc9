package io.reactiveipc.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * socket-ipc 0.4.0's own encoder is the reference: every frame it writes (node-peers/socket-ipc-frames.mjs: every
 * JSON escape, astral and lone surrogates, integers to 2^53, decimals, nesting, no message, empty topic, 64 KiB) is
 * read by our codec as the value it meant, and our codec writes the same value back byte for byte.
 */
class SocketIpcFramesTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final IpcCodec CODEC = IpcCodec.socketIpc();

    @Test
    void ourCodecWritesWhatSocketIpcsEncoderWritesForTheSameValue() throws Exception {
        List<JsonNode> frames = framesFromSocketIpc();
        assertThat(frames).hasSize(15);
        for (JsonNode f : frames) {
            String name = f.get("case").asString();
            byte[] theirs = HEX.parseHex(f.get("hex").asString());
            assertThat(theirs[theirs.length - 2]).as(name + ": ends with \\0\\0").isZero();
            assertThat(theirs[theirs.length - 1]).as(name + ": ends with \\0\\0").isZero();
            Message read = CODEC.decode(theirs, 0, theirs.length - 2);
            // written again from the value (a Java tree through Jackson), not from the bytes read
            Message value = read.data() instanceof MissingNode ? read : Message.of(read.type(), read.data());
            ByteArrayOutputStream ours = new ByteArrayOutputStream();
            CODEC.encode(value, ours);
            assertThat(HEX.formatHex(ours.toByteArray())).as(name).isEqualTo(HEX.formatHex(theirs));
        }
    }

    private static List<JsonNode> framesFromSocketIpc() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("node", "socket-ipc-frames.mjs").directory(NodePeer.DIR.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("node socket-ipc-frames.mjs ended").isTrue();
        assertThat(p.exitValue()).as("node socket-ipc-frames.mjs exit code").isZero();
        ObjectMapper json = JsonMapper.builder().build();
        List<JsonNode> frames = new ArrayList<>();
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                frames.add(json.readTree(line));
            }
        }
        return frames;
    }
}
