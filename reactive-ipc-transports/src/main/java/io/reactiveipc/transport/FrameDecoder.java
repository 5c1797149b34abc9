package io.reactiveipc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.internal.JsonCodec;
import java.util.List;

/**
 * Splits the byte stream at {@code \f} and decodes each frame into a {@link io.reactiveipc.Message}; a frame that
 * breaks the protocol becomes an {@link IpcProtocolException} in the same position, and decoding goes on with the
 * next frame. Bytes already searched are not searched again, so a large frame arriving in many reads costs one
 * pass.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private final int maxFrameSize;
    /** Bytes after the reader index known to hold no delimiter. */
    private int scanned;
    /** While skipping an oversized frame: bytes skipped so far; else -1. */
    private long discarding = -1;

    FrameDecoder(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (;;) {
            int start = in.readerIndex();
            int end = in.writerIndex();
            int at = in.indexOf(start + scanned, end, JsonCodec.DELIMITER);
            if (at < 0) {
                int pending = end - start;
                if (discarding >= 0) {
                    discarding += pending;
                    in.skipBytes(pending);
                    scanned = 0;
                } else if (pending > maxFrameSize) {
                    out.add(tooLarge(pending, false));
                    discarding = pending;
                    in.skipBytes(pending);
                    scanned = 0;
                } else {
                    scanned = pending;
                }
                return;
            }
            int length = at - start;
            scanned = 0;
            if (discarding >= 0) {
                discarding = -1; // the oversized frame ends here; it was reported when it crossed the limit
            } else if (length > maxFrameSize) {
                out.add(tooLarge(length, true));
            } else {
                byte[] frame = new byte[length];
                in.getBytes(start, frame);
                try {
                    out.add(JsonCodec.decode(frame, 0, length));
                } catch (IpcProtocolException e) {
                    out.add(e);
                }
            }
            in.readerIndex(at + 1);
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        decode(ctx, in, out);
        int left = in.readableBytes();
        if (left > 0 || discarding > 0) {
            long bytes = left + Math.max(discarding, 0);
            out.add(new IpcProtocolException(Reason.TRUNCATED_FRAME, "the peer closed the connection "
                    + bytes + " bytes into a frame; the partial frame was discarded"));
            in.skipBytes(left);
            discarding = -1;
        }
    }

    /** Bytes held waiting for a delimiter. */
    int buffered() {
        return actualReadableBytes();
    }

    private IpcProtocolException tooLarge(long bytes, boolean complete) {
        return new IpcProtocolException(Reason.FRAME_TOO_LARGE, (complete ? "frame of " + bytes + " bytes"
                : "frame of more than " + bytes + " bytes") + " exceeds maxFrameSize " + maxFrameSize
                + "; it was skipped up to the next delimiter");
    }
}
