package io.reactiveipc.test;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.internal.JsonCodec;
import java.io.ByteArrayOutputStream;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A peer that speaks bytes, not messages: for testing what a server does with input our own client would never
 * send (malformed JSON, oversized or truncated frames). Blocking: for test threads only.
 *
 * <pre>{@code
 * try (RawConnection evil = RawConnection.to(server.address())) {
 *     evil.write("not json\f{\"type\":\"ping\",\"data\":1}\f");
 *     String answer = evil.readFrame(Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public interface RawConnection extends AutoCloseable {

    /** Writes these UTF-8 bytes as they are (add the {@code \f} delimiters yourself). */
    void write(String utf8);

    /** The next whole frame the server sent, delimiter included. */
    String readFrame(Duration timeout);

    /** Closes the connection; a frame written only in part is then truncated. */
    @Override
    void close();

    /** A raw connection to a server on a Unix socket, TCP, or inside this JVM. */
    static RawConnection to(IpcAddress address) {
        if (address instanceof IpcAddress.Local local) {
            return LocalTransport.raw(local);
        }
        return new Socket(address);
    }

    /** Splits what was read into frames. */
    abstract class Frames implements RawConnection {
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final java.util.ArrayDeque<String> frames = new java.util.ArrayDeque<>();

        void received(byte[] bytes, int length) {
            for (int i = 0; i < length; i++) {
                partial.write(bytes[i]);
                if (bytes[i] == JsonCodec.DELIMITER) {
                    frames.add(partial.toString(StandardCharsets.UTF_8));
                    partial.reset();
                }
            }
        }

        String nextOrNull() {
            return frames.poll();
        }
    }

    /** Over a real socket. */
    final class Socket extends Frames {
        private final SocketChannel channel;
        private final Selector selector;

        Socket(IpcAddress address) {
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
        public void close() {
            try {
                selector.close();
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Inside this JVM, to a server of the in-JVM transport. */
    final class Local extends Frames {
        private final LocalLink server;
        private final BlockingQueue<byte[]> fromServer = new LinkedBlockingQueue<>();

        Local(LocalLink server) {
            this.server = server;
            server.connectTo(fromServer::add, () -> { });
        }

        @Override
        public void write(String utf8) {
            server.deliver(utf8.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String readFrame(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                for (;;) {
                    String f = nextOrNull();
                    if (f != null) {
                        return f;
                    }
                    byte[] chunk = fromServer.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (chunk == null) {
                        throw new AssertionError("no frame within " + timeout);
                    }
                    received(chunk, chunk.length);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
