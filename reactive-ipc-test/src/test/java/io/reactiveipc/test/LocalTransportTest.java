package io.reactiveipc.test;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.spi.IpcTransport;
import java.util.UUID;

/** The in-JVM transport keeps the same contract as the socket transports. */
class LocalTransportTest implements IpcTransportContract, IpcHandlerContract {
    static final LocalTransport TRANSPORT = new LocalTransport();

    @Override
    public IpcTransport transport() {
        return TRANSPORT;
    }

    @Override
    public IpcAddress bindableAddress() {
        return IpcAddress.local("contract-" + UUID.randomUUID());
    }

    @Override
    public IpcAddress freeAddress() {
        return bindableAddress();
    }
}
