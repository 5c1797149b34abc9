package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContextBuilder;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.test.IpcTestAddresses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** TLS and mutual TLS: who is refused, with which words, and that everybody else is still served. */
class TlsTest {

    static final Duration T = Duration.ofSeconds(15);
    static final IpcConfig QUIET = IpcConfig.builder().silent(true).retry(20).build();
    static final TestPki PKI = TestPki.get();

    private final List<Disposable> resources = new ArrayList<>();

    @AfterEach
    void close() {
        Collections.reverse(resources);
        for (Disposable d : resources) {
            if (d instanceof IpcClient c) {
                c.disposeNow(T);
            } else if (d instanceof IpcServer s) {
                s.disposeNow(T);
            }
        }
    }

    IpcServer server(NettyTransport t, IpcAddress address) {
        IpcServer s = IpcServer.bind(t, address, QUIET,
                srv -> srv.handle("echo", in -> Mono.just(in.message()))).block(T);
        resources.add(s);
        return s;
    }

    IpcClient client(NettyTransport t, IpcAddress address, IpcConfig config) {
        IpcClient c = IpcClient.connect(t, "server", address, config.toBuilder().id("c" + resources.size()).build());
        resources.add(c);
        return c;
    }

    static List<IpcEvent> recorded(IpcClient c) {
        List<IpcEvent> events = Collections.synchronizedList(new ArrayList<>());
        c.events().subscribe(events::add);
        return events;
    }

    static IpcEvent.Rejected nextRejected(IpcServer server) {
        return (IpcEvent.Rejected) server.events().filter(e -> e instanceof IpcEvent.Rejected).blockFirst(T);
    }

    static String echo(IpcClient c, String data) {
        return c.request("echo", data).block(T).data(String.class);
    }

    @Test
    void anUnknownClientIsRefusedUnderMutualTlsAndTheTrustedOneIsStillServed() {
        IpcServer server = server(PKI.transport("server").build(), IpcTestAddresses.tcp());
        IpcClient trusted = client(PKI.transport("client").build(), server.address(), QUIET);
        assertThat(echo(trusted, "before")).isEqualTo("before");

        Mono<IpcEvent> rejected = server.events().filter(e -> e instanceof IpcEvent.Rejected).next().cache();
        rejected.subscribe();
        IpcClient stranger = client(PKI.transport("stranger").build(), server.address(), QUIET);
        IpcEvent.Rejected r = (IpcEvent.Rejected) rejected.block(T);
        // A JDK client offers only a certificate issued by a CA the server names in its request, so this one sends
        // none; a Node client sends its own anyway, and the reason is then "certificate not trusted (unknown CA)"
        // (the interop suite's stranger).
        assertThat(r.reason()).startsWith("TLS handshake failed: the peer sent no certificate");
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(echo(trusted, "after")).isEqualTo("after");
        assertThat(stranger.isConnected() && stranger.request("echo", "x").timeout(Duration.ofMillis(300))
                .onErrorResume(e -> Mono.empty()).block(T) != null).as("the stranger got an answer").isFalse();
    }

    @Test
    void aClientWithoutACertificateIsRefusedWhenTheServerAsksForOne() {
        IpcServer server = server(PKI.transport("server").build(), IpcTestAddresses.tcp());
        Mono<IpcEvent> rejected = server.events().filter(e -> e instanceof IpcEvent.Rejected).next().cache();
        rejected.subscribe();
        NettyTransport anonymous = NettyTransport.builder()
                .tls(t -> t.trustedConnections(PKI.file("ca.pem"))).build();
        IpcClient c = client(anonymous, server.address(), QUIET);
        Mono<IpcEvent> told = c.events().filter(e -> e instanceof IpcEvent.Failure).next().cache();
        told.subscribe();
        assertThat(((IpcEvent.Rejected) rejected.block(T)).reason())
                .startsWith("TLS handshake failed: the peer sent no certificate, and one is required");
        assertThat(server.connectionCount()).isZero();
        // TLS 1.3: the client's own handshake had finished; the server's alert arrives after, and says why
        assertThat(((IpcEvent.Failure) told.block(T)).error()).isInstanceOf(IpcException.class)
                .hasMessageStartingWith("TLS: the peer");
    }

