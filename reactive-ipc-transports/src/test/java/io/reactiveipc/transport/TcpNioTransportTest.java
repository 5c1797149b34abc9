package io.reactiveipc.transport;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.test.IpcTestAddresses;

class TcpNioTransportTest extends TransportContractTest {
    static final NettyTransport TRANSPORT = new NettyTransport(false);

    @Override
    NettyTransport transport() {
        return TRANSPORT;
    }

    @Override
    IpcAddress bindableAddress() {
        return IpcTestAddresses.tcp();
    }

    @Override
    IpcAddress freeAddress() {
        return IpcTestAddresses.freeTcpPort();
    }
}
