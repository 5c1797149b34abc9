package io.reactiveipc.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * What a frame carries beside {@code type} and {@code data}: request correlation, stream credits and relay
 * addresses, as extra top-level members after {@code data}. node-ipc 10 and 14 parse the frame with
 * {@code JSON.parse} and hand only {@code type} and {@code data} on, so they ignore these members (measured in
 * the interop suite). The members, in the order written:
 * <pre>
 * request        "rid":n                 stream request  "rid":n,"credit":k
 * more credits   "rid":n,"more":k         cancel          "rid":n,"cancel":true
 * answer         "re":n                  stream end      "re":n,"end":true      error  "re":n,"error":true
 * relay          "to":"client id" ("*": every other client), "from":"client id" (set by the server)
 * sequenced      "seq":n (acknowledged delivery, beside any of the above)
 * ack            "ack":n (type ipc.ack: every sequenced message up to n was delivered)
 * </pre>
 * {@code n} is a positive integer below 2^53 chosen by the requester, unique among its requests in flight on
 * that connection.
 */
public final class Envelope {

    public static final int NONE = 0;
    public static final int REQUEST = 1;
    public static final int STREAM = 2;
    public static final int MORE = 3;
    public static final int CANCEL = 4;
    public static final int REPLY = 5;
    public static final int END = 6;
    public static final int ERROR = 7;
    /** An acknowledgement; {@link #id()} is the highest sequence number delivered. */
    public static final int ACK = 8;

    /** Largest id a JavaScript number holds exactly. */
    public static final long MAX_ID = (1L << 53) - 1;

    private final int kind;
    private final long id;
    private final long n;
    private final @Nullable String to;
    private final @Nullable String from;
    /** Acknowledged delivery's sequence number, 0 for none. */
    private final long seq;
    /** The sender's session, known to a receiver only (never written). */
    private final @Nullable String session;

    public Envelope(int kind, long id, long n, @Nullable String to, @Nullable String from) {
        this(kind, id, n, to, from, 0, null);
    }

    public Envelope(int kind, long id, long n, @Nullable String to, @Nullable String from, long seq,
            @Nullable String session) {
        this.kind = kind;
        this.id = id;
        this.n = n;
        this.to = to;
        this.from = from;
        this.seq = seq;
        this.session = session;
    }

    public long seq() {
        return seq;
    }

    public @Nullable String session() {
        return session;
    }

    /** This envelope with {@code seq}; a null envelope becomes a plain one that carries only it. */
    public static Envelope sequenced(@Nullable Envelope e, long seq) {
        return e == null ? new Envelope(NONE, 0, 0, null, null, seq, null)
                : new Envelope(e.kind, e.id, e.n, e.to, e.from, seq, e.session);
    }

    public static Envelope of(int kind, long id) {
        return new Envelope(kind, id, 0, null, null);
    }

    public int kind() {
        return kind;
    }

    /** The request id: its own for a request, the one answered for an answer. */
    public long id() {
        return id;
    }

    /** Credits of a stream request or of a {@link #MORE}. */
    public long n() {
        return n;
    }

    public @Nullable String to() {
        return to;
    }

    public @Nullable String from() {
        return from;
    }

    public boolean isAnswer() {
        return kind >= REPLY && kind <= ERROR;
    }

    public boolean isRequest() {
        return kind == REQUEST || kind == STREAM;
    }

    /** As relayed by a server: {@code from} set, {@code to} kept only for a broadcast ({@code "*"}). */
    public Envelope relayed(String from) {
        return new Envelope(kind, id, n, "*".equals(to) ? to : null, from);
    }

    /** What a receiver keeps on a message it hands to users: who it came from, nothing else. */
    public static @Nullable Envelope userView(@Nullable Envelope e) {
        if (e == null || e.from == null) {
            return null;
        }
        return e.kind == NONE && e.to == null ? e : new Envelope(NONE, 0, 0, null, e.from);
    }

    private static final byte[] RID = ",\"rid\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RE = ",\"re\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEQ = ",\"seq\":".getBytes(StandardCharsets.US_ASCII);

    /**
     * Whether the members are only {@code ,"rid":n} or {@code ,"re":n}: every request and answer. A codec writes
     * them into its frame in place ({@link #idMembersLength()}, {@link #writeIdMembers}), without an array of their own.
     */
    boolean idOnly() {
        return to == null && from == null && seq == 0 && (kind == REQUEST || kind == REPLY);
    }

    /** The length of {@link #members()} of an {@link #idOnly()} envelope. */
    int idMembersLength() {
        return (kind == REQUEST ? RID : RE).length + digits(id);
    }

