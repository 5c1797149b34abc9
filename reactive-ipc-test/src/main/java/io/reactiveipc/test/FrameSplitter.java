package io.reactiveipc.test;

import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.internal.Frames;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The socket decoder's framing over byte chunks, for the in-JVM transport: the same outcomes (frames, oversized and
 * truncated frames, raw chunks) for the codec's delimiter.
 */
final class FrameSplitter {

    private final IpcCodec codec;
    private final byte[] delimiter;
    private final int maxFrameSize;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean discarding;

    FrameSplitter(IpcCodec codec, int maxFrameSize) {
        this.codec = codec;
        this.delimiter = codec.delimiter();
        this.maxFrameSize = maxFrameSize;
    }

    /** Messages and {@link IpcProtocolException}s, in order, for the frames this chunk completes. */
    List<Object> feed(byte[] chunk) {
        List<Object> out = new ArrayList<>();
        if (delimiter.length == 0) {
            for (int from = 0; from < chunk.length; from += maxFrameSize) {
                decode(Arrays.copyOfRange(chunk, from, Math.min(chunk.length, from + maxFrameSize)), out);
            }
            return out;
        }
        pending.writeBytes(chunk);
        byte[] bytes = pending.toByteArray();
        int start = 0;
        for (int at; (at = Frames.indexOf(bytes, start, bytes.length, delimiter)) >= 0; start = at + delimiter.length) {
            frame(bytes, start, at, out);
        }
        pending.reset();
        int left = bytes.length - start;
        if (!discarding && left > maxFrameSize + delimiter.length - 1) {
            out.add(new IpcProtocolException(Reason.FRAME_TOO_LARGE, "frame of more than " + left
                    + " bytes exceeds maxFrameSize " + maxFrameSize + "; it was skipped up to the next delimiter"));
            discarding = true;
        }
        // keep what may start a delimiter; while discarding, nothing else
        int keep = discarding ? Math.min(left, delimiter.length - 1) : left;
        pending.write(bytes, bytes.length - keep, keep);
        return out;
    }

    /** At close: a partial frame is a truncated one. */
    List<Object> finish() {
        if (pending.size() > 0 || discarding) {
            return List.of(new IpcProtocolException(Reason.TRUNCATED_FRAME, "the peer closed the connection "
                    + pending.size() + " bytes into a frame; the partial frame was discarded"));
        }
        return List.of();
    }

    private void frame(byte[] bytes, int from, int to, List<Object> out) {
        if (discarding) {
            discarding = false;
        } else if (to - from > maxFrameSize) {
            out.add(new IpcProtocolException(Reason.FRAME_TOO_LARGE, "frame of " + (to - from)
                    + " bytes exceeds maxFrameSize " + maxFrameSize + "; it was skipped up to the next delimiter"));
        } else {
            decode(Arrays.copyOfRange(bytes, from, to), out);
        }
    }

    private void decode(byte[] frame, List<Object> out) {
        try {
            out.add(codec.decode(frame, 0, frame.length));
        } catch (IpcProtocolException e) {
            out.add(e);
        }
    }
}
