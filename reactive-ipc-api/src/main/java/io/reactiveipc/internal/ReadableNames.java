package io.reactiveipc.internal;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;
import tools.jackson.core.exc.StreamWriteException;
import tools.jackson.core.util.JsonGeneratorDelegate;

/**
 * Refuses a member name holding a lone surrogate while the data is written. Such a name is written escaped
 * ({@code "\ud800"}, as {@code JSON.stringify} does) and node's {@code JSON.parse} takes it, but Jackson's parser
 * refuses it in a name ("Broken surrogate pair in property name") while it takes the same escape in a value: a frame
 * we wrote would disconnect a Java peer (us included) with {@code MALFORMED_JSON}. No spelling of the name gets
 * through Jackson, so the send fails instead ({@code IpcDataException}, from the codec's catch of
 * {@link JacksonException}) and nothing is written to the peer.
 */
final class ReadableNames extends JsonGeneratorDelegate {

    ReadableNames(JsonGenerator g) {
        super(g, false);
    }

    @Override
    public JsonGenerator writeName(String name) throws JacksonException {
        check(name);
        return super.writeName(name);
    }

    @Override
    public JsonGenerator writeName(SerializableString name) throws JacksonException {
        check(name.getValue());
        return super.writeName(name);
    }

    private void check(String name) {
        int at = loneSurrogate(name);
        if (at >= 0) {
            throw new StreamWriteException(this, "member name \"" + escaped(name) + "\" holds a lone surrogate (U+"
                    + Integer.toHexString(name.charAt(at)).toUpperCase(java.util.Locale.ROOT) + " at index " + at
                    + "), which a Jackson peer refuses in a name; only paired surrogates can be written");
        }
    }

    /** The index of the first surrogate without its pair, or -1. */
    static int loneSurrogate(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else {
                return i;
            }
        }
        return -1;
    }

    private static String escaped(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 40) + 8);
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > 40 ? b.append("...").toString() : b.toString();
    }
}
