package io.reactiveipc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.spi.IpcMetricsRecorder;
import java.util.List;

/**
 * Splits the byte stream after each of the codec's delimiters and has the codec decode each frame into a
 * {@link io.reactiveipc.Message}; a frame that breaks the protocol becomes an {@link IpcProtocolException} in the
 * same position, and decoding goes on with the next frame. Bytes already searched are not searched again, so a
 * large frame arriving in many reads costs one pass. A codec without a delimiter (raw buffers) gets each read as
 * it came, up to {@code maxFrameSize} bytes a message.
 */
final class FrameDecoder extends ByteToMessageDecoder {

    private final IpcCodec codec;
    private final byte[] delimiter;
    private final int maxFrameSize;
    private final IpcMetricsRecorder metrics;
    /** Bytes after the reader index known to hold no (start of a) delimiter. */
    private int scanned;
    /** While skipping an oversized frame: bytes skipped so far; else -1. */
    private long discarding = -1;
    /**
     * Something was passed on (a message or a protocol error) since {@link SlowPeerHandler} last looked; set here
     * rather than seen by a {@code channelRead} of its own, so a message costs no extra pipeline hop.
     */
    boolean emitted;
    /** A message was passed on since {@link SlowPeerHandler} last looked. */
    boolean messageEmitted;

    FrameDecoder(IpcCodec codec, int maxFrameSize, IpcMetricsRecorder metrics) {
        this.codec = codec;
        this.metrics = metrics;
        this.delimiter = codec.delimiter();
        this.maxFrameSize = maxFrameSize;
    }

    /** Counts what the socket delivered, once per read rather than per frame. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf b) {
            metrics.bytesReceived(b.readableBytes());
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (delimiter.length == 0) {
            while (in.isReadable()) {
                int length = Math.min(in.readableBytes(), maxFrameSize);
                byte[] chunk = new byte[length];
                in.readBytes(chunk);
                decode(chunk, length, out);
            }
            return;
        }
        for (;;) {
            int start = in.readerIndex();
            int end = in.writerIndex();
            int at = indexOf(in, start + scanned, end);
            if (at < 0) {
                int pending = end - start;
                // the last bytes may be the start of a delimiter: search them again when more arrive
                int searched = Math.max(0, pending - (delimiter.length - 1));
                if (discarding >= 0) {
                    discarding += searched;
                    in.skipBytes(searched);
                    scanned = 0;
                } else if (pending > maxFrameSize + delimiter.length - 1) {
                    emitted = true;
                    out.add(tooLarge(pending, false));
                    discarding = searched;
                    in.skipBytes(searched);
                    scanned = 0;
                } else {
                    scanned = searched;
                }
                return;
            }
            int length = at - start;
            scanned = 0;
            if (discarding >= 0) {
                discarding = -1; // the oversized frame ends here; it was reported when it crossed the limit
            } else if (length > maxFrameSize) {
                emitted = true;
                out.add(tooLarge(length, true));
            } else {
                byte[] frame = new byte[length];
                in.getBytes(start, frame);
                decode(frame, length, out);
            }
            in.readerIndex(at + delimiter.length);
        }
    }

    private void decode(byte[] frame, int length, List<Object> out) {
        emitted = true;
        try {
            out.add(codec.decode(frame, 0, length));
            messageEmitted = true;
        } catch (IpcProtocolException e) {
            out.add(e);
        } catch (RuntimeException e) {
            out.add(new IpcProtocolException(Reason.INVALID_MESSAGE, "codec " + codec + " failed on a frame of "
                    + length + " bytes: " + e, e));
        }
    }

    /** The index of the next whole delimiter in {@code [from, end)}, or -1. */
    private int indexOf(ByteBuf in, int from, int end) {
        byte first = delimiter[0];
        if (delimiter.length == 1) {
            return in.indexOf(from, end, first);
        }
        for (int at = in.indexOf(from, end, first); at >= 0; at = in.indexOf(at + 1, end, first)) {
            if (at + delimiter.length > end) {
                return -1;
            }
            if (rest(in, at)) {
                return at;
            }
        }
        return -1;
    }

    private boolean rest(ByteBuf in, int at) {
        for (int i = 1; i < delimiter.length; i++) {
            if (in.getByte(at + i) != delimiter[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        decode(ctx, in, out);
        int left = in.readableBytes();
        if (left > 0 || discarding > 0) {
            long bytes = left + Math.max(discarding, 0);
            emitted = true;
            out.add(new IpcProtocolException(Reason.TRUNCATED_FRAME, "the peer closed the connection "
                    + bytes + " bytes into a frame; the partial frame was discarded"));
            in.skipBytes(left);
            discarding = -1;
        }
    }

    int delimiterLength() {
        return delimiter.length;
    }

    /**
     * Drops the partial frame held (a limit refused it): it is never decoded, and the close reports no truncation.
     * Its buffer goes back to the allocator with the next read or the close, whichever comes first.
     */
    void discardPartial() {
        ByteBuf held = internalBuffer();
        held.skipBytes(held.readableBytes());
        scanned = 0;
        discarding = -1;
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
