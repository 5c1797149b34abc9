package io.reactiveipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcServer;
import io.reactiveipc.test.IpcTestAddresses;
import io.reactiveipc.transport.NettyTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/** The TLS options: PEM files made for the run, a server that requires a client certificate its CA signed. */
class TlsCliTest {

    @TempDir
    static Path pki;

    private static IpcServer server;

    @BeforeAll
    static void mutualTlsServer() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        CertificateBuilder base = new CertificateBuilder().ecp256()
                .notBefore(now.minus(1, ChronoUnit.DAYS)).notAfter(now.plus(1, ChronoUnit.DAYS));
        X509Bundle ca = base.copy().subject("CN=cli CA").setIsCertificateAuthority(true).buildSelfSigned();
        X509Bundle stranger = base.copy().subject("CN=stranger CA").setIsCertificateAuthority(true).buildSelfSigned();
        Files.writeString(pki.resolve("ca.pem"), ca.getCertificatePEM());
        write("server", base.copy().subject("CN=localhost").addSanDnsName("localhost").buildIssuedBy(ca));
        write("client", base.copy().subject("CN=cli").buildIssuedBy(ca));
        write("other", base.copy().subject("CN=other").buildIssuedBy(stranger));
        NettyTransport tls = NettyTransport.builder().tls(t -> t.privateKey(pki.resolve("server-key.pem"))
                .publicCert(pki.resolve("server-cert.pem")).trustedConnections(pki.resolve("ca.pem"))).build();
        server = IpcServer.bind(tls, IpcAddress.unix(IpcTestAddresses.unix().path()),
                IpcConfig.builder().silent(true).build(), s -> s.handle("ping", in -> Mono.just("pong")))
                .block(Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        server.disposeNow(Duration.ofSeconds(10));
    }

    private static void write(String name, X509Bundle b) throws Exception {
        Files.writeString(pki.resolve(name + "-key.pem"), b.getPrivateKeyPEM());
        Files.writeString(pki.resolve(name + "-cert.pem"), b.getCertificatePathPEM());
    }

    private static String address() {
        return "unix:" + ((IpcAddress.Unix) server.address()).path();
    }

    @Test
    void aRequestOverMutualTls() {
        Cli run = Cli.run("", "request", address(), "ping", "--tls-key", pki.resolve("client-key.pem").toString(),
                "--tls-cert", pki.resolve("client-cert.pem").toString(), "--tls-ca", pki.resolve("ca.pem").toString());

        assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.OK);
        assertThat(run.lines()).containsExactly("{\"type\":\"ping\",\"data\":\"pong\"}");
    }

    @Test
    void aServerWhoseCaIsNotTrustedIsAConnectionFailureThatSaysSo() {
        Cli run = Cli.run("", "request", address(), "ping", "--tls-key", pki.resolve("other-key.pem").toString(),
                "--tls-cert", pki.resolve("other-cert.pem").toString(), "--tls-ca",
                pki.resolve("other-cert.pem").toString(), "--connect-timeout", "2s");

        assertThat(run.code()).as(run.toString()).isEqualTo(IpcCli.CONNECTION);
        assertThat(run.err()).contains("cannot connect to", "TLS");
    }
}