    @Test
    void withoutACaTheServerAsksForNoCertificate() {
        NettyTransport serverOnly = NettyTransport.builder().tls(t -> t.privateKey(PKI.file("server-key.pem"))
                .publicCert(PKI.file("server-cert.pem"))).build();
        IpcServer server = server(serverOnly, IpcTestAddresses.tcp());
        NettyTransport anonymous = NettyTransport.builder()
                .tls(t -> t.trustedConnections(PKI.file("ca.pem"))).build();
        assertThat(echo(client(anonymous, server.address(), QUIET), "hi")).isEqualTo("hi");
    }

    /** As node-ipc: a refused certificate is a failed attempt, retried like any other; maxRetries ends it. */
    @Test
    void aClientThatDoesNotTrustTheServerFailsEachAttemptWithTheReasonAndRetries() {
        IpcServer server = server(PKI.transport("server").build(), IpcTestAddresses.tcp());
        NettyTransport otherTrust = NettyTransport.builder().tls(t -> t.privateKey(PKI.file("client-key.pem"))
                .publicCert(PKI.file("client-cert.pem")).trustedConnections(PKI.file("other-ca.pem"))).build();
        IpcClient c = client(otherTrust, server.address(), QUIET.toBuilder().maxRetries(2).build());
        List<IpcEvent> events = recorded(c);
        IpcEvent.Destroyed destroyed = (IpcEvent.Destroyed) c.events().filter(e -> e instanceof IpcEvent.Destroyed)
                .blockLast(T);
        assertThat(destroyed.cause()).isInstanceOf(IpcException.class)
                .hasMessageContaining("TLS handshake with " + server.address() + " failed: certificate not trusted"
                        + " (unknown CA)");
        List<IpcEvent> seen = List.copyOf(events);
        assertThat(seen).noneMatch(e -> e instanceof IpcEvent.Connected);
        assertThat(seen).filteredOn(e -> e instanceof IpcEvent.Failure).hasSize(3) // the attempt and 2 retries
                .allSatisfy(e -> assertThat(((IpcEvent.Failure) e).error()).hasMessageContaining("unknown CA"));
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void theServersCertificateMustNameTheHostUnlessVerificationIsTurnedOff() {
        IpcServer server = server(PKI.transport("wronghost").build(), IpcTestAddresses.tcp());
        IpcClient strict = client(PKI.transport("client").build(), server.address(),
                QUIET.toBuilder().maxRetries(0).build());
        IpcEvent.Destroyed destroyed = (IpcEvent.Destroyed) strict.events()
                .filter(e -> e instanceof IpcEvent.Destroyed).blockLast(T);
        assertThat(destroyed.cause()).hasMessageContaining("failed: hostname mismatch");

        IpcClient lenient = client(PKI.transport("client").tls(t -> t.hostnameVerification(false)).build(),
                server.address(), QUIET);
        assertThat(echo(lenient, "hi")).isEqualTo("hi");
        IpcClient named = client(PKI.transport("client").tls(t -> t.serverName("elsewhere.example")).build(),
                server.address(), QUIET);
        assertThat(echo(named, "hi")).isEqualTo("hi");
    }

    @Test
    void aServerDropsAPeerThatNeverFinishesItsHandshakeAfterTheTimeout() throws IOException {
        IpcServer server = server(PKI.transport("server").tls(t -> t.handshakeTimeout(Duration.ofMillis(300))).build(),
                IpcTestAddresses.tcp());
        Mono<IpcEvent> rejected = server.events().filter(e -> e instanceof IpcEvent.Rejected).next().cache();
        rejected.subscribe();
        IpcAddress.Tcp at = (IpcAddress.Tcp) server.address();
        try (SocketChannel silent = SocketChannel.open(new InetSocketAddress(at.host(), at.port()))) {
            assertThat(((IpcEvent.Rejected) rejected.block(T)).reason()).contains("the handshake timed out");
            assertThat(silent.read(ByteBuffer.allocate(16))).as("closed by the server").isEqualTo(-1);
        }
    }

    @Test
    void aClientGivesUpAHandshakeThePeerNeverAnswersAfterTheTimeout() throws IOException {
        try (ServerSocketChannel mute = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            IpcAddress address = IpcAddress.tcp("127.0.0.1", ((InetSocketAddress) mute.getLocalAddress()).getPort());
            IpcClient c = client(PKI.transport("client").tls(t -> t.handshakeTimeout(Duration.ofMillis(300))).build(),
                    address, QUIET.toBuilder().maxRetries(0).build());
            IpcEvent.Destroyed destroyed = (IpcEvent.Destroyed) c.events()
                    .filter(e -> e instanceof IpcEvent.Destroyed).blockLast(T);
            assertThat(destroyed.cause()).hasMessageContaining("failed: the handshake timed out");
        }
    }

    @Test
    void keyStoresAndOwnContextsWorkToo() throws Exception {
        char[] pw = "changeit".toCharArray();
        NettyTransport fromStores = NettyTransport.builder().tls(t -> {
            try {
                t.keyStore(PKI.server.toKeyStore(pw), pw).trustStore(PKI.ca.toKeyStore(pw));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).build();
        IpcServer server = server(fromStores, IpcTestAddresses.unix());
        NettyTransport own = NettyTransport.builder().tls(t -> {
            try {
                t.clientContext(SslContextBuilder.forClient()
                        .keyManager(PKI.client.getKeyPair().getPrivate(), PKI.client.getCertificatePath())
                        .trustManager(PKI.ca.getCertificate()).build());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).build();
        assertThat(echo(client(own, server.address(), QUIET), "hi")).isEqualTo("hi");
    }

    @Test
    void badSettingsAreRefusedWhenTheTransportIsBuiltNamingTheOption() {
        assertThatThrownBy(() -> NettyTransport.builder().tls(t -> t.privateKey(PKI.file("server-key.pem"))).build())
                .isInstanceOf(IpcException.class).hasMessageContaining("private (the key) and public");
        assertThatThrownBy(() -> NettyTransport.builder().tls(t -> t.trustedConnections(PKI.file("nope.pem"))).build())
                .isInstanceOf(IpcException.class).hasMessageContaining("trustedConnections").hasMessageContaining("nope.pem");
        NettyTransport clientOnly = NettyTransport.builder().tls(t -> t.trustedConnections(PKI.file("ca.pem"))).build();
        assertThatThrownBy(() -> IpcServer.bind(clientOnly, IpcTestAddresses.tcp(), QUIET).block(T))
                .isInstanceOf(IpcException.class).hasMessageContaining("no private/public");
    }

    /** SslHandler writes through the link's promise: many frames, and frames larger than a 16 KiB TLS record. */
    @Test
    void largeFramesAndManyMessagesBothWaysArriveWholeAndInOrder() {
        IpcServer server = server(PKI.transport("server").build(), IpcTestAddresses.unix());
        IpcClient c = client(PKI.transport("client").build(), server.address(), QUIET);
        String big = "x".repeat(100_000);
        int n = 2_000;
        Mono<List<Message>> back = c.on("echo").take(n).collectList().cache();
        back.subscribe();
        c.send(Flux.range(0, n).map(i -> Message.of("echo", i % 100 == 0 ? i + big : String.valueOf(i)))).block(T);
        List<Message> got = back.block(T);
        for (int i = 0; i < n; i++) {
            assertThat(got.get(i).data(String.class)).isEqualTo(i % 100 == 0 ? i + big : String.valueOf(i));
        }
    }
}
