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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

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
                .isInstanceOf(IpcException.class)
                .hasMessage("cannot listen on unix:" + path + ": address in use: a live server is listening there");
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
    void missingParentDirectoriesAreCreatedOwnerOnlyWhenAsked(NettyTransport t) throws IOException {
        Path root = IpcTestAddresses.freshDirectory();
        Path path = root.resolve("a/b/s.sock");
        IpcServer server = bind(t, path, QUIET.toBuilder().createDirectories(true).build());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("a/b"))))
                .isEqualTo("rwx------");
        server.disposeNow(T);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void noDirectoryIsCreatedUnlessAsked(NettyTransport t) {
        Path root = IpcTestAddresses.freshDirectory();
        Path path = root.resolve("a/b/s.sock");
        assertThatThrownBy(() -> bind(t, path, QUIET))
                .isInstanceOf(IpcException.class)
                .hasMessageStartingWith("cannot listen on unix:" + path + ": no such directory " + root.resolve("a/b"));
        assertThat(Files.exists(root.resolve("a"))).isFalse();
    }

    /**
     * Servers started at once on one stale path: exactly one binds and answers, each other one fails naming the
     * path and that it is in use. Without the lock two of them both reclaimed and "bound", one unreachable.
     */
    @ParameterizedTest
    @MethodSource("transports")
    void ofServersStartedAtOnceOnAStalePathExactlyOneBindsAndAnswers(NettyTransport t) throws IOException {
        for (int round = 0; round < 5; round++) {
            Path path = IpcTestAddresses.unix().path();
            leaveStaleSocket(path);
            int n = 6;
            List<Object> outcomes = Flux.range(0, n)
                    .flatMap(i -> Transports.bindServer(t, IpcAddress.unix(path), QUIET)
                            .<Object>map(s -> s)
                            .onErrorResume(e -> Mono.just(e))
                            .subscribeOn(Schedulers.boundedElastic()), n)
                    .collectList().block(T);
            List<IpcServer> bound = outcomes.stream().filter(IpcServer.class::isInstance)
                    .map(IpcServer.class::cast).toList();
            assertThat(bound).as("round %d: servers that report bound", round).hasSize(1);
            assertThat(outcomes).filteredOn(Throwable.class::isInstance).hasSize(n - 1)
                    .allSatisfy(e -> assertThat((Throwable) e).isInstanceOf(IpcException.class)
                            .hasMessageContaining("cannot listen on unix:" + path)
                            .hasMessageContaining("address in use"));
            IpcServer winner = bound.get(0);
            winner.handle("ping", in -> Mono.just("pong"));
            IpcClient client = Transports.connectClient(t, "c", winner.address(), QUIET);
            assertThat(client.request("ping", null).block(T).data(String.class)).isEqualTo("pong");
            client.disposeNow(T);
            winner.disposeNow(T);
            assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS)).isFalse();
            assertThat(Files.size(UnixSocketFiles.lockFile(path))).as("the lock file stays, empty").isZero();
        }
    }
}
