package io.reactiveipc.transport;

class UnixEpollTransportTest extends NettyContract {
    UnixEpollTransportTest() {
        super(true, true);
    }
}
