package io.reactiveipc.internal;

import io.reactiveipc.Message;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.ObjectMapper;

/**
 * Decodes the frames {@code JSON.stringify} writes ({@code {"type":"...","data":...}}, no white space, type first)
 * without a JSON parser: one pass that checks the data is well-formed JSON and remembers where it is. Anything
 * else (white space, other members, member order, invalid UTF-8, escaped surrogates, nesting deeper than 63, long
 * numbers) returns
 * null and is left to Jackson, which decides what is valid and words the errors. So this accepts a subset of what
 * Jackson accepts, and for those frames gives the same type and the same data bytes (checked by
 * FastDecoderTest against Jackson on generated and mutated frames).
 *
 * <p>Measured: Jackson's parser set-up and token walk were about 40% of a receiving event loop at 121-byte frames.
 */
final class FastDecoder {

    private static final byte[] TYPE_PREFIX = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA_KEY = ",\"data\":".getBytes(StandardCharsets.US_ASCII);
    /** Jackson's default StreamReadConstraints: longer numbers are its to refuse. */
    private static final int MAX_NUMBER_LENGTH = 1000;
    /** Well under Jackson's default maximum string length (20,000,000), so no string it refuses passes here. */
    private static final int MAX_FRAME = 16 * 1024 * 1024;
    private static final int MAX_DEPTH = 63;

    private FastDecoder() {
    }

    /** The message, or null if the frame is not one this decodes (it may still be valid). */
    static @Nullable Message decode(ObjectMapper mapper, byte[] b, int offset, int length) {
        return decode(mapper, b, offset, length, TYPE_PREFIX, DATA_KEY);
    }

    /**
     * As above, for a dialect whose members are named otherwise: {@code typePrefix} is {@code {"<type name>":"},
     * {@code dataKey} is {@code ,"<data name>":} (socket-ipc: {@code topic}, {@code message}).
     */
    static @Nullable Message decode(ObjectMapper mapper, byte[] b, int offset, int length, byte[] typePrefix,
            byte[] dataKey) {
        int end = offset + length;
        if (length > MAX_FRAME || !startsWith(b, offset, end, typePrefix)) {
            return null;
        }
        int typeStart = offset + typePrefix.length;
        int p = typeStart;
        for (;; p++) {
            if (p == end) {
                return null;
            }
            byte c = b[p];
            if (c == '"') {
                break;
            }
            if (c < 0x20 || c == '\\') { // c < 0: not ASCII
                return null;
            }
        }
        int typeEnd = p++;
        if (!startsWith(b, p, end, dataKey)) {
            return null;
        }
        int dataStart = p + dataKey.length;
        // The common data first: a string of printable ASCII without escapes, found in one pass, 8 bytes a step.
        int plainEnd = dataStart < end && b[dataStart] == '"' ? plainStringEnd(b, dataStart + 1, end) : -1;
        int dataEnd = plainEnd >= 0 ? plainEnd : scanValue(b, dataStart, end);
        if (dataEnd < 0 || b[end - 1] != '}') {
            return null;
        }
        Envelope envelope = null;
        if (dataEnd != end - 1) {
            envelope = onlyId(b, dataEnd, end - 1);
            if (envelope == null) {
                Envelope.Reader members = new Envelope.Reader();
                if (dataEnd >= end - 1 || b[dataEnd] != ',' || !members(b, dataEnd, end - 1, members)) {
                    return null;
                }
                envelope = members.envelope();
            }
        }
        // all ASCII: ISO-8859-1 maps each byte to its char, the cheapest decoding there is
        String type = new String(b, typeStart, typeEnd - typeStart, StandardCharsets.ISO_8859_1);
        MessageAccess access = MessageAccess.get();
        int dataLength = dataEnd - dataStart;
        return switch (b[dataStart]) {
            case '"' -> plainEnd >= 0
                    ? access.decodedText(mapper, type, b, dataStart, dataLength, envelope)
                    : access.decoded(mapper, type, b, dataStart, dataLength, envelope);
            case 't' -> access.decodedScalar(mapper, type, b, dataStart, dataLength, Boolean.TRUE, envelope);
            case 'f' -> access.decodedScalar(mapper, type, b, dataStart, dataLength, Boolean.FALSE, envelope);
            case 'n' -> access.decodedScalar(mapper, type, b, dataStart, dataLength, null, envelope);
            case '{', '[' -> access.decoded(mapper, type, b, dataStart, dataLength, envelope);
            default -> {
                Number n = integer(b, dataStart, dataEnd);
                yield n == null ? access.decoded(mapper, type, b, dataStart, dataLength, envelope)
                        : access.decodedScalar(mapper, type, b, dataStart, dataLength, n, envelope);
            }
        };
    }

