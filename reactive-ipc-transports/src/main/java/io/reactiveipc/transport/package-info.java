/**
 * Reactor Netty transports for {@link io.reactiveipc.IpcAddress.Unix} (native epoll when it loads, NIO with
 * {@code java.net.UnixDomainSocketAddress} otherwise) and {@link io.reactiveipc.IpcAddress.Tcp}, in node-ipc's
 * framing, plain or in TLS; and UDP sockets for {@link io.reactiveipc.IpcAddress.Udp}
 * ({@link io.reactiveipc.IpcDatagramSocket}, always NIO). The default transport is found by
 * {@link java.util.ServiceLoader}; build others (TLS, NIO, your own event loops or Netty handlers) with
 * {@link io.reactiveipc.transport.NettyTransport#builder()}. The system property {@code io.reactiveipc.native=false}
 * makes NIO the default.
 */
@NullMarked
package io.reactiveipc.transport;

import org.jspecify.annotations.NullMarked;
