package io.reactiveipc.test;

import io.reactiveipc.internal.JsonCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Splits what was read into frames. */
abstract class FrameReader implements RawConnection {
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private final java.util.ArrayDeque<String> frames = new java.util.ArrayDeque<>();

    void received(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            partial.write(bytes[i]);
            if (bytes[i] == JsonCodec.DELIMITER) {
                frames.add(partial.toString(StandardCharsets.UTF_8));
                partial.reset();
            }
        }
    }

    String nextOrNull() {
        return frames.poll();
    }
}