    /**
     * The members after data as this library writes them ({@link Envelope}): {@code ,"name":value} with a plain
     * name and a value that is a positive integer of at most 16 digits, true, false or a plain string, up to
     * {@code close} (the final brace). False for anything else, which Jackson then reads: a repeated member, a
     * number in another form, an escape.
     */
    private static final byte[] ONLY_RID = ",\"rid\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ONLY_RE = ",\"re\":".getBytes(StandardCharsets.US_ASCII);

    /**
     * Every request and every answer: exactly {@code ,"rid":n} or {@code ,"re":n} up to {@code close}, read without
     * the general member reader; null for anything else (which the general reader then takes).
     */
    private static @Nullable Envelope onlyId(byte[] b, int p, int close) {
        int kind;
        int v;
        if (startsWith(b, p, close, ONLY_RE)) {
            kind = Envelope.REPLY;
            v = p + ONLY_RE.length;
        } else if (startsWith(b, p, close, ONLY_RID)) {
            kind = Envelope.REQUEST;
            v = p + ONLY_RID.length;
        } else {
            return null;
        }
        int digits = close - v;
        if (digits < 1 || digits > 16 || b[v] < '1' || b[v] > '9') {
            return null;
        }
        long id = 0;
        for (int i = v; i < close; i++) {
            byte c = b[i];
            if (c < '0' || c > '9') {
                return null;
            }
            id = id * 10 + (c - '0');
        }
        return id <= Envelope.MAX_ID ? Envelope.of(kind, id) : null;
    }

    private static final String[] MEMBER_NAMES = {"rid", "re", "credit", "more", "cancel", "end", "error", "to", "from", "seq",
            "ack"};
    private static final byte[][] MEMBER_BYTES = new byte[MEMBER_NAMES.length][];

