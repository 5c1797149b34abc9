package io.reactiveipc.spi;

import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import io.reactiveipc.PeerCredentials;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** One open socket of a transport. */
public interface Link {

    /**
     * Decoded messages in arrival order, honouring demand (no demand: stop reading). Frames that break the
     * protocol go to {@code protocolErrors} and are skipped. Completes when the socket closed. Subscribe once.
     */
    Flux<Message> receive(Consumer<IpcProtocolException> protocolErrors);

    /**
     * Starts writing from {@code queue}, in order, whenever it signals. When the socket closes, entries taken
     * from the queue but not completely written are handed back with {@link OutboundQueue#returnUnwritten}.
     */
    void startWriting(OutboundQueue queue);

    /**
     * Closes now. Entries not completely written are handed back to the queue (see {@link #startWriting}); a
     * graceful close after everything queued is the queue's {@code tryEmitComplete()}. Idempotent.
     */
    void close();

    /**
     * Ends this side's output (a half close, {@code shutdown(SHUT_WR)}; in TLS a {@code close_notify}) and keeps
     * reading: the peer sees the end of the stream, stops writing and closes, and what it wrote before that is still
     * received. The socket closes when the peer's end of stream arrives, or on {@link #close()}. The default closes
     * at once. Idempotent.
     */
    default void closeOutput() {
        close();
    }

    /**
     * Answers a peer that broke the protocol, then closes ({@link io.reactiveipc.IpcConfig.OnProtocolError#CLOSE}):
     * stops reading at once (messages decoded but not yet delivered are dropped), writes {@code error} with the
     * link's codec after the frame being written, and closes once it is flushed, or after a short bound if the peer
     * does not read. An error the codec cannot encode is not written. The default only closes. Idempotent.
     */
    default void refuse(Message error) {
        close();
    }

    /** Completes when the socket is closed and unwritten entries were handed back. */
    Mono<Void> onClose();

    /**
     * Runs {@code action} when the socket is closed and unwritten entries were handed back, before
     * {@link #onClose()} completes; at once if it is closed already. The connection's own bookkeeping: one action
     * per link. The default subscribes to {@link #onClose()}; a transport may keep the action in a field instead
     * (every idle connection has one, and a subscription costs a hundred bytes more).
     */
    default void whenClosed(Runnable action) {
        onClose().subscribe(null, null, action);
    }

    /**
     * The peer process's credentials, for a Unix socket whose transport can read them ({@code SO_PEERCRED});
     * empty otherwise. Called on the transport's I/O thread when the link is accepted: it must not block.
     */
    default Optional<PeerCredentials> peerCredentials() {
        return Optional.empty();
    }

    /** The peer, for logs and events. */
    String remote();

    /**
     * Why the link closed itself (a peer that stopped reading, a frame that never finished), once it has; null when
     * it has not, or closed for the usual reasons (the peer left, {@link #close()}).
     */
    default @Nullable Throwable closeCause() {
        return null;
    }

    /**
     * {@link System#nanoTime()} of the last complete frame received, or of the connect when none came yet: how long
     * the peer has been quiet, for evicting idle sockets at {@code maxConnections}. {@link Long#MAX_VALUE}: not
     * known, never evicted.
     */
    default long quietSince() {
        return Long.MAX_VALUE;
    }
}
