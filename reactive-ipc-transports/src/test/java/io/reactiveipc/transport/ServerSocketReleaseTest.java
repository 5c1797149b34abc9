package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * A server's (and a UDP socket's) {@code onDispose()} completes only once its port is free: anyone may bind it at
 * that moment. Over NIO
 * the JDK closes a listening socket only at its event loop's next select, after Netty's close future completed
 * (see {@link NioRelease}); a port freed "a moment later" shows here as "address already in use".
 */
class ServerSocketReleaseTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final IpcConfig QUIET = IpcConfig.builder().silent(true).build();
    private static final int ROUNDS = 300;

    @ParameterizedTest(name = "native={0}")
    @ValueSource(booleans = {false, true})
    void theMomentOnDisposeCompletesThePortCanBeBoundAgain(boolean nativeTransport) {
        NettyTransport transport = new NettyTransport(nativeTransport);
        IpcServer first = IpcServer.bind(transport, IpcAddress.tcp("127.0.0.1", 0), QUIET).block(T);
        int port = ((IpcAddress.Tcp) first.address()).port();
        first.disposeNow(T);
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            IpcServer server = IpcServer.bind(transport, IpcAddress.tcp("127.0.0.1", port), QUIET).block(T);
            server.dispose();
            // Bound on the thread that completes onDispose(), with no hop in between: the earliest a user can.
            String failure = server.onDispose().then(Mono.fromCallable(() -> bindPlain(port))).block(T);
            if (!failure.isEmpty()) {
                failures.add("round " + round + ": " + failure);
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void theMomentADatagramSocketsOnDisposeCompletesItsPortCanBeBoundAgain() {
        IpcDatagramSocket first = IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", 0), QUIET).block(T);
        int port = first.address().getPort();
        first.disposeNow(T);
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            IpcDatagramSocket socket = IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", port), QUIET).block(T);
            socket.dispose();
            String failure = socket.onDispose().then(Mono.fromCallable(() -> bindPlainUdp(port))).block(T);
            if (!failure.isEmpty()) {
                failures.add("round " + round + ": " + failure);
            }
        }
        assertThat(failures).isEmpty();
    }

    /** A plain JDK server socket without SO_REUSEADDR (the JDK sets it by default): "" if it bound, else why not. */
    private static String bindPlain(int port) {
        try (ServerSocketChannel plain = ServerSocketChannel.open()) {
            plain.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            plain.bind(new InetSocketAddress("127.0.0.1", port));
            return "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String bindPlainUdp(int port) {
        try (DatagramChannel plain = DatagramChannel.open()) {
            plain.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            plain.bind(new InetSocketAddress("127.0.0.1", port));
            return "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