    static {
        for (int i = 0; i < MEMBER_NAMES.length; i++) {
            MEMBER_BYTES[i] = MEMBER_NAMES[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** Which of our member names the bytes are, or -1: compared in place, no String made per member. */
    private static int memberIndex(byte[] b, int start, int length) {
        for (int i = 0; i < MEMBER_BYTES.length; i++) {
            byte[] name = MEMBER_BYTES[i];
            if (name.length == length && startsWith(b, start, start + length, name)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean members(byte[] b, int p, int close, Envelope.Reader into) {
        int seen = 0;
        while (p < close) {
            if (b[p] != ',' || p + 1 >= close || b[p + 1] != '"') {
                return false;
            }
            int nameEnd = plainStringEnd(b, p + 2, close);
            if (nameEnd < 0 || nameEnd >= close || b[nameEnd] != ':') {
                return false;
            }
            int index = memberIndex(b, p + 2, nameEnd - p - 3);
            if (index < 0) {
                return false; // somebody else's member: Jackson checks it
            }
            int bit = 1 << index;
            if ((seen & bit) != 0) {
                return false; // a repeated member: JSON.parse keeps the last, Jackson decides the same
            }
            seen |= bit;
            String name = MEMBER_NAMES[index];
            int v = nameEnd + 1;
            if (v >= close) {
                return false;
            }
            byte c = b[v];
            if (c == '"') {
                int valueEnd = plainStringEnd(b, v + 1, close);
                if (valueEnd < 0 || !into.string(name, new String(b, v + 1, valueEnd - v - 2,
                        StandardCharsets.ISO_8859_1))) {
                    return false;
                }
                p = valueEnd;
            } else if (c == 't' || c == 'f') {
                int valueEnd = c == 't' ? literal(b, v, close, 't', 'r', 'u', 'e')
                        : literal(b, v, close, 'f', 'a', 'l', 's', 'e');
                if (valueEnd < 0 || !into.bool(name, c == 't')) {
                    return false;
                }
                p = valueEnd;
            } else if (c >= '1' && c <= '9') {
                int valueEnd = digits(b, v, close);
                if (valueEnd - v > 16 || valueEnd < close && b[valueEnd] != ',') {
                    return false;
                }
                long value = 0;
                for (int i = v; i < valueEnd; i++) {
                    value = value * 10 + (b[i] - '0');
                }
                if (!into.integer(name, value)) {
                    return false;
                }
                p = valueEnd;
            } else {
                return false;
            }
        }
        return p == close;
    }

    private static boolean startsWith(byte[] b, int p, int end, byte[] prefix) {
        if (end - p < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[p + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * From just after an opening quote: the index after the closing quote if every byte before it is printable
     * ASCII other than a backslash (the string's chars are its bytes), else -1.
     */
    static int plainStringEnd(byte[] b, int p, int end) {
        for (; p + 8 <= end; p += 8) {
            long x = (long) LONGS.get(b, p);
            // a high bit in a byte of t: that byte may be a control character, non-ASCII, a quote or a backslash
            // (borrows can only mark bytes after a real one, and the bytes are then looked at one by one)
            long t = ((x - ONES * 0x20) & ~x) | x | zero(x ^ (ONES * '"')) | zero(x ^ (ONES * '\\'));
            if ((t & HIGHS) != 0) {
                break;
            }
        }
        for (; p < end; p++) {
            byte c = b[p];
            if (c == '"') {
                return p + 1;
            }
            if (c < 0x20 || c == '\\') { // c < 0: not ASCII
                return -1;
            }
        }
        return -1;
    }

    /** A high bit in every byte of {@code v} that is zero (and possibly in bytes after one). */
    private static long zero(long v) {
        return (v - ONES) & ~v;
    }

    /** An integer as Jackson's getNumberValue gives it (Integer if it fits, else Long), or null. */
    private static @Nullable Number integer(byte[] b, int start, int end) {
        int digits = end - start - (b[start] == '-' ? 1 : 0);
        if (digits > 18) {
            return null; // may not fit a long: let Jackson bind it when asked
        }
        long v = 0;
        for (int i = b[start] == '-' ? start + 1 : start; i < end; i++) {
            byte c = b[i];
            if (c < '0' || c > '9') {
                return null; // a fraction or an exponent
            }
            v = v * 10 + (c - '0');
        }
        if (b[start] == '-') {
            v = -v;
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return Integer.valueOf((int) v); // not a ?: between Integer and Long, which would unbox to long
        }
        return Long.valueOf(v);
    }

    /** The index after the JSON value starting at {@code p}, or -1. */
    private static int scanValue(byte[] b, int p, int end) {
        long objects = 0; // one bit per open container, innermost lowest: 1 object, 0 array
        int depth = 0;
        for (;;) {
            // a value starts at p
            if (p >= end) {
                return -1;
            }
            byte c = b[p];
            boolean opened = false;
            switch (c) {
                case '"' -> p = scanString(b, p, end);
                case '{', '[' -> {
                    if (depth == MAX_DEPTH) {
                        return -1;
                    }
                    depth++;
                    objects = objects << 1 | (c == '{' ? 1 : 0);
                    p++;
                    if (p < end && b[p] == (c == '{' ? '}' : ']')) {
                        p++;
                        depth--;
                        objects >>>= 1;
                    } else {
                        opened = true;
                    }
                }
                case 't' -> p = literal(b, p, end, 't', 'r', 'u', 'e');
                case 'f' -> p = literal(b, p, end, 'f', 'a', 'l', 's', 'e');
                case 'n' -> p = literal(b, p, end, 'n', 'u', 'l', 'l');
                default -> p = scanNumber(b, p, end);
            }
            if (p < 0) {
                return -1;
            }
            if (opened) {
                if ((objects & 1) == 1 && (p = key(b, p, end)) < 0) {
                    return -1;
                }
                continue;
            }
            // after a value: close containers until a comma leads to the next value
            for (;;) {
                if (depth == 0) {
                    return p;
                }
                if (p >= end) {
                    return -1;
                }
                byte d = b[p++];
                boolean inObject = (objects & 1) == 1;
                if (d == ',') {
                    if (inObject && (p = key(b, p, end)) < 0) {
                        return -1;
                    }
                    break;
                }
                if (d != (inObject ? '}' : ']')) {
                    return -1;
                }
                depth--;
                objects >>>= 1;
            }
        }
    }

    /** A member name and its colon; returns where its value starts, or -1. */
    private static int key(byte[] b, int p, int end) {
        if (p >= end || b[p] != '"') {
            return -1;
        }
        p = scanString(b, p, end);
        if (p < 0 || p >= end || b[p] != ':') {
            return -1;
        }
        return p + 1;
    }

    private static int literal(byte[] b, int p, int end, char... word) {
        if (end - p < word.length) {
            return -1;
        }
        for (char c : word) {
            if (b[p++] != c) {
                return -1;
            }
        }
        return p;
    }

    /** JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
    private static int scanNumber(byte[] b, int p, int end) {
        int start = p;
        if (p < end && b[p] == '-') {
            p++;
        }
        if (p >= end) {
            return -1;
        }
        if (b[p] == '0') {
            p++;
        } else if (b[p] >= '1' && b[p] <= '9') {
            p = digits(b, p, end);
        } else {
            return -1;
        }
        if (p < end && b[p] == '.') {
            int q = digits(b, p + 1, end);
            if (q == p + 1) {
                return -1;
            }
            p = q;
        }
        if (p < end && (b[p] == 'e' || b[p] == 'E')) {
            p++;
            if (p < end && (b[p] == '+' || b[p] == '-')) {
                p++;
            }
            int q = digits(b, p, end);
            if (q == p) {
                return -1;
            }
            p = q;
        }
        return p - start > MAX_NUMBER_LENGTH ? -1 : p;
    }

    private static int digits(byte[] b, int p, int end) {
        while (p < end && b[p] >= '0' && b[p] <= '9') {
            p++;
        }
        return p;
    }

    /** A string from its opening quote; returns the index after the closing quote, or -1. */
    private static int scanString(byte[] b, int p, int end) {
        p++;
        while (p < end) {
            int c = b[p];
            if (c == '"') {
                return p + 1;
            }
            if (c == '\\') {
                if (p + 1 >= end) {
                    return -1;
                }
                switch (b[p + 1]) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> p += 2;
                    case 'u' -> {
                        if (end - p < 6 || !hex(b[p + 2]) || !hex(b[p + 3]) || !hex(b[p + 4]) || !hex(b[p + 5])
                                || surrogate(b[p + 2], b[p + 3])) {
                            return -1; // surrogates: whether a lone one is accepted is Jackson's to say
                        }
                        p += 6;
                    }
                    default -> {
                        return -1;
                    }
                }
            } else if (c >= 0x20) {
                p++;
            } else if (c >= 0) {
                return -1; // a raw control character
            } else {
                p = utf8(b, p, end);
                if (p < 0) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** An escape of U+D800 to U+DFFF, given its first two hex digits. */
    private static boolean surrogate(byte first, byte second) {
        return (first == 'd' || first == 'D') && (second >= '8' && second <= '9' || second >= 'a' && second <= 'f'
                || second >= 'A' && second <= 'F');
    }

    private static boolean hex(byte c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** One well-formed UTF-8 sequence of 2 to 4 bytes (RFC 3629: no overlong forms, no surrogates). */
    private static int utf8(byte[] b, int p, int end) {
        int c = b[p] & 0xff;
        int n;
        int lo = 0x80;
        int hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            if (c == 0xe0) {
                lo = 0xa0;
            } else if (c == 0xed) {
                hi = 0x9f;
            }
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            if (c == 0xf0) {
                lo = 0x90;
            } else if (c == 0xf4) {
                hi = 0x8f;
            }
        } else {
            return -1;
        }
        if (end - p <= n) {
            return -1;
        }
        int second = b[p + 1] & 0xff;
        if (second < lo || second > hi) {
            return -1;
        }
        for (int i = 2; i <= n; i++) {
            if ((b[p + i] & 0xc0) != 0x80) {
                return -1;
            }
        }
        return p + n + 1;
    }
}
