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
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Node's {@code Buffer.from(string, encoding)}, what node-ipc's raw buffer mode writes for a string (14 and 10
 * alike, docs/raw-buffer-wire.md), is the reference for the raw codec's strings: every encoding node-ipc lists, on
 * strings at each encoding's edges (lone surrogates, base64 junk and padding, odd and broken hex), byte for byte.
 */
class RawEncodingsTest {

    @Test
    void stringsAreWrittenAsNodesBufferFromWritesThem() throws Exception {
        List<JsonNode> cases = fromNode();
        assertThat(cases).hasSizeGreaterThan(100);
        SoftAssertions soft = new SoftAssertions();
        for (JsonNode c : cases) {
            String encoding = c.get("encoding").asString();
            StringBuilder s = new StringBuilder();
            c.get("units").forEach(u -> s.append((char) u.asInt()));
            ByteArrayOutputStream ours = new ByteArrayOutputStream();
            String written;
            try {
                IpcCodec.raw(encoding).encode(Message.of("data", s.toString()), ours);
                written = HexFormat.of().formatHex(ours.toByteArray());
            } catch (RuntimeException e) {
                written = "threw " + e;
            }
            soft.assertThat(written).as("Buffer.from(%s, '%s')", units(s), encoding)
                    .isEqualTo(c.get("hex").asString());
        }
        soft.assertAll();
    }

    private static String units(CharSequence s) {
        StringBuilder b = new StringBuilder("'");
        s.chars().forEach(ch -> b.append(ch < 0x20 || ch > 0x7e ? String.format("\\u%04x", ch) : (char) ch));
        return b.append('\'').toString();
    }

    private static List<JsonNode> fromNode() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("node", "raw-encodings.mjs").directory(NodePeer.DIR.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("node raw-encodings.mjs ended").isTrue();
        assertThat(p.exitValue()).as("node raw-encodings.mjs exit code").isZero();
        ObjectMapper json = JsonMapper.builder().build();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(json.readTree(line));
            }
        }
        return lines;
    }
}
