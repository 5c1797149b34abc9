package io.reactiveipc;

/**
 * The outbound queue was full: the message was refused, nothing already queued was dropped.
 * See {@link IpcConfig#maxQueuedMessages()}.
 */
public final class IpcOverflowException extends IpcException {
    private static final long serialVersionUID = 1L;

    public IpcOverflowException(int capacity) {
        super("outbound queue is full (" + capacity + " messages): the message was refused;"
                + " slow down, wait for send() to complete, or raise maxQueuedMessages");
    }
}
