package io.reactiveipc.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The TLS of a transport, built once from its {@link NettyTransport.TlsSpec}: the server's and the client's
 * {@link SslContext}, and the handlers they make for each channel. Files and key stores are read when the transport
 * is built, never on an event loop.
 */
final class NettyTls {

    static final String HANDLER = "ipc.tls";
    private static final String GATE = "ipc.tls.read";

    private final @Nullable SslContext server;
    private final SslContext client;
    private final @Nullable String serverName;
    private final long handshakeTimeoutMillis;

    private NettyTls(@Nullable SslContext server, SslContext client, @Nullable String serverName,
            long handshakeTimeoutMillis) {
        this.server = server;
        this.client = client;
        this.serverName = serverName;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    static NettyTls of(NettyTransport.TlsSpec spec) {
        boolean hasKey = spec.privateKey != null || spec.keyStore != null;
        if ((spec.privateKey == null) != (spec.publicCert == null)) {
            throw new IpcException("tls: private (the key) and public (the certificate) go together; one is missing");
        }
        if (spec.privateKey != null && spec.keyStore != null) {
            throw new IpcException("tls: give private/public or a keyStore, not both");
        }
        boolean hasCa = !spec.trustedConnections.isEmpty() || spec.trustStore != null;
        // node-ipc 14: requestCert and rejectUnauthorized default to true on a server when a CA is given;
        // a client rejects an untrusted server unless told not to.
        boolean requestCert = spec.requestCert != null ? spec.requestCert : hasCa;
        boolean serverRejects = spec.rejectUnauthorized != null ? spec.rejectUnauthorized : hasCa;
        boolean clientRejects = spec.rejectUnauthorized == null || spec.rejectUnauthorized;
        try {
            List<X509Certificate> cas = new ArrayList<>();
            for (Path p : spec.trustedConnections) {
                cas.addAll(certificates(p));
            }
            TrustManagerFactory trust = spec.trustStore != null ? trustFactory(spec.trustStore) : null;
            KeyManagerFactory keys = spec.keyStore != null ? keyFactory(spec.keyStore, spec.keyStorePassword) : null;

            SslContext serverContext = spec.serverContext;
            if (serverContext == null && hasKey) {
                SslContextBuilder b = keys != null ? SslContextBuilder.forServer(keys)
                        : SslContextBuilder.forServer(file(spec.publicCert, "public"), file(spec.privateKey, "private"));
                if (requestCert) {
                    b.clientAuth(serverRejects ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
                    trust(b, serverRejects, cas, trust);
                }
                serverContext = b.build();
            }
            SslContext clientContext = spec.clientContext;
            if (clientContext == null) {
                SslContextBuilder b = SslContextBuilder.forClient();
                if (keys != null) {
                    b.keyManager(keys);
                } else if (spec.privateKey != null) {
                    b.keyManager(file(spec.publicCert, "public"), file(spec.privateKey, "private"));
                }
                trust(b, clientRejects, cas, trust);
                b.endpointIdentificationAlgorithm(clientRejects && spec.hostnameVerification ? "HTTPS" : null);
                clientContext = b.build();
            }
            return new NettyTls(serverContext, clientContext, spec.serverName, spec.handshakeTimeout.toMillis());
        } catch (SSLException | IllegalArgumentException e) {
            throw new IpcException("tls: " + e.getMessage(), e);
        }
    }

    private static void trust(SslContextBuilder b, boolean reject, List<X509Certificate> cas,
            @Nullable TrustManagerFactory trust) {
        if (!reject) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (trust != null) {
            b.trustManager(trust);
        } else if (!cas.isEmpty()) {
            b.trustManager(cas);
        } // else the JDK's default trust store
    }

    private static java.io.File file(@Nullable Path path, String option) {
        if (path == null || !Files.isReadable(path)) {
            throw new IpcException("tls: " + option + " " + path + " is not a readable file");
        }
        return path.toFile();
    }

    private static List<X509Certificate> certificates(Path path) {
        try (InputStream in = Files.newInputStream(file(path, "trustedConnections").toPath())) {
            List<X509Certificate> out = new ArrayList<>();
            for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IpcException("tls: trustedConnections " + path + " holds no certificate");
            }
            return out;
        } catch (IOException | CertificateException e) {
            throw new IpcException("tls: trustedConnections " + path + " is not a PEM certificate file: " + e, e);
        }
    }

    private static TrustManagerFactory trustFactory(KeyStore store) {
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(store);
            return f;
        } catch (Exception e) {
            throw new IpcException("tls: the trust store cannot be used: " + e, e);
        }
    }

