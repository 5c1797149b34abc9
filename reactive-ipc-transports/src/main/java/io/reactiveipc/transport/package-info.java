/**
 * Reactor Netty transports for {@link io.reactiveipc.IpcAddress.Unix} (native epoll when it loads, NIO with
 * {@code java.net.UnixDomainSocketAddress} otherwise) and {@link io.reactiveipc.IpcAddress.Tcp}, in node-ipc's
 * framing; and UDP sockets for {@link io.reactiveipc.IpcAddress.Udp} ({@link io.reactiveipc.IpcDatagramSocket}, always
 * NIO). Found by {@link java.util.ServiceLoader}; users never name these classes. The system property
 * {@code io.reactiveipc.native=false} forces NIO.
 */
@NullMarked
package io.reactiveipc.transport;

import org.jspecify.annotations.NullMarked;
