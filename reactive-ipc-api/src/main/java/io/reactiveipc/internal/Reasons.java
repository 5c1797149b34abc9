package io.reactiveipc.internal;

import java.io.FileNotFoundException;
import java.net.BindException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The reason of a failure in a few words, for the top of an error message: "address already in use", "no such
 * file or directory", "connection refused". Netty and Reactor Netty wrap the reason two or three causes deep
 * ({@code ChannelBindException: Failed to bind on [...]} around {@code BindException: Address already in use});
 * the user should not have to dig for it.
 */
public final class Reasons {

    /** Netty native errors: "connect(..) failed: No such file or directory", "bind(..) failed with error(-98): ...". */
    private static final Pattern SYSCALL = Pattern.compile("^\\w+\\(\\.\\.\\) failed[^:]*: ");

    private Reasons() {
    }

    /** The root cause's reason in words, lower case first as a clause after a colon. */
    public static String of(Throwable error) {
        Throwable root = root(error);
        if (root instanceof NoSuchFileException || root instanceof FileNotFoundException) {
            return "no such file or directory";
        }
        if (root instanceof AccessDeniedException) {
            return "permission denied";
        }
        String m = root.getMessage();
        if (m == null || m.isBlank()) {
            if (root instanceof BindException) {
                return "address already in use";
            }
            if (root instanceof ConnectException) {
                return "connection refused";
            }
            return root.getClass().getSimpleName();
        }
        m = SYSCALL.matcher(m.strip()).replaceFirst("");
        if (m.length() > 1 && Character.isUpperCase(m.charAt(0)) && Character.isLowerCase(m.charAt(1))) {
            m = m.substring(0, 1).toLowerCase(Locale.ROOT) + m.substring(1);
        }
        return m;
    }

    /** The deepest cause (a cycle ends the walk). */
    static Throwable root(Throwable error) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        Throwable t = error;
        while (t.getCause() != null && seen.put(t, Boolean.TRUE) == null) {
            t = t.getCause();
        }
        return t;
    }
}
