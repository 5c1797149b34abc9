package io.reactiveipc.transport;

/** Every contract test over a Unix socket in mutual TLS (the client checks the name {@code localhost}, as Node). */
class TlsUnixTransportTest extends NettyContract {
    private static final NettyTransport TLS = TestPki.get().transport("server").build();

    TlsUnixTransportTest() {
        super(TLS, true, true);
    }
}
