package io.reactiveipc.transport;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.test.RawConnection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.tcp.TcpClient;

/** {@link RawConnection} inside TLS, for the contract's bad-input tests on a TLS transport. Test threads only. */
final class TlsRawConnection implements RawConnection {
    private static final Duration T = Duration.ofSeconds(15);

    private final Connection connection;
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();

    TlsRawConnection(IpcAddress address, SslContext context) {
        SocketAddress to = address instanceof IpcAddress.Unix u ? UnixDomainSocketAddress.of(u.path())
                : InetSocketAddress.createUnresolved(((IpcAddress.Tcp) address).host(), ((IpcAddress.Tcp) address).port());
        connection = TcpClient.newConnection().runOn(SharedLoops.get(false), false).remoteAddress(() -> to)
                .doOnChannelInit((o, ch, r) -> ch.pipeline().addFirst("raw.tls", context.newHandler(ch.alloc())))
                .connect().block(T);
        connection.inbound().receive().asString(StandardCharsets.UTF_8).subscribe(this::received);
        SslHandler ssl = (SslHandler) connection.channel().pipeline().get("raw.tls");
        if (!ssl.handshakeFuture().awaitUninterruptibly(T.toMillis()) || !ssl.handshakeFuture().isSuccess()) {
            throw new AssertionError("no TLS handshake", ssl.handshakeFuture().cause());
        }
    }

    private synchronized void received(String chunk) {
        partial.append(chunk);
        int at;
        while ((at = partial.indexOf("\f")) >= 0) {
            frames.add(partial.substring(0, at + 1));
            partial.delete(0, at + 1);
        }
    }

    @Override
    public void write(String utf8) {
        connection.outbound().sendString(Mono.just(utf8)).then().block(T);
    }

    @Override
    public String readFrame(Duration timeout) {
        try {
            String f = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (f == null) {
                throw new AssertionError("no frame within " + timeout);
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void awaitClosed(Duration timeout) {
        connection.onDispose().block(timeout);
        if (!connection.isDisposed()) {
            throw new AssertionError("still open after " + timeout);
        }
    }

    @Override
    public void close() {
        connection.disposeNow(T);
    }
}
