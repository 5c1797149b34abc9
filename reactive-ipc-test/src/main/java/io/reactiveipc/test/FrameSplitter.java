package io.reactiveipc.test;

import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.internal.JsonCodec;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** node-ipc framing over byte chunks, for the in-JVM transport: the same outcomes as the socket decoder. */
final class FrameSplitter {

    private final int maxFrameSize;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private boolean discarding;

    FrameSplitter(int maxFrameSize) {
        this.maxFrameSize = maxFrameSize;
    }

    /** Messages and {@link IpcProtocolException}s, in order, for the frames this chunk completes. */
    List<Object> feed(byte[] chunk) {
        List<Object> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < chunk.length; i++) {
            if (chunk[i] == JsonCodec.DELIMITER) {
                append(chunk, start, i, out);
                frame(out);
                start = i + 1;
            }
        }
        append(chunk, start, chunk.length, out);
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

    private void append(byte[] chunk, int from, int to, List<Object> out) {
        if (discarding) {
            return;
        }
        pending.write(chunk, from, to - from);
        if (pending.size() > maxFrameSize) {
            out.add(new IpcProtocolException(Reason.FRAME_TOO_LARGE, "frame of more than " + pending.size()
                    + " bytes exceeds maxFrameSize " + maxFrameSize + "; it was skipped up to the next delimiter"));
            pending.reset();
            discarding = true;
        }
    }

    private void frame(List<Object> out) {
        if (discarding) {
            discarding = false;
            return;
        }
        byte[] frame = pending.toByteArray();
        pending.reset();
        try {
            out.add(JsonCodec.decode(frame, 0, frame.length));
        } catch (IpcProtocolException e) {
            out.add(e);
        }
    }
}
