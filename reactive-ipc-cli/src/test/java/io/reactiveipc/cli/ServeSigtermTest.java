package io.reactiveipc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.test.IpcTestAddresses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code serve} in its own JVM, a client streaming 100,000 messages into it, SIGTERM mid-stream: every message the
 * client wrote before the server's end of stream is printed. (With the old hook, dispose(), those still unread in
 * the socket were lost.)
 */
class ServeSigtermTest {

    static final int STREAM = 100_000;
    static final String PAD = "x".repeat(200);

    @Test
    void sigtermPrintsEveryMessageTheClientWroteBeforeTheEnd() throws Exception {
        Path socket = IpcTestAddresses.unix().path();
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        Process serve = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                IpcCli.class.getName(), "serve", "unix:" + socket)
                .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(serve.getErrorStream(), StandardCharsets.UTF_8));
            assertThat(err.readLine()).startsWith("listening on");
            BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
            AtomicInteger printed = new AtomicInteger();
            CompletableFuture<Integer> allPrinted = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        if (line.contains("\"type\":\"n\"") && printed.incrementAndGet() == 1_000) {
                            serve.toHandle().destroy(); // SIGTERM, mid-stream (Process.destroy() closes our pipes)
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return printed.get();
            });
            int written = 0;
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                ch.configureBlocking(false); // to see the server's end of stream between writes
                ByteBuffer in = ByteBuffer.allocate(1024);
                boolean ended = false;
                for (int i = 0; i < STREAM && !ended; i++) {
                    ByteBuffer frame = ByteBuffer.wrap(("{\"type\":\"n\",\"data\":{\"i\":" + i + ",\"pad\":\"" + PAD
                            + "\"}}\f").getBytes(StandardCharsets.UTF_8));
                    while (frame.hasRemaining() && !ended) {
                        ch.write(frame);
                        ended = ch.read(in.clear()) < 0;
                    }
                    if (!frame.hasRemaining()) {
                        written = i + 1;
                    }
                }
                // As a node-ipc client does on 'end': stop writing, end our side, close.
                ch.shutdownOutput();
            } catch (IOException e) {
                // the server closed while we wrote: what was written is counted
            }
            assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(written).as("stopped mid-stream").isBetween(1_000, STREAM - 1);
            assertThat(allPrinted.get(30, TimeUnit.SECONDS)).isEqualTo(written);
        } finally {
            serve.destroyForcibly();
        }
    }
}
