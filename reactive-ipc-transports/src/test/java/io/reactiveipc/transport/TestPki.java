package io.reactiveipc.transport;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;

/**
 * Certificates made when the tests run, written as PEM files to a temporary directory removed at exit: a CA, a
 * server certificate for {@code localhost} and {@code 127.0.0.1}, a client certificate, and their evil twins from
 * another CA. Nothing here is ever committed.
 */
final class TestPki {

    private static final TestPki INSTANCE = new TestPki();

    final Path dir;
    final X509Bundle ca;
    final X509Bundle server;
    final X509Bundle client;
    final X509Bundle otherCa;
    final X509Bundle strangerClient;
    final X509Bundle wrongHostServer;

    private TestPki() {
        try {
            dir = Files.createTempDirectory("reactive-ipc-pki");
            Runtime.getRuntime().addShutdownHook(new Thread(this::delete));
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            CertificateBuilder base = new CertificateBuilder().ecp256()
                    .notBefore(now.minus(1, ChronoUnit.DAYS)).notAfter(now.plus(1, ChronoUnit.DAYS));
            ca = base.copy().subject("CN=reactive-ipc test CA").setIsCertificateAuthority(true).buildSelfSigned();
            otherCa = base.copy().subject("CN=another CA").setIsCertificateAuthority(true).buildSelfSigned();
            server = base.copy().subject("CN=localhost").addSanDnsName("localhost").addSanIpAddress("127.0.0.1")
                    .buildIssuedBy(ca);
            client = base.copy().subject("CN=trusted client").buildIssuedBy(ca);
            strangerClient = base.copy().subject("CN=stranger").buildIssuedBy(otherCa);
            wrongHostServer = base.copy().subject("CN=elsewhere.example").addSanDnsName("elsewhere.example")
                    .buildIssuedBy(ca);
            write("ca.pem", ca.getCertificatePEM());
            write("other-ca.pem", otherCa.getCertificatePEM());
            write(server, "server");
            write(client, "client");
            write(strangerClient, "stranger");
            write(wrongHostServer, "wronghost");
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the test certificates", e);
        }
    }

    static TestPki get() {
        return INSTANCE;
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** {@code name}-key.pem and {@code name}-cert.pem (the chain without the root). */
    private void write(X509Bundle b, String name) throws IOException {
        write(name + "-key.pem", b.getPrivateKeyPEM());
        write(name + "-cert.pem", b.getCertificatePathPEM());
    }

    private void write(String name, String pem) throws IOException {
        Files.writeString(dir.resolve(name), pem);
    }

    /** A transport with this key pair that trusts {@code ca.pem}: mutual TLS, as node-ipc's defaults make it. */
    NettyTransport.Builder transport(String name) {
        return NettyTransport.builder().tls(t -> t.privateKey(file(name + "-key.pem"))
                .publicCert(file(name + "-cert.pem")).trustedConnections(file("ca.pem")));
    }

    /** A client context with the trusted client certificate that trusts any server (for raw test peers). */
    SslContext rawClientContext() {
        try {
            return SslContextBuilder.forClient().keyManager(client.getKeyPair().getPrivate(),
                    client.getCertificatePath()).trustManager(ca.getCertificate())
                    .endpointIdentificationAlgorithm(null).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void delete() {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
