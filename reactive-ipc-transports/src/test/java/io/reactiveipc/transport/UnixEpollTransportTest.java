package io.reactiveipc.transport;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.test.IpcTestAddresses;

class UnixEpollTransportTest extends TransportContractTest {
    static final NettyTransport TRANSPORT = new NettyTransport(true);

    @Override
    NettyTransport transport() {
        return TRANSPORT;
    }

    @Override
    IpcAddress bindableAddress() {
        return IpcTestAddresses.unix();
    }

    @Override
    IpcAddress freeAddress() {
        return IpcTestAddresses.unix();
    }
}
