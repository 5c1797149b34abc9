package io.reactiveipc.internal;

import io.reactiveipc.IpcDataException;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * node-ipc's raw buffer mode: no framing and no JSON. Each read becomes a message of type {@code data} whose data
 * is the bytes as they came ({@code in.data(byte[].class)}); chunk boundaries are wherever the reads ended, as in
 * node-ipc. A message's bytes are written untouched; string data is turned into bytes with the encoding
 * (node's {@code Buffer.from(string, encoding)}); the type is not written.
 */
public final class RawCodec implements IpcCodec {

    /** The type of every message this codec decodes: node-ipc's {@code data} event. */
    public static final String TYPE = "data";

    private final String encoding;

    public RawCodec(String encoding) {
        this.encoding = normalize(encoding);
    }

    /** node's names for its encodings, to one spelling each; IllegalArgumentException for others. */
    public static String normalize(String encoding) {
        String e = encoding.toLowerCase(Locale.ROOT);
        return switch (e) {
            case "utf8", "utf-8" -> "utf8";
            case "utf16le", "utf-16le", "ucs2", "ucs-2" -> "utf16le";
            case "latin1", "binary" -> "latin1";
            case "ascii", "base64", "base64url", "hex" -> e;
            default -> throw new IllegalArgumentException("encoding: unknown encoding '" + encoding
                    + "', node-ipc knows utf8, ascii, utf16le (ucs2), base64, base64url, hex, latin1 (binary)");
        };
    }

    @Override
    public byte[] delimiter() {
        return new byte[0];
    }

    @Override
    public Message decode(byte[] frame, int offset, int length) {
        byte[] bytes = offset == 0 && length == frame.length ? frame
                : java.util.Arrays.copyOfRange(frame, offset, offset + length);
        return Message.of(TYPE, bytes);
    }

    @Override
    public void encode(Message message, OutputStream out) throws IOException {
        MessageAccess access = MessageAccess.get();
        byte[] json = access.json(message);
        if (json != null) {
            throw new IpcDataException("raw buffer mode writes bytes or strings; message '" + message.type()
                    + "' carries JSON read from a framed connection");
        }
        Object value = access.value(message);
        if (value instanceof byte[] bytes) {
            out.write(bytes);
        } else if (value instanceof String s) {
            out.write(bytes(s));
        } else {
            throw new IpcDataException("raw buffer mode writes bytes or strings; data of message '" + message.type()
                    + "' is " + (value == null ? "null" : "a " + value.getClass().getName()));
        }
    }

    /** What node's {@code Buffer.from(s, encoding)} gives. */
    byte[] bytes(String s) {
        return switch (encoding) {
            case "utf8" -> s.getBytes(StandardCharsets.UTF_8);
            case "utf16le" -> s.getBytes(StandardCharsets.UTF_16LE);
            case "latin1", "ascii" -> lowBytes(s); // node writes the low byte of each UTF-16 unit for both
            case "base64", "base64url" -> base64(s);
            case "hex" -> hex(s);
            default -> throw new IllegalStateException(encoding);
        };
    }

    private static byte[] lowBytes(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) s.charAt(i);
        }
        return b;
    }

    /** node decodes both alphabets, ignores what is not base64 and needs no padding. */
    private static byte[] base64(String s) {
        StringBuilder clean = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '-') {
                clean.append('+');
            } else if (c == '_') {
                clean.append('/');
            } else if (c < 128 && (Character.isLetterOrDigit(c) || c == '+' || c == '/')) {
                clean.append(c);
            } else if (c == '=') {
                break;
            }
        }
        if (clean.length() % 4 == 1) {
            clean.setLength(clean.length() - 1); // a lone sextet carries no whole byte
        }
        return Base64.getDecoder().decode(clean.toString()); // padding is not required
    }

    /** node decodes pairs of hex digits up to the first that is not one. */
    private static byte[] hex(String s) {
        int n = 0;
        while (n + 1 < s.length() && Character.digit(s.charAt(n), 16) >= 0 && Character.digit(s.charAt(n + 1), 16) >= 0) {
            n += 2;
        }
        return HexFormat.of().parseHex(s, 0, n);
    }

    @Override
    public String toString() {
        return "raw buffers, encoding " + encoding;
    }
}
