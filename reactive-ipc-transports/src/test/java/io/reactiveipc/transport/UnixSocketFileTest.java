package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.internal.Transports;
import io.reactiveipc.test.IpcTestAddresses;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The socket file: reclaimed when stale, never stolen when live, never deleted when it is not a socket. */
class UnixSocketFileTest {

    static final Duration T = Duration.ofSeconds(10);
    static final IpcConfig QUIET = IpcConfig.builder().silent(true).build();

    static Stream<Arguments> transports() {
        return Stream.of(Arguments.of(new NettyTransport(true)), Arguments.of(new NettyTransport(false)));
    }

    static IpcServer bind(NettyTransport t, Path path, IpcConfig config) {
        return Transports.bindServer(t, IpcAddress.unix(path), config).block(T);
    }

    /** What a SIGKILLed server leaves: a socket file nobody accepts on (the JDK does not unlink on close). */
    static void leaveStaleSocket(Path path) throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(path));
        }
        assertThat(UnixSocketFiles.isSocket(path)).isTrue();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aStaleSocketFileIsReclaimed(NettyTransport t) throws IOException {
        Path path = IpcTestAddresses.unix().path();
        leaveStaleSocket(path);
        IpcServer server = bind(t, path, QUIET);
        IpcClient client = Transports.connectClient(t, "c", server.address(), QUIET);
        client.emit("hi", 1).block(T);
        assertThat(server.on("hi").blockFirst(T)).isNotNull();
        client.disposeNow(T);
        server.disposeNow(T);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aLiveServersPathIsNeverTakenOver(NettyTransport t) {
        Path path = IpcTestAddresses.unix().path();
        IpcServer first = bind(t, path, QUIET);
        assertThatThrownBy(() -> bind(t, path, QUIET))
                .isInstanceOf(IpcException.class).hasMessageContaining("a live server is listening");
        // the first one still serves
        IpcClient client = Transports.connectClient(t, "c", first.address(), QUIET);
        client.emit("still", "mine").block(T);
        assertThat(first.on("still").blockFirst(T).message().data(String.class)).isEqualTo("mine");
        client.disposeNow(T);
        first.disposeNow(T);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aPathThatIsNotASocketIsRefusedAndLeftAlone(NettyTransport t) throws IOException {
        Path path = IpcTestAddresses.unix().path();
        Files.writeString(path, "precious");
        assertThatThrownBy(() -> bind(t, path, QUIET))
                .isInstanceOf(IpcException.class).hasMessageContaining("is not a socket");
        assertThat(Files.readString(path)).isEqualTo("precious");
        Path dir = IpcTestAddresses.freshDirectory();
        assertThatThrownBy(() -> bind(t, dir, QUIET)).isInstanceOf(IpcException.class);
        assertThat(Files.isDirectory(dir)).isTrue();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void theSocketFileIsOwnerOnlyByDefaultConfigurableAndRemovedOnDispose(NettyTransport t) throws IOException {
        Path path = IpcTestAddresses.unix().path();
        IpcServer server = bind(t, path, QUIET);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo("rw-------");
        server.disposeNow(T);
        assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS)).isFalse();

        IpcServer shared = bind(t, path, QUIET.toBuilder().socketPermissions("rw-rw----").build());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo("rw-rw----");
        shared.disposeNow(T);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void missingParentDirectoriesAreCreatedOwnerOnly(NettyTransport t) throws IOException {
        Path root = IpcTestAddresses.freshDirectory();
        Path path = root.resolve("a/b/s.sock");
        IpcServer server = bind(t, path, QUIET);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("a/b"))))
                .isEqualTo("rwx------");
        server.disposeNow(T);
    }
}
