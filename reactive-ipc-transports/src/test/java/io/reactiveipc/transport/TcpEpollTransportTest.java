package io.reactiveipc.transport;

class TcpEpollTransportTest extends NettyContract {
    TcpEpollTransportTest() {
        super(true, false);
    }
}
