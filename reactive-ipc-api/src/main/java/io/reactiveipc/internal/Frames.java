package io.reactiveipc.internal;

import io.reactiveipc.IpcDataException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.IntSupplier;

/** What every transport does around a codec: one way to write a frame, one way to find a delimiter. */
public final class Frames {

    private Frames() {
    }

    /**
     * Writes one frame: the one encoded once for many connections if the message carries it, else the codec's.
     * Every failure becomes the exception the sender is given, and the frame is held to the limit. {@code written}
     * tells how many bytes {@code out} holds; on failure it holds a partial frame: discard it.
     *
     * @throws IpcDataException if the data cannot be encoded
     * @throws IpcProtocolException ({@code FRAME_TOO_LARGE}) if the frame, delimiter excluded, exceeds
     *         {@code maxFrameSize}
     */
    public static void encode(IpcCodec codec, Message message, OutputStream out, IntSupplier written,
            int delimiterLength, int maxFrameSize) {
        try {
            byte[] frame = MessageAccess.get().frame(message);
            if (frame != null) {
                out.write(frame);
            } else {
                codec.encode(message, out);
            }
        } catch (IpcDataException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IpcDataException("message '" + message.type() + "' could not be encoded: " + e, e);
        }
        int frame = written.getAsInt() - delimiterLength;
        if (frame > maxFrameSize) {
            throw new IpcProtocolException(Reason.FRAME_TOO_LARGE, "outbound message '" + message.type()
                    + "' is a frame of " + frame + " bytes, over maxFrameSize " + maxFrameSize + "; it was not sent");
        }
    }

    /**
     * The message with its frame encoded now, once, for sending to many connections that share {@code codec}.
     *
     * @throws IpcDataException if the data cannot be encoded
     */
    public static Message encodedOnce(IpcCodec codec, Message message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        encode(codec, message, bytes, bytes::size, 0, Integer.MAX_VALUE);
        return MessageAccess.get().withFrame(message, bytes.toByteArray());
    }

    /** The first index of {@code delimiter} in {@code bytes[from, to)}, or -1. */
    public static int indexOf(byte[] bytes, int from, int to, byte[] delimiter) {
        byte first = delimiter[0];
        outer:
        for (int i = from, last = to - delimiter.length; i <= last; i++) {
            if (bytes[i] != first) {
                continue;
            }
            for (int j = 1; j < delimiter.length; j++) {
                if (bytes[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
