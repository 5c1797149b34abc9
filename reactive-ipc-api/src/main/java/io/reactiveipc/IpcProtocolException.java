package io.reactiveipc;

import static java.util.Objects.requireNonNull;

/**
 * A frame that broke the wire protocol. Inbound, the frame is discarded and the error is published on the
 * connection's events as {@link IpcEvent.Failure}; then, by default, the peer is answered with an error frame and
 * its socket closed, or with {@link IpcConfig.OnProtocolError#SKIP} the connection reads on (frames are delimited
 * by {@code \f}, which never occurs inside valid JSON text, so the next frame is read intact). Outbound (a frame
 * larger than {@link IpcConfig#maxFrameSize()}), the message is not written and its {@code send} fails.
 */
public final class IpcProtocolException extends IpcException {
    private static final long serialVersionUID = 1L;

    /** What was wrong with the frame. */
    public enum Reason {
        /** The frame is not one well-formed JSON value. */
        MALFORMED_JSON,
        /** Well-formed JSON, but not an object with a string {@code type}. node-ipc crashes on these. */
        INVALID_MESSAGE,
        /**
         * Longer than {@link IpcConfig#maxFrameSize()}; inbound, reported as soon as maxFrameSize + 1 bytes of it
         * arrived, and its bytes are never held: the peer is refused, or (SKIP) they are skipped up to the next
         * delimiter.
         */
        FRAME_TOO_LARGE,
        /** The peer closed the connection in the middle of a frame; the partial frame was discarded. */
        TRUNCATED_FRAME,
        /**
         * A frame begun but not finished within {@link PeerLimits#frameTimeout()} while the connection was reading:
         * the partial frame was discarded, the peer answered with an error frame and the connection closed, with
         * either {@link IpcConfig.OnProtocolError} (a frame whose end may never come cannot be skipped).
         */
        FRAME_TIMEOUT,
        /**
         * A partial frame that would take the server past its {@link PeerLimits#partialFrameBudget()} (shared by all
         * its connections): discarded, the peer answered and the connection closed, with either
         * {@link IpcConfig.OnProtocolError}. Not only this peer's doing: a peer may connect again later.
         */
        PARTIAL_FRAME_BUDGET
    }

    private final Reason reason;

    public IpcProtocolException(Reason reason, String message) {
        super(requireNonNull(reason, "reason") + ": " + message);
        this.reason = reason;
    }

    public IpcProtocolException(Reason reason, String message, Throwable cause) {
        super(requireNonNull(reason, "reason") + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
