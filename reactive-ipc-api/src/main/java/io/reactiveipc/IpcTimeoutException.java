package io.reactiveipc;

/**
 * No answer came within {@link IpcConfig#requestTimeout()}. The request's slot is freed; an answer that
 * arrives later is discarded.
 */
public final class IpcTimeoutException extends IpcException {
    private static final long serialVersionUID = 1L;

    public IpcTimeoutException(String message) {
        super(message);
    }
}
