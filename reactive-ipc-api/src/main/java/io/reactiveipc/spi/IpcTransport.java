package io.reactiveipc.spi;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Moves frames for some kinds of {@link IpcAddress}. Reconnecting, queueing, events and connection limits are
 * not its business: the library builds those on top of {@link Link}.
 * The one registered in {@code META-INF/services/io.reactiveipc.spi.IpcTransport} that supports an address is the
 * default for it; any instance can be passed to {@code IpcServer.bind(transport, ...)} and
 * {@code IpcClient.connect(transport, ...)}.
 */
public interface IpcTransport {

    /** True if this transport serves this kind of address. */
    boolean supports(IpcAddress address);

    /**
     * Listens on {@code address} when subscribed; each accepted socket is handed to {@code onLink} on the
     * transport's I/O thread, before any of its bytes are read.
     */
    Mono<Listener> listen(IpcAddress address, IpcConfig config, Consumer<Link> onLink);

    /**
     * As {@link #listen(IpcAddress, IpcConfig, Consumer)}; a socket the transport accepted and then refused before
     * it became a link (a TLS handshake that failed) is reported to {@code onRefused} with the peer and the reason,
     * on the transport's I/O thread. The default never reports one.
     */
    default Mono<Listener> listen(IpcAddress address, IpcConfig config, Consumer<Link> onLink,
            BiConsumer<String, String> onRefused) {
        return listen(address, config, onLink);
    }

    /** One connect attempt when subscribed; fails with the cause if it did not succeed. */
    Mono<Link> connect(IpcAddress address, IpcConfig config);

    /** A bound listener. Disposing it stops accepting and releases the address (removes a socket file). */
    interface Listener extends Disposable {

        /** The bound address (for TCP port 0, the real port). */
        IpcAddress address();

        /** Completes when disposed and the address released. */
        Mono<Void> onDispose();
    }
}
