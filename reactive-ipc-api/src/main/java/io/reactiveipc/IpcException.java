package io.reactiveipc;

/**
 * Base of every exception this library raises or signals. Unchecked, as Reactor's error channel expects.
 * A bind or connect failure is an {@code IpcException} whose cause is the operating system's error.
 */
public class IpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IpcException(String message) {
        super(message);
    }

    public IpcException(String message, Throwable cause) {
        super(message, cause);
    }
}
