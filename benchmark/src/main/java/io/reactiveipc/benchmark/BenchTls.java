package io.reactiveipc.benchmark;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.reactiveipc.transport.NettyTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The TLS cells' settings, the same on both implementations: mutual TLS with an EC P-256 CA, server and client
 * certificate (made by {@link #write} into a temporary directory when the bench starts, passed to the workers as
 * {@code -Dbench.tls=dir}), Netty's {@link SslContextBuilder} defaults (the JDK provider: no netty-tcnative on the
 * class path), the client verifying the host name. Reactive IPC gets the PEM files through its transport builder;
 * Reactor Netty the {@link SslContext}s built here from the same files with the same options.
 */
final class BenchTls {

    private BenchTls() {
    }

    static Path write() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "bench-tls");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        CertificateBuilder base = new CertificateBuilder().ecp256()
                .notBefore(now.minus(1, ChronoUnit.DAYS)).notAfter(now.plus(1, ChronoUnit.DAYS));
        X509Bundle ca = base.copy().subject("CN=bench CA").setIsCertificateAuthority(true).buildSelfSigned();
        X509Bundle server = base.copy().subject("CN=localhost").addSanDnsName("localhost")
                .addSanIpAddress("127.0.0.1").buildIssuedBy(ca);
        X509Bundle client = base.copy().subject("CN=bench client").buildIssuedBy(ca);
        Files.writeString(dir.resolve("ca.pem"), ca.getCertificatePEM());
        Files.writeString(dir.resolve("server-key.pem"), server.getPrivateKeyPEM());
        Files.writeString(dir.resolve("server-cert.pem"), server.getCertificatePathPEM());
        Files.writeString(dir.resolve("client-key.pem"), client.getPrivateKeyPEM());
        Files.writeString(dir.resolve("client-cert.pem"), client.getCertificatePathPEM());
        return dir;
    }

    private static Path dir() {
        return Path.of(System.getProperty("bench.tls"));
    }

    /** Reactive IPC: {@code role}'s key pair, trusting the CA (mutual TLS, node-ipc's defaults). */
    static NettyTransport transport(String role) {
        Path d = dir();
        return NettyTransport.builder().tls(t -> t.privateKey(d.resolve(role + "-key.pem"))
                .publicCert(d.resolve(role + "-cert.pem")).trustedConnections(d.resolve("ca.pem"))).build();
    }

    /** Reactor Netty's server context: as NettyTransport builds it from the same files. */
    static SslContext serverContext() {
        Path d = dir();
        try {
            return SslContextBuilder.forServer(d.resolve("server-cert.pem").toFile(), d.resolve("server-key.pem")
                    .toFile()).clientAuth(ClientAuth.REQUIRE).trustManager(d.resolve("ca.pem").toFile()).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reactor Netty's client context: as NettyTransport builds it from the same files. */
    static SslContext clientContext() {
        Path d = dir();
        try {
            return SslContextBuilder.forClient().keyManager(d.resolve("client-cert.pem").toFile(),
                    d.resolve("client-key.pem").toFile()).trustManager(d.resolve("ca.pem").toFile())
                    .endpointIdentificationAlgorithm("HTTPS").build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
