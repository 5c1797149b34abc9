package io.reactiveipc.interop;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.reactiveipc.transport.NettyTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;

/**
 * Certificates for the TLS cells, made when the suite runs and written as PEM files to a temporary directory that
 * is removed at exit: a CA, a server certificate for localhost and 127.0.0.1, a trusted client, and a stranger
 * whose certificate another CA signed. Nothing here is committed; node-ipc's bundled demo keys are never used.
 */
final class InteropPki {

    static final InteropPki PKI = new InteropPki();

    private final Path dir;

    private InteropPki() {
        try {
            dir = Files.createTempDirectory("reactive-ipc-interop-pki");
            Runtime.getRuntime().addShutdownHook(new Thread(this::delete));
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            CertificateBuilder base = new CertificateBuilder().ecp256()
                    .notBefore(now.minus(1, ChronoUnit.DAYS)).notAfter(now.plus(1, ChronoUnit.DAYS));
            X509Bundle ca = base.copy().subject("CN=interop CA").setIsCertificateAuthority(true).buildSelfSigned();
            X509Bundle otherCa = base.copy().subject("CN=another CA").setIsCertificateAuthority(true)
                    .buildSelfSigned();
            write("ca.pem", ca.getCertificatePEM());
            write("server", base.copy().subject("CN=localhost").addSanDnsName("localhost")
                    .addSanIpAddress("127.0.0.1").buildIssuedBy(ca));
            write("client", base.copy().subject("CN=trusted client").buildIssuedBy(ca));
            write("stranger", base.copy().subject("CN=stranger").buildIssuedBy(otherCa));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the interop certificates", e);
        }
    }

    private void write(String name, X509Bundle b) throws IOException {
        write(name + "-key.pem", b.getPrivateKeyPEM());
        write(name + "-cert.pem", b.getCertificatePathPEM());
    }

    private void write(String name, String pem) throws IOException {
        Files.writeString(dir.resolve(name), pem);
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** A Java transport presenting {@code name}'s certificate and trusting the CA: mutual TLS by default. */
    NettyTransport transport(String name) {
        return NettyTransport.builder().tls(t -> t.privateKey(file(name + "-key.pem"))
                .publicCert(file(name + "-cert.pem")).trustedConnections(file("ca.pem"))).build();
    }

    /**
     * node-ipc's {@code ipc.config.tls} for a peer presenting {@code name}'s certificate and trusting the CA; a
     * server also asks for and checks client certificates (node-ipc 10 does not default to that).
     */
    String nodeTls(String name, boolean server) {
        return "{\"private\":\"" + file(name + "-key.pem") + "\",\"public\":\"" + file(name + "-cert.pem")
                + "\",\"trustedConnections\":[\"" + file("ca.pem") + "\"]"
                + (server ? ",\"requestCert\":true,\"rejectUnauthorized\":true" : "") + "}";
    }

    private void delete() {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
