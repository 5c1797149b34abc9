package io.reactiveipc.benchmark;

import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.internal.JsonCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The node-ipc codec against plain Jackson doing the same work, small frame and 64 KiB frame; and the socket-ipc
 * codec on the same messages ({@code *SocketIpc}). Run with {@code ./bench.sh jmh}. "Decode" includes reading the
 * type and binding the data, since our decoding is lazy.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public record Item(String name, int id, double score, boolean active, List<String> tags) {
    }

    record Envelope(String type, Object data) {
    }

    List<Item> large;
    byte[] smallFrame;
    byte[] largeFrame;
    byte[] smallSocketIpcFrame;
    byte[] largeSocketIpcFrame;
    static final IpcCodec SOCKET_IPC = IpcCodec.socketIpc();
    final ByteArrayOutputStream out = new ByteArrayOutputStream(128 * 1024);

    @Setup
    public void setUp() throws IOException {
        large = new ArrayList<>();
        while (MAPPER.writeValueAsBytes(large).length < 64 * 1024) {
            int i = large.size();
            large.add(new Item("item-" + i, i, i * 1.5, i % 2 == 0, List.of("a", "b", "ünï")));
        }
        smallFrame = frameOf(Message.of("m", Protocol.PAYLOAD));
        largeFrame = frameOf(Message.of("big", large));
        smallSocketIpcFrame = frameOf(SOCKET_IPC, Message.of("m", Protocol.PAYLOAD));
        largeSocketIpcFrame = frameOf(SOCKET_IPC, Message.of("big", large));
    }

    private static byte[] frameOf(Message m) throws IOException {
        return frameOf(JsonCodec.DEFAULT, m);
    }

    private static byte[] frameOf(IpcCodec codec, Message m) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        codec.encode(m, b);
        byte[] withDelimiter = b.toByteArray();
        return java.util.Arrays.copyOf(withDelimiter, withDelimiter.length - codec.delimiter().length);
    }

    @Benchmark
    public int encodeSmall() throws IOException {
        out.reset();
        JsonCodec.DEFAULT.encode(Message.of("m", Protocol.PAYLOAD), out);
        return out.size();
    }

    @Benchmark
    public int encodeSmallJackson() throws IOException {
        out.reset();
        MAPPER.writeValue(out, new Envelope("m", Protocol.PAYLOAD));
        out.write('\f');
        return out.size();
    }

    @Benchmark
    public int encodeLarge() throws IOException {
        out.reset();
        JsonCodec.DEFAULT.encode(Message.of("big", large), out);
        return out.size();
    }

    @Benchmark
    public int encodeLargeJackson() throws IOException {
        out.reset();
        MAPPER.writeValue(out, new Envelope("big", large));
        out.write('\f');
        return out.size();
    }

    @Benchmark
    public String decodeSmall() {
        Message m = JsonCodec.DEFAULT.decode(smallFrame, 0, smallFrame.length);
        return m.type() + m.data(String.class);
    }

    @Benchmark
    public String decodeSmallJackson() throws IOException {
        JsonNode n = MAPPER.readTree(smallFrame, 0, smallFrame.length);
        return n.get("type").asString() + n.get("data").asString();
    }

    @Benchmark
    public int decodeLarge() {
        Message m = JsonCodec.DEFAULT.decode(largeFrame, 0, largeFrame.length);
        return m.type().length() + m.data(Item[].class).length;
    }

    @Benchmark
    public int decodeLargeJackson() throws IOException {
        JsonNode n = MAPPER.readTree(largeFrame, 0, largeFrame.length);
        return n.get("type").asString().length() + MAPPER.treeToValue(n.get("data"), Item[].class).length;
    }

    /** Only the envelope: what a server pays for a message it routes by type without reading the data. */
    @Benchmark
    public String decodeLargeTypeOnly() {
        return JsonCodec.DEFAULT.decode(largeFrame, 0, largeFrame.length).type();
    }

    @Benchmark
    public int encodeSmallSocketIpc() throws IOException {
        out.reset();
        SOCKET_IPC.encode(Message.of("m", Protocol.PAYLOAD), out);
        return out.size();
    }

    @Benchmark
    public int encodeLargeSocketIpc() throws IOException {
        out.reset();
        SOCKET_IPC.encode(Message.of("big", large), out);
        return out.size();
    }

    @Benchmark
    public String decodeSmallSocketIpc() {
        Message m = SOCKET_IPC.decode(smallSocketIpcFrame, 0, smallSocketIpcFrame.length);
        return m.type() + m.data(String.class);
    }

    @Benchmark
    public int decodeLargeSocketIpc() {
        Message m = SOCKET_IPC.decode(largeSocketIpcFrame, 0, largeSocketIpcFrame.length);
        return m.type().length() + m.data(Item[].class).length;
    }
}
