package io.reactiveipc;

/**
 * A bound was reached. Outbound: the queue was full (or, in acknowledged delivery, the replay buffer, or the server's
 * {@link Delivery#replayBudget()}), the message was refused, nothing already queued was dropped.
 * Inbound: a subscriber of {@code inbound()} fell {@link IpcConfig#maxQueuedMessages()} messages behind the fastest
 * one and was dropped with this error. See {@link IpcConfig#maxQueuedMessages()}.
 */
public final class IpcOverflowException extends IpcException {
    private static final long serialVersionUID = 1L;

    public IpcOverflowException(int capacity) {
        super("outbound queue is full (" + capacity + " messages): the message was refused;"
                + " slow down, wait for send() to complete, or raise maxQueuedMessages");
    }

    public IpcOverflowException(String message) {
        super(message);
    }
}
