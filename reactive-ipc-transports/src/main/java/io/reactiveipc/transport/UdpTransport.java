package io.reactiveipc.transport;

import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.SocketProtocolFamily;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcException;
import io.reactiveipc.internal.Reasons;
import io.reactiveipc.spi.IpcDatagramTransport;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ChannelBindException;
import reactor.netty.NettyPipeline;
import reactor.netty.udp.UdpServer;

/**
 * UDP over Reactor Netty's {@link UdpServer}: node-ipc's {@code serveNet(host, port, 'udp4' | 'udp6')}. Registered
 * with {@link java.util.ServiceLoader}; public only for that.
 *
 * <p>NIO datagram channels with the family asked for (Reactor Netty's {@code runOn(loops, family)} is NIO only): an
 * epoll datagram socket is always dual-stack IPv6, where a {@code udp4} socket would see IPv4-mapped senders and the
 * IPv6 payload limit would not be the one that applies.
 */
public final class UdpTransport implements IpcDatagramTransport {

    /** Every datagram is read whole: Netty's default for datagrams (2048 bytes) cuts longer ones off silently. */
    static final int RECEIVE_BUFFER = 65_536;

    private final java.util.function.LongSupplier clock;

    /** The transport {@link java.util.ServiceLoader} creates. */
    public UdpTransport() {
        this(System::nanoTime);
    }

    /** With a clock of nanoseconds that a test moves on, for the expiries of peers and partial frames. */
    UdpTransport(java.util.function.LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    @SuppressWarnings("deprecation") // RCVBUF_ALLOCATOR: still how Netty 4.2's NIO datagram channel sizes its reads
    public Mono<IpcDatagramSocket> bind(IpcAddress.Udp address, IpcConfig config) {
        return Mono.fromCallable(() -> resolve(address))
                .subscribeOn(Schedulers.boundedElastic()) // may look a host name up
                .flatMap(bindTo -> {
                    NettyDatagramSocket socket = new NettyDatagramSocket(address, config, clock);
                    return UdpServer.create()
                            .runOn(SharedLoops.get(false), address.ipv6() ? SocketProtocolFamily.INET6
                                    : SocketProtocolFamily.INET)
                            .bindAddress(() -> bindTo)
                            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_BUFFER))
                            .doOnChannelInit((observer, channel, remote) -> {
                                if (channel.pipeline().get(NettyPipeline.ReactiveBridge) != null) {
                                    channel.pipeline().addBefore(NettyPipeline.ReactiveBridge, "ipc.datagrams",
                                            socket);
                                } else {
                                    channel.pipeline().addLast("ipc.datagrams", socket);
                                }
                            })
                            .bind()
                            .onErrorResume(e -> !(e instanceof IpcException), e -> Mono.fromCallable(
                                    () -> new IpcException("cannot bind " + address + ": " + reason(e, bindTo), e))
                                    .subscribeOn(Schedulers.boundedElastic())
                                    .flatMap(Mono::error))
                            .map(connection -> socket.bound(connection));
                });
    }

    /**
     * The root reason of a failed bind. Reactor Netty's UDP bind drops the {@link java.net.BindException} it wraps
     * (a {@link ChannelBindException} without a cause, "Failed to bind on [...]"), and with it the reason: address
     * already in use, permission denied, cannot assign the address. A plain JDK bind of the same address, closed at
     * once, says which (blocking: on a bounded elastic thread).
     */
    private static String reason(Throwable e, InetSocketAddress bindTo) {
        if (e instanceof ChannelBindException && e.getCause() == null) {
            try (DatagramChannel probe = DatagramChannel.open(bindTo.getAddress() instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET)) {
                probe.bind(bindTo);
            } catch (IOException | RuntimeException why) {
                return Reasons.of(why);
            }
        }
        return Reasons.of(e);
    }

    private static InetSocketAddress resolve(IpcAddress.Udp address) {
        try {
            for (InetAddress a : InetAddress.getAllByName(address.host())) {
                if (address.ipv6() ? a instanceof Inet6Address : a instanceof Inet4Address) {
                    return new InetSocketAddress(a, address.port());
                }
            }
        } catch (UnknownHostException e) {
            throw new IpcException("cannot bind " + address + ": unknown host " + address.host(), e);
        }
        throw new IpcException("cannot bind " + address + ": " + address.host() + " has no "
                + (address.ipv6() ? "IPv6" : "IPv4") + " address");
    }

    @Override
    public String toString() {
        return "UdpTransport{nio}";
    }
}