    private static KeyManagerFactory keyFactory(KeyStore store, char[] password) {
        try {
            KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            f.init(store, password);
            return f;
        } catch (Exception e) {
            throw new IpcException("tls: the key store cannot be used: " + e, e);
        }
    }

    boolean canServe() {
        return server != null;
    }

    /** First in the pipeline: the frame decoder reads what it decrypts. */
    void installServer(Channel channel) {
        install(channel, server.newHandler(channel.alloc()));
    }

    void installClient(Channel channel, IpcAddress address) {
        String host;
        int port;
        if (address instanceof IpcAddress.Tcp tcp) {
            host = serverName != null ? serverName : tcp.host();
            port = tcp.port();
        } else {
            host = serverName != null ? serverName : "localhost"; // as Node's tls.connect({path}) checks
            port = 0;
        }
        install(channel, client.newHandler(channel.alloc(), host, port));
    }

    private void install(Channel channel, SslHandler handler) {
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        channel.pipeline().addFirst(GATE, new ReadForHandshake()).addFirst(HANDLER, handler);
    }

    static @Nullable SslHandler handler(Channel channel) {
        return (SslHandler) channel.pipeline().get(HANDLER);
    }

    /** What went wrong in a handshake, in words: the first sentence of the error the user sees. */
    static String reason(Throwable e) {
        if (e instanceof SslHandshakeTimeoutException) {
            return "the handshake timed out (" + e.getMessage() + ")";
        }
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null && all.length() < 2000; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        String lower = all.toString().toLowerCase(Locale.ROOT);
        String why;
        if (lower.contains("received fatal alert")) { // the peer's verdict
            if (lower.contains("certificate_required")) {
                why = "the peer requires a certificate and none was sent";
            } else if (lower.contains("bad_certificate") || lower.contains("certificate_unknown")
                    || lower.contains("unknown_ca")) {
                why = "the peer refused our certificate";
            } else {
                why = "the peer ended the handshake";
            }
        } else if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
            why = "hostname mismatch: the server's certificate does not name the host connected to";
        } else if (lower.contains("pkix path") || lower.contains("unable to find valid certification path")) {
            why = "certificate not trusted (unknown CA)";
        } else if (lower.contains("empty client certificate chain")) {
            why = "the peer sent no certificate, and one is required";
        } else if (lower.contains("not an ssl/tls record") || lower.contains("unsupported or unrecognized ssl")) {
            why = "the peer does not speak TLS";
        } else {
            why = "the handshake failed";
        }
        return why + ": " + e;
    }

    /**
     * After the {@link SslHandler}. A link reads only while its subscriber has demand, so autoRead is off when the
     * channel becomes active; the handshake needs one read to start, and SslHandler asks for the next ones until it
     * is done. And a TLS error that reaches the link (the peer's alert after our own handshake finished, as TLS 1.3
     * clients learn that their certificate was refused) becomes an {@link IpcException} that says what happened.
     */
    private static final class ReadForHandshake extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
            ctx.fireChannelActive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable ssl = cause instanceof DecoderException && cause.getCause() instanceof SSLException
                    ? cause.getCause() : cause;
            ctx.fireExceptionCaught(ssl instanceof SSLException
                    ? new IpcException("TLS: " + reason(ssl), ssl) : cause);
        }

        @Override
        public boolean isSharable() {
            return false;
        }
    }
}
