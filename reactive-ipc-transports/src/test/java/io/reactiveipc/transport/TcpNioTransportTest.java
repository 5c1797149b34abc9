package io.reactiveipc.transport;

class TcpNioTransportTest extends NettyContract {
    TcpNioTransportTest() {
        super(false, false);
    }
}
