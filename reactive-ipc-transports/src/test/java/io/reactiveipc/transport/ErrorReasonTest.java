package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.internal.Transports;
import io.reactiveipc.test.IpcTestAddresses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Errors say their root reason in the top-level message, not two causes deep or as a bare exception class. */
class ErrorReasonTest {

    static final Duration T = Duration.ofSeconds(10);
    static final IpcConfig QUIET = IpcConfig.builder().silent(true).build();

    static Stream<Arguments> transports() {
        return Stream.of(Arguments.of(new NettyTransport(true)), Arguments.of(new NettyTransport(false)));
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aTakenTcpPortSaysAddressAlreadyInUse(NettyTransport t) {
        IpcServer first = Transports.bindServer(t, IpcTestAddresses.tcp(), QUIET).block(T);
        IpcAddress taken = first.address();
        assertThatThrownBy(() -> Transports.bindServer(t, taken, QUIET).block(T))
                .isInstanceOf(IpcException.class)
                .hasMessage("cannot listen on " + taken + ": address already in use");
        first.disposeNow(T);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aClientPointedAtAWrongPathSaysNoSuchFile(NettyTransport t) {
        Path wrong = IpcTestAddresses.freshDirectory().resolve("nobody.sock");
        IpcClient client = Transports.connectClient(t, "c", IpcAddress.unix(wrong),
                QUIET.toBuilder().stopRetrying(true).build());
        IpcEvent.Failure failure = client.events().ofType(IpcEvent.Failure.class).blockFirst(T);
        assertThat(failure.error()).isInstanceOf(IpcException.class)
                .hasMessage("cannot connect to unix:" + wrong + ": no such file or directory");
        client.disposeNow(T);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aClientOfAClosedTcpPortSaysConnectionRefused(NettyTransport t) {
        IpcAddress nobody = IpcTestAddresses.freeTcpPort();
        IpcClient client = Transports.connectClient(t, "c", nobody, QUIET.toBuilder().stopRetrying(true).build());
        IpcEvent.Failure failure = client.events().ofType(IpcEvent.Failure.class).blockFirst(T);
        assertThat(failure.error()).isInstanceOf(IpcException.class)
                .hasMessageStartingWith("cannot connect to " + nobody + ": connection refused");
        client.disposeNow(T);
    }
}
