package io.reactiveipc.test;

import io.reactiveipc.IpcAddress;
import java.time.Duration;

/**
 * A peer that speaks bytes, not messages: for testing what a server does with input our own client would never
 * send (malformed JSON, oversized or truncated frames). Blocking: for test threads only.
 *
 * <pre>{@code
 * try (RawConnection evil = RawConnection.to(server.address())) {
 *     evil.write("not json\f{\"type\":\"ping\",\"data\":1}\f");
 *     String answer = evil.readFrame(Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public interface RawConnection extends AutoCloseable {

    /** Writes these UTF-8 bytes as they are (add the {@code \f} delimiters yourself). */
    void write(String utf8);

    /** The next whole frame the server sent, delimiter included. */
    String readFrame(Duration timeout);

    /**
     * Waits until the other end closed the connection, keeping the frames it sent before for {@link #readFrame};
     * fails if it is still open after {@code timeout}.
     */
    void awaitClosed(Duration timeout);

    /** Closes the connection; a frame written only in part is then truncated. */
    @Override
    void close();

    /** A raw connection to a server on a Unix socket, TCP, or inside this JVM. */
    static RawConnection to(IpcAddress address) {
        if (address instanceof IpcAddress.Local local) {
            return LocalTransport.raw(local);
        }
        return new SocketRawConnection(address);
    }
}
