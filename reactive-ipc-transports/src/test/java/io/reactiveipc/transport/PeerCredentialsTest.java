package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcConnection;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.PeerCredentials;
import io.reactiveipc.internal.Transports;
import io.reactiveipc.test.IpcTestAddresses;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The peer's uid/gid/pid on a Unix socket (epoll), and an allow-list that closes everyone else. */
class PeerCredentialsTest {

    static final Duration T = Duration.ofSeconds(10);
    static final IpcConfig QUIET = IpcConfig.builder().silent(true).build();
    static PeerCredentials me;

    @BeforeAll
    static void whoAmI() throws IOException {
        Path self = Path.of("/proc/self");
        me = new PeerCredentials((Integer) Files.getAttribute(self, "unix:uid"),
                (Integer) Files.getAttribute(self, "unix:gid"), (int) ProcessHandle.current().pid());
    }

    @Test
    void anAllowedPeerIsServedAndBothEndsKnowWhoIsThere() {
        NettyTransport epoll = new NettyTransport(true);
        assertThat(epoll.isNative()).isTrue();
        IpcServer server = Transports.bindServer(epoll, IpcTestAddresses.unix(),
                QUIET.toBuilder().allowPeers(me.uid()).build(),
                s -> s.handle("ping", in -> Mono.just("pong"))).block(T);
        IpcClient client = Transports.connectClient(epoll, "c", server.address(), QUIET);
        assertThat(client.request("ping", null).block(T).data(String.class)).isEqualTo("pong");
        IpcConnection accepted = server.connections().blockFirst(T);
        assertThat(accepted.peerCredentials()).contains(me);
        assertThat(client.peerCredentials()).contains(me);
        client.disposeNow(T);
        server.disposeNow(T);
    }

    @Test
    void aPeerNotOnTheListIsClosedAtOnceAndPublishedAsRejected() throws IOException {
        NettyTransport epoll = new NettyTransport(true);
        IpcServer server = Transports.bindServer(epoll, IpcTestAddresses.unix(),
                QUIET.toBuilder().allowPeers(me.uid() + 1).build()).block(T);
        Path path = ((IpcAddress.Unix) server.address()).path();
        StepVerifier.Step<IpcEvent> events = StepVerifier.create(server.events())
                .expectNextMatches(IpcEvent.Started.class::isInstance);
        try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) { // a peer from outside
            raw.connect(UnixDomainSocketAddress.of(path));
            assertThat(raw.read(ByteBuffer.allocate(64))).as("closed by the server, nothing written").isEqualTo(-1);
        }
        events.assertNext(e -> assertThat(e).isInstanceOfSatisfying(IpcEvent.Rejected.class, r -> assertThat(r.reason())
                        .isEqualTo("peer " + me + " is not allowed (allowPeers: uids [" + (me.uid() + 1) + "])")))
                .thenCancel().verify(T);
        assertThat(server.connectionCount()).isZero();
        server.disposeNow(T);
    }

    @Test
    void aPredicateDecidesAndOneThatThrowsRefuses() throws IOException {
        NettyTransport epoll = new NettyTransport(true);
        IpcServer server = Transports.bindServer(epoll, IpcTestAddresses.unix(),
                QUIET.toBuilder().allowPeers(p -> {
                    throw new IllegalStateException("no directory service");
                }).build()).block(T);
        Path path = ((IpcAddress.Unix) server.address()).path();
        try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(path));
            assertThat(raw.read(ByteBuffer.allocate(64))).isEqualTo(-1);
        }
        IpcEvent.Rejected r = server.events().ofType(IpcEvent.Rejected.class).blockFirst(T);
        assertThat(r.reason()).contains("allowPeers failed", "no directory service");
        server.disposeNow(T);
    }

    @Test
    void withoutEpollThereAreNoCredentialsAndAnAllowListCannotBind() {
        NettyTransport nio = new NettyTransport(false);
        IpcServer server = Transports.bindServer(nio, IpcTestAddresses.unix(), QUIET).block(T);
        IpcClient client = Transports.connectClient(nio, "c", server.address(), QUIET);
        IpcConnection accepted = server.connections().blockFirst(T);
        assertThat(accepted.peerCredentials()).isEmpty();
        client.disposeNow(T);
        server.disposeNow(T);

        IpcConfig allowList = QUIET.toBuilder().allowPeers(me.uid()).build();
        IpcAddress unix = IpcTestAddresses.unix();
        assertThatThrownBy(() -> Transports.bindServer(nio, unix, allowList).block(T))
                .isInstanceOf(IpcException.class)
                .hasMessage("cannot listen on " + unix + " with allowPeers: peer credentials are read only on Unix"
                        + " sockets of the native epoll transport (this one runs on NIO)");
        IpcAddress tcp = IpcTestAddresses.tcp();
        assertThatThrownBy(() -> Transports.bindServer(new NettyTransport(true), tcp, allowList).block(T))
                .isInstanceOf(IpcException.class).hasMessageContaining("only on Unix sockets");
    }
}
