package io.reactiveipc;

/**
 * The connection or client was closed before a message could be written. Signalled by {@code send} for
 * messages still queued when a server-side connection closes or a client is disposed.
 */
public final class IpcClosedException extends IpcException {
    private static final long serialVersionUID = 1L;

    public IpcClosedException(String message) {
        super(message);
    }
}