    /** Writes {@link #members()} of an {@link #idOnly()} envelope into {@code b} at {@code at}. */
    void writeIdMembers(byte[] b, int at) {
        writeMember(kind == REQUEST ? RID : RE, id, b, at);
    }

    /** Writes {@code name} then {@code value}'s decimal digits into {@code b} at {@code at}. */
    private static void writeMember(byte[] name, long value, byte[] b, int at) {
        System.arraycopy(name, 0, b, at, name.length);
        long v = value;
        for (int i = at + name.length + digits(value) - 1; i >= at + name.length; i--) {
            b[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
    }

    private static int digits(long v) {
        int digits = 1;
        for (; v >= 10; v /= 10) {
            digits++;
        }
        return digits;
    }

    /** The members as written after {@code data}, starting with a comma; empty for a plain envelope. */
    byte[] members() {
        if (idOnly()) {
            byte[] b = new byte[idMembersLength()]; // every request and answer: no builder, no string
            writeIdMembers(b, 0);
            return b;
        }
        if (kind == NONE && to == null && from == null && seq > 0) {
            return idMember(SEQ, seq); // every acknowledged message
        }
        StringBuilder b = new StringBuilder(32);
        switch (kind) {
            case REQUEST -> b.append(",\"rid\":").append(id);
            case STREAM -> b.append(",\"rid\":").append(id).append(",\"credit\":").append(n);
            case MORE -> b.append(",\"rid\":").append(id).append(",\"more\":").append(n);
            case CANCEL -> b.append(",\"rid\":").append(id).append(",\"cancel\":true");
            case REPLY -> b.append(",\"re\":").append(id);
            case END -> b.append(",\"re\":").append(id).append(",\"end\":true");
            case ERROR -> b.append(",\"re\":").append(id).append(",\"error\":true");
            case ACK -> b.append(",\"ack\":").append(id);
            default -> {
            }
        }
        if (seq > 0) {
            b.append(",\"seq\":").append(seq);
        }
        byte[] head = b.toString().getBytes(StandardCharsets.US_ASCII);
        if (to == null && from == null) {
            return head;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + 32);
        out.writeBytes(head);
        if (to != null) {
            out.writeBytes(",\"to\":".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(JsonCodec.quoted(to));
        }
        if (from != null) {
            out.writeBytes(",\"from\":".getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(JsonCodec.quoted(from));
        }
        return out.toByteArray();
    }

    /** {@code ,"<name>":<id>} in one array. */
    private static byte[] idMember(byte[] name, long id) {
        byte[] b = new byte[name.length + digits(id)];
        writeMember(name, id, b, 0);
        return b;
    }

    /** Collects members while a frame is read, then says which envelope they make (null: none). */
    static final class Reader {
        long rid;
        long re;
        long credit;
        long more;
        long seq;
        /** -1: none; 0 is an ack (a server's answer to a session hello when nothing was delivered yet). */
        long ack = -1;
        boolean cancel;
        boolean end;
        boolean error;
        @Nullable String to;
        @Nullable String from;

        /** Takes an integer member; false if the name is not one of ours. */
        boolean integer(String name, long value) {
            boolean valid = value > 0 && value <= MAX_ID;
            switch (name) {
                case "rid" -> rid = valid ? value : 0;
                case "re" -> re = valid ? value : 0;
                case "credit" -> credit = valid ? value : 0;
                case "more" -> more = valid ? value : 0;
                case "seq" -> seq = valid ? value : 0;
                case "ack" -> ack = value >= 0 && value <= MAX_ID ? value : -1;
                default -> {
                    return false;
                }
            }
            return true;
        }

        boolean bool(String name, boolean value) {
            switch (name) {
                case "cancel" -> cancel = value;
                case "end" -> end = value;
                case "error" -> error = value;
                default -> {
                    return false;
                }
            }
            return true;
        }

        boolean string(String name, String value) {
            switch (name) {
                case "to" -> to = value;
                case "from" -> from = value;
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Nullable Envelope envelope() {
            int kind;
            long id = 0;
            long n = 0;
            if (re > 0) {
                id = re;
                kind = error ? ERROR : end ? END : REPLY;
            } else if (rid > 0) {
                id = rid;
                if (cancel) {
                    kind = CANCEL;
                } else if (more > 0) {
                    kind = MORE;
                    n = more;
                } else if (credit > 0) {
                    kind = STREAM;
                    n = credit;
                } else {
                    kind = REQUEST;
                }
            } else if (ack >= 0) {
                kind = ACK;
                id = ack;
            } else {
                kind = NONE;
            }
            if (kind == NONE && to == null && from == null && seq == 0) {
                return null;
            }
            return new Envelope(kind, id, n, to, from, seq, null);
        }
    }

    @Override
    public String toString() {
        return new String(members(), StandardCharsets.UTF_8);
    }
}
