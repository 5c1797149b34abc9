package io.reactiveipc.test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Inside this JVM, to a server of the in-JVM transport. */
final class LocalRawConnection extends FrameReader {
    private final LocalLink server;
    private final BlockingQueue<byte[]> fromServer = new LinkedBlockingQueue<>();
    private final java.util.concurrent.CountDownLatch closedByServer = new java.util.concurrent.CountDownLatch(1);

    LocalRawConnection(LocalLink server) {
        this.server = server;
        server.connectTo(fromServer::add, closedByServer::countDown);
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
    public void awaitClosed(Duration timeout) {
        try {
            if (!closedByServer.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AssertionError("still open after " + timeout);
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
