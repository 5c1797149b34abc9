package io.reactiveipc;

import static java.util.Objects.requireNonNull;

/**
 * The peer answered a request with an error. Its wire form is the answer frame with {@code "error":true} and
 * data {@code {"code":...,"message":...}}. Codes this library sends:
 * <ul>
 * <li>{@code E_HANDLER}: the handler threw or signalled an error (its message is passed on);</li>
 * <li>{@code E_DATA}: the request's data did not bind to what the handler asked for;</li>
 * <li>{@code E_NO_HANDLER}: nothing handles that type on the peer;</li>
 * <li>{@code E_NO_CLIENT}, {@code E_REFUSED}: a server could not, or would not, relay to the client named;</li>
 * <li>{@code E_CLOSED}: the peer was closing.</li>
 * </ul>
 * A handler may throw an {@code IpcRemoteException} to choose code and message itself.
 */
public class IpcRemoteException extends IpcException {
    private static final long serialVersionUID = 1L;

    private final String type;
    private final String code;
    private final String remoteMessage;

    public IpcRemoteException(String type, String code, String remoteMessage) {
        super("request '" + requireNonNull(type, "type") + "' failed at the peer: " + requireNonNull(code, "code")
                + ": " + requireNonNull(remoteMessage, "remoteMessage"));
        this.type = type;
        this.code = code;
        this.remoteMessage = remoteMessage;
    }

    /** A handler's way to answer with this code and message. */
    public IpcRemoteException(String code, String remoteMessage) {
        this("?", code, remoteMessage);
    }

    /** The type of the request that failed. */
    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    /** The message the peer gave. */
    public String remoteMessage() {
        return remoteMessage;
    }
}
