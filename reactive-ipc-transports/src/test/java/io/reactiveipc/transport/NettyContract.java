package io.reactiveipc.transport;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.spi.IpcTransport;
import io.reactiveipc.test.IpcHandlerContract;
import io.reactiveipc.test.IpcTestAddresses;
import io.reactiveipc.test.IpcTransportContract;
import io.reactiveipc.test.RawConnection;
import java.util.function.Supplier;

/** The contract on one Netty flavour: epoll or NIO, Unix socket or TCP, plain or TLS. */
abstract class NettyContract implements IpcTransportContract, IpcHandlerContract {
    private static final NettyTransport EPOLL = new NettyTransport(true);
    private static final NettyTransport NIO = new NettyTransport(false);

    private final NettyTransport transport;
    private final boolean tls;
    private final Supplier<IpcAddress> bindable;
    private final Supplier<IpcAddress> free;

    NettyContract(boolean epoll, boolean unix) {
        this(epoll ? EPOLL : NIO, false, unix);
    }

    NettyContract(NettyTransport transport, boolean tls, boolean unix) {
        this.transport = transport;
        this.tls = tls;
        this.bindable = unix ? IpcTestAddresses::unix : IpcTestAddresses::tcp;
        this.free = unix ? IpcTestAddresses::unix : IpcTestAddresses::freeTcpPort;
    }

    @Override
    public IpcTransport transport() {
        return transport;
    }

    @Override
    public IpcAddress bindableAddress() {
        return bindable.get();
    }

    @Override
    public IpcAddress freeAddress() {
        return free.get();
    }

    @Override
    public RawConnection rawConnection(IpcAddress address) {
        return tls ? new TlsRawConnection(address, TestPki.get().rawClientContext()) : RawConnection.to(address);
    }
}
