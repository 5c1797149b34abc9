package io.reactiveipc.codec;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.IpcDataException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import io.reactiveipc.spi.IpcEngine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns frames into {@link Message}s and messages into frames. A transport cuts its byte stream after each
 * {@link #delimiter()} and hands every frame to {@link #decode}; it writes what {@link #encode} produces. One
 * codec serves every connection of an {@link io.reactiveipc.IpcConfig} ({@link io.reactiveipc.IpcConfig#codec()}),
 * on their I/O threads at once: implementations are immutable and thread-safe, and must not block.
 *
 * <pre>{@code
 * IpcConfig config = IpcConfig.builder()
 *         .codec(IpcCodec.nodeIpc(springJsonMapper))   // node-ipc's frames, your data binding
 *         .build();
 * }</pre>
 *
 * <p>Failures: a frame that {@link #decode} refuses ({@link IpcProtocolException}) is reported as
 * {@link io.reactiveipc.IpcEvent.Failure}, and the peer is answered with an error frame this codec encodes and
 * closed, or skipped ({@link io.reactiveipc.IpcConfig#onProtocolError()}); a message {@link #encode} cannot write
 * ({@link IpcDataException}) fails that one send and nothing else.
 */
public interface IpcCodec {

    /**
     * The bytes that end every frame on the wire, a fresh copy; empty for a codec without framing, which is handed
     * each read as it arrived (node-ipc's raw buffer mode: chunk boundaries are arbitrary).
     */
    byte[] delimiter();

    /**
     * One frame, its delimiter excluded. The codec may keep {@code frame}: the caller never reuses it.
     *
     * @throws IpcProtocolException if the frame breaks this codec's protocol
     */
    Message decode(byte[] frame, int offset, int length);

    /**
     * Writes one whole frame, delimiter included. On failure {@code out} may hold part of a frame; the caller
     * discards it.
     *
     * @throws IpcDataException if this message cannot be written by this codec
     * @throws IOException only if {@code out} throws it
     */
    void encode(Message message, OutputStream out) throws IOException;

    /**
     * node-ipc's frames, {@code {"type":...,"data":...}} then {@code \f}, with the library's default mapper: the
     * default codec.
     */
    static IpcCodec nodeIpc() {
        IpcEngine engine = IpcEngine.get();
        return engine.nodeIpcCodec(engine.defaultMapper(), new byte[] {'\f'});
    }

    /**
     * node-ipc's frames with your mapper for data: a Spring application passes Spring's {@link JsonMapper}. The
     * frame's envelope stays node-ipc's; only the {@code data} value is the mapper's to write and bind.
     */
    static IpcCodec nodeIpc(JsonMapper mapper) {
        return IpcEngine.get().nodeIpcCodec(requireNonNull(mapper, "mapper"), new byte[] {'\f'});
    }

    /**
     * node-ipc's frames with another delimiter (node-ipc's {@code ipc.config.delimiter}), one or more bytes of
     * UTF-8. node-ipc 10 reads only one-character delimiters; a frame whose JSON would contain a delimiter that
     * JSON does not escape (anything but a control character) cannot be sent and fails with
     * {@link IpcDataException}.
     */
    static IpcCodec nodeIpc(JsonMapper mapper, String delimiter) {
        requireNonNull(delimiter, "delimiter");
        return IpcEngine.get().nodeIpcCodec(requireNonNull(mapper, "mapper"),
                delimiter.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * node-ipc's raw buffer mode ({@code rawBuffer: true}): no framing and no JSON. Every read arrives as one
     * message of type {@code data} whose data is the bytes as they came ({@code in.data(byte[].class)}); where one
     * read ends is the kernel's business, so message boundaries are the application's, as in node-ipc. Sending
     * writes a message's data untouched if it is a {@code byte[]}, or a {@code String} encoded with
     * {@code encoding} as node's {@code Buffer.from(string, encoding)} does (utf8, ascii, utf16le/ucs2, base64,
     * base64url, hex, latin1/binary); anything else fails that send with {@link IpcDataException}. The type is not
     * written. Unlike node-ipc 10, inbound bytes are never decoded and re-encoded, so bytes that are not UTF-8
     * arrive intact.
     *
     * @throws IllegalArgumentException for an encoding node does not know
     */
    static IpcCodec raw(String encoding) {
        return IpcEngine.get().rawCodec(requireNonNull(encoding, "encoding"));
    }

    /**
     * The frames of @crussell52/socket-ipc 0.4.0, a second Node.js IPC library (Unix sockets only):
     * {@code {"topic":...,"message":...}} then two NUL bytes. Its topic is {@link Message#type()}, its message the
     * data; a frame sent without a message (JavaScript's {@code undefined}) has absent data. socket-ipc has no
     * subscriptions on the wire: a server sends every topic it broadcasts to every client, and each client
     * listens to the topics it wants ({@code on(type)}), as here. A frame that is not one JSON object with a
     * string {@code topic} is an {@link IpcProtocolException} (socket-ipc itself crashes on most of them).
     *
     * <pre>{@code
     * IpcClient client = IpcClient.connect("app", IpcAddress.unix(Path.of("/tmp/myApp.sock")),
     *         IpcConfig.builder().codec(IpcCodec.socketIpc()).build());
     * client.on("hello").subscribe(m -> System.out.println(m.data(String.class)));   // server.send('hello', ...)
     * client.emit("hello", Map.of("name", "crussell52")).subscribe();               // client.send('hello', ...)
     * }</pre>
     *
     * Like a socket-ipc client, a Java client on these frames announces no id
     * ({@link io.reactiveipc.IpcConfig#identify()} is for node-ipc's frames), so a server knows each client by the
     * number it gave it. Requests, streams and relays by that number ride in these frames as in node-ipc's; a
     * socket-ipc peer ignores their extra members.
     */
    static IpcCodec socketIpc() {
        IpcEngine engine = IpcEngine.get();
        return engine.socketIpcCodec(engine.defaultMapper());
    }

    /** {@link #socketIpc()} with your mapper for the {@code message} value. */
    static IpcCodec socketIpc(JsonMapper mapper) {
        return IpcEngine.get().socketIpcCodec(requireNonNull(mapper, "mapper"));
    }
}
