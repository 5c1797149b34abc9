package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcServer;
import io.reactiveipc.internal.Transports;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

/**
 * disposeGracefully while the application takes the messages slowly: the server half-closes, then reads on at the
 * application's pace (back pressure kept) until the client's end of stream, however long that takes within the
 * graceful timeout. Netty reports our own half-close as a ChannelOutputShutdownEvent, the same event as a failed
 * write; it used to start ReadToEndOnWriteFailure's 1 s limit, which closed the socket with what the application
 * had not asked for yet still unread: lost.
 */
class GracefulSlowConsumerTest {

    static final Duration T = Duration.ofSeconds(30);
    static final int FRAMES = 3000;

    @ParameterizedTest
    @MethodSource("io.reactiveipc.transport.GracefulShutdownTest#addresses")
    void aGracefulStopWaitsForASlowApplicationLongerThanASecond(NettyTransport t, IpcAddress address)
            throws Exception {
        IpcServer server = Transports.bindServer(t, address, IpcConfig.builder().silent(true).build()).block(T);
        // ~1 ms a message: 3,000 take 3 s or more, so the reading outlasts the old 1 s limit
        CompletableFuture<List<Integer>> delivered = server.on("n")
                .concatMap(in -> Mono.delay(Duration.ofMillis(1)).thenReturn(in.message().data(Integer.class)), 1)
                .collectList().toFuture();
        CompletableFuture<Void> stopped = server.on("n").next().flatMap(in -> server.disposeGracefully(T)).toFuture();
        try (SocketChannel ch = GracefulShutdownTest.open(server.address())) {
            for (int i = 0; i < FRAMES; i++) {
                ByteBuffer frame = ByteBuffer.wrap(("{\"type\":\"n\",\"data\":" + i + ",\"pad\":\""
                        + GracefulShutdownTest.PAD + "\"}\f").getBytes(StandardCharsets.UTF_8));
                while (frame.hasRemaining()) {
                    ch.write(frame);
                }
            }
            ch.shutdownOutput(); // our end of stream, after every frame
            stopped.get(T.toSeconds(), TimeUnit.SECONDS); // the socket stays open until the server is done with it
        }
        List<Integer> got = delivered.get(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(got).as("delivered").hasSize(FRAMES);
        for (int i = 0; i < FRAMES; i++) {
            if (got.get(i) != i) {
                assertThat(got.get(i)).as("message %d", i).isEqualTo(i);
            }
        }
    }
}
