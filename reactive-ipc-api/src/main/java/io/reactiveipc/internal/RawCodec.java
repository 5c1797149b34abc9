package io.reactiveipc.internal;

import io.reactiveipc.IpcDataException;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
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
                : Arrays.copyOfRange(frame, offset, offset + length);
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
            case "utf8" -> utf8(s);
            case "utf16le" -> utf16le(s);
            case "latin1", "ascii" -> lowBytes(s); // node writes the low byte of each UTF-16 unit for both
            case "base64", "base64url" -> base64(s);
            case "hex" -> hex(s);
            default -> throw new IllegalStateException(encoding);
        };
    }

    /** As node: a lone surrogate becomes U+FFFD ({@code ef bf bd}); Java's getBytes would write {@code ?}. */
    private static byte[] utf8(String s) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .replaceWith(REPLACEMENT);
        try {
            ByteBuffer b = encoder.encode(CharBuffer.wrap(s));
            return Arrays.copyOfRange(b.array(), b.arrayOffset() + b.position(), b.arrayOffset() + b.limit());
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("replacing, the encoder does not fail", e);
        }
    }

    private static final byte[] REPLACEMENT = {(byte) 0xef, (byte) 0xbf, (byte) 0xbd};

    /** As node: every UTF-16 unit as it is, lone surrogates too (Java's encoder would replace them). */
    private static byte[] utf16le(String s) {
        byte[] b = new byte[s.length() * 2];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b[2 * i] = (byte) c;
            b[2 * i + 1] = (byte) (c >>> 8);
        }
        return b;
    }

    private static byte[] lowBytes(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) s.charAt(i);
        }
        return b;
    }

    /**
     * node decodes both alphabets, ignores what is not base64 and needs no padding. Like its hex decoding, it reads
     * only the low byte of each UTF-16 unit (measured: {@code 'QQ\u0151Q'} decodes as {@code 'QQQQ'}, and
     * {@code \ud83d} ends the data as {@code =} would).
     */
    private static byte[] base64(String s) {
        StringBuilder clean = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = (char) (s.charAt(i) & 0xff);
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

    /**
     * node decodes pairs of hex digits up to the first that is not one, reading the low byte of each UTF-16 unit
     * (measured: {@code '\u0166\u0166'} is {@code ff}; a full-width digit is no digit).
     */
    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        int n = 0;
        for (; n < b.length; n++) {
            int high = hexDigit(s.charAt(2 * n));
            int low = hexDigit(s.charAt(2 * n + 1));
            if (high < 0 || low < 0) {
                break;
            }
            b[n] = (byte) (high << 4 | low);
        }
        return n == b.length ? b : Arrays.copyOf(b, n);
    }

    private static int hexDigit(char unit) {
        int c = unit & 0xff;
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : -1;
    }

    @Override
    public String toString() {
        return "raw buffers, encoding " + encoding;
    }
}
