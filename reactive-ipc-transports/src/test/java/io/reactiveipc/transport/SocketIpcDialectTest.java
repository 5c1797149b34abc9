package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcFixtures;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Java peers speaking socket-ipc's frames ({@link IpcCodec#socketIpc()}) to each other: everything the library
 * adds rides in them (requests, relays between clients, broadcast), over a Unix socket and in the JVM; and over a
 * Unix socket, the two-byte delimiter cut anywhere and bad frames, written by hand.
 */
class SocketIpcDialectTest {

    static final Duration T = Duration.ofSeconds(15);
    static final IpcConfig SOCKET_IPC = IpcConfig.builder().silent(true).retry(50).codec(IpcCodec.socketIpc())
            .build();

    record Add(int a, int b) {
    }

    /** What holds on any transport. */
    abstract static class JavaPeers {

        @Test
        void requestsAndAnswersRideInSocketIpcFrames(IpcFixtures fx) {
            IpcServer server = fx.server(SOCKET_IPC);
            server.handle("add", in -> Mono.just(in.data(Add.class).a() + in.data(Add.class).b()));
            IpcClient client = fx.client(server.address(), SOCKET_IPC);
            assertThat(client.request("add", new Add(2, 3)).block(T).data(Integer.class)).isEqualTo(5);
            List<Integer> stream = server.connections().next()
                    .flatMapMany(c -> {
                        c.handle("count", in -> Flux.range(0, in.data(Integer.class)));
                        return client.requestStream("count", 100).map(m -> m.data(Integer.class));
                    })
                    .collectList().block(T);
            assertThat(stream).containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
        }

        @Test
        void clientsReachEachOtherByTheNumberTheServerGaveThem(IpcFixtures fx) {
            // as with socket-ipc, a client announces no name on these frames: the server numbers its clients
            IpcServer server = fx.server(SOCKET_IPC);
            IpcClient alice = fx.client("alice", server.address(), SOCKET_IPC);
            IpcClient bob = fx.client("bob", server.address(), SOCKET_IPC);
            Mono<String> bobsNumber = server.on("whoami").map(in -> in.connection().id()).next().cache();
            bobsNumber.subscribe();
            bob.emit("whoami", null).block(T);
            Mono<Message> got = bob.on("chat").next().cache();
            got.subscribe();
            alice.emitTo(bobsNumber.block(T), "chat", "hi bob").block(T);
            Message m = got.block(T);
            assertThat(m.data(String.class)).isEqualTo("hi bob");
            assertThat(m.from()).as("alice's number").isNotNull().isNotEqualTo(bobsNumber.block(T));
        }

        @Test
        void aBroadcastReachesEveryClient(IpcFixtures fx) {
            IpcServer server = fx.server(SOCKET_IPC);
            List<IpcClient> clients = IntStream.range(0, 3)
                    .mapToObj(i -> fx.client("c" + i, server.address(), SOCKET_IPC)).toList();
            server.connections().take(3).blockLast(T);
            List<Mono<Message>> news = clients.stream().map(c -> c.on("news").next().cache()).toList();
            news.forEach(Mono::subscribe);
            server.broadcast("news", Map.of("text", "é✓ \u0000 nul")).block(T);
            for (Mono<Message> n : news) {
                assertThat(n.block(T).data().get("text").asString()).isEqualTo("é✓ \u0000 nul");
            }
        }
    }

    @Nested
    class InTheJvm extends JavaPeers {
        @RegisterExtension
        final IpcExtension ipc = IpcExtension.inJvm();
    }

    @Nested
    class OverAUnixSocket extends JavaPeers {
        @RegisterExtension
        final IpcExtension ipc = new IpcExtension();

        @Test
        void framesCutAnywhereEvenBetweenTheTwoNulsArriveWholeAndBadOnesAreOneErrorEach(IpcFixtures fx)
                throws IOException {
            IpcServer server = fx.server(SOCKET_IPC.toBuilder().maxFrameSize(64)
                    .onProtocolError(io.reactiveipc.IpcConfig.OnProtocolError.SKIP).build());
            Mono<List<Message>> good = server.inbound().map(in -> in.message()).take(3).collectList().cache();
            good.subscribe();
            Mono<List<Throwable>> errors = server.events().ofType(IpcEvent.Failure.class)
                    .map(IpcEvent.Failure::error).take(4).collectList().cache();
            errors.subscribe();
            try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                raw.connect(UnixDomainSocketAddress.of(((IpcAddress.Unix) server.address()).path()));
                // one frame in 1-byte writes; the two NULs of the next frame in separate writes
                for (byte b : bytes("{\"topic\":\"a\",\"message\":\"é\"}\0\0")) {
                    write(raw, new byte[] {b});
                }
                write(raw, bytes("{\"topic\":\"b\",\"message\":2}\0"));
                write(raw, bytes("\0"));
                // malformed JSON, an empty frame, a frame over maxFrameSize, node-ipc's frame: each one error
                write(raw, bytes("{\"topic\":\0\0" + "\0\0" + "{\"topic\":\"big\",\"message\":\"" + "x".repeat(64)
                        + "\"}\0\0" + "{\"type\":\"t\",\"data\":1}\f\0\0"));
                write(raw, bytes("{\"topic\":\"c\"}\0\0"));
                assertThat(good.block(T)).extracting(Message::type).containsExactly("a", "b", "c");
                assertThat(good.block(T).get(0).data(String.class)).isEqualTo("é");
                assertThat(good.block(T).get(2).data(String.class)).as("no message member").isNull();
                assertThat(errors.block(T)).allSatisfy(e -> assertThat(e).isInstanceOf(IpcProtocolException.class))
                        .extracting(e -> ((IpcProtocolException) e).reason())
                        .containsExactly(Reason.MALFORMED_JSON, Reason.MALFORMED_JSON, Reason.FRAME_TOO_LARGE,
                                Reason.MALFORMED_JSON);
            }
        }

        @Test
        void whatAJavaPeerWritesIsSocketIpcsFrame(IpcFixtures fx) throws IOException {
            IpcServer server = fx.server(SOCKET_IPC);
            try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                raw.connect(UnixDomainSocketAddress.of(((IpcAddress.Unix) server.address()).path()));
                server.connections().next().block(T);
                server.broadcast("hello", "world").block(T);
                String expected = "{\"topic\":\"hello\",\"message\":\"world\"}\0\0";
                ByteBuffer in = ByteBuffer.allocate(expected.length());
                while (in.hasRemaining() && raw.read(in) >= 0) {
                    // a blocking read on the test thread: the frame is small and already sent
                }
                assertThat(new String(in.array(), StandardCharsets.UTF_8)).isEqualTo(expected);
            }
        }

        private static void write(SocketChannel raw, byte[] b) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b);
            while (buf.hasRemaining()) {
                raw.write(buf);
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
