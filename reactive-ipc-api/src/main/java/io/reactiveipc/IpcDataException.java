package io.reactiveipc;

/**
 * A message's {@code data} could not be turned into JSON (when sending) or bound to the requested Java type
 * (when reading). Sending: that one message is not written, its {@code send} fails with this exception and
 * the connection publishes it as {@link IpcEvent.Failure}; messages before and after it are unaffected.
 */
public final class IpcDataException extends IpcException {
    private static final long serialVersionUID = 1L;

    public IpcDataException(String message) {
        super(message);
    }

    public IpcDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
