package io.reactiveipc.transport;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.test.StepVerifier;

/**
 * A TCP client retrying against a local port where nothing listens can be connected to itself by the kernel
 * (simultaneous open). Forced here by binding the client to the port it connects to: the attempt must fail.
 */
class TcpSelfConnectTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aSocketConnectedToItselfIsAFailedAttemptNotAConnection(boolean nativeTransport) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        NettyTransport t = new NettyTransport(nativeTransport);
        StepVerifier.create(t.connect(IpcAddress.tcp("127.0.0.1", port), IpcConfig.defaults(),
                        new InetSocketAddress("127.0.0.1", port)))
                .expectErrorSatisfies(e -> org.assertj.core.api.Assertions.assertThat(e)
                        .isInstanceOf(IpcException.class).hasMessageContaining("connected to itself"))
                .verify(Duration.ofSeconds(10));
        // Closed abortively, so no TIME_WAIT holds the port, and the failure comes once the socket is closed (on NIO
        // the JDK closes it at the selector's next select, after the close future): a server can bind it at once.
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress("127.0.0.1", port));
        }
    }
}
