package io.reactiveipc.spi;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import reactor.core.publisher.Mono;

/**
 * Binds UDP sockets for {@link IpcDatagramSocket#bind}. Apart from {@link IpcTransport}: a datagram socket has no
 * links, so the library's connection machinery (queues, reconnect, handlers) does not apply, and the transport
 * provides the whole socket. Registered in {@code META-INF/services/io.reactiveipc.spi.IpcDatagramTransport}.
 */
public interface IpcDatagramTransport {

    /** Binds {@code address} when subscribed; fails with an {@link io.reactiveipc.IpcException} if it cannot. */
    Mono<IpcDatagramSocket> bind(IpcAddress.Udp address, IpcConfig config);
}
