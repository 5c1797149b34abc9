package io.reactiveipc.transport;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.spi.IpcTransport;
import io.reactiveipc.test.IpcTestAddresses;
import io.reactiveipc.test.IpcTransportContract;

class UnixEpollTransportTest implements IpcTransportContract {
    static final NettyTransport TRANSPORT = new NettyTransport(true);

    @Override
    public IpcTransport transport() {
        return TRANSPORT;
    }

    @Override
    public IpcAddress bindableAddress() {
        return IpcTestAddresses.unix();
    }

    @Override
    public IpcAddress freeAddress() {
        return IpcTestAddresses.unix();
    }
}
