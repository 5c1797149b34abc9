package io.reactiveipc.test;

import io.reactiveipc.IpcAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Over a real socket. */
final class SocketRawConnection extends FrameReader {
    private final SocketChannel channel;
    private final Selector selector;

    SocketRawConnection(IpcAddress address) {
        try {
            SocketAddress to;
            if (address instanceof IpcAddress.Unix u) {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                to = UnixDomainSocketAddress.of(u.path());
            } else {
                IpcAddress.Tcp t = (IpcAddress.Tcp) address;
                channel = SocketChannel.open();
                to = new InetSocketAddress(t.host(), t.port());
            }
            channel.connect(to);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + address, e);
        }
    }

    @Override
    public void write(String utf8) {
        ByteBuffer b = ByteBuffer.wrap(utf8.getBytes(StandardCharsets.UTF_8));
        try {
            while (b.hasRemaining()) {
                if (channel.write(b) == 0) {
                    Thread.onSpinWait();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String readFrame(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            for (;;) {
                String f = nextOrNull();
                if (f != null) {
                    return f;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("no frame within " + timeout);
                }
                selector.select(left);
                selector.selectedKeys().clear();
                buf.clear();
                int n = channel.read(buf);
                if (n < 0) {
                    throw new AssertionError("the server closed the connection");
                }
                received(buf.array(), n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            for (;;) {
                buf.clear();
                int n;
                try {
                    n = channel.read(buf);
                } catch (IOException reset) {
                    return; // a reset is a close too
                }
                if (n < 0) {
                    return;
                }
                received(buf.array(), n);
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("still open after " + timeout);
                }
                if (n == 0) {
                    selector.select(left);
                    selector.selectedKeys().clear();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
