package io.reactiveipc.transport;

/** Every contract test over TCP in mutual TLS. */
class TlsTcpTransportTest extends NettyContract {
    private static final NettyTransport TLS = TestPki.get().transport("server").build();

    TlsTcpTransportTest() {
        super(TLS, true, false);
    }
}
