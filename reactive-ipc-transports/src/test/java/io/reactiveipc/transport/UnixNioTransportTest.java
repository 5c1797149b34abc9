package io.reactiveipc.transport;

class UnixNioTransportTest extends NettyContract {
    UnixNioTransportTest() {
        super(false, true);
    }
}
