package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcFixtures;
import io.reactiveipc.test.IpcTestAddresses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

/** node-ipc's {@code sync: true} over a real Unix socket. */
@ExtendWith(IpcExtension.class)
class SyncModeTest {

    static final Duration T = Duration.ofSeconds(15);
    static final IpcConfig SYNC = IpcFixtures.TEST_CONFIG.toBuilder().sync(true).build();

    @Test
    void threeEmitsReachTheServerOneAtATimeEachAfterItAnsweredTheOneBefore(IpcFixtures fx) {
        IpcServer server = fx.server(IpcFixtures.TEST_CONFIG);
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        // The server takes its time over each answer: a client that did not wait would be seen sending on.
        server.on("n").flatMap(in -> {
            int k = in.message().data(Integer.class);
            log.add("saw " + k);
            return Mono.delay(Duration.ofMillis(50)).then(Mono.defer(() -> {
                log.add("answered " + k);
                return in.reply("ack", k);
            }));
        }).subscribe();
        IpcClient client = fx.client(server.address(), SYNC); // announces itself first: that must not hold it up
        Mono<List<Integer>> acks = client.on("ack").map(m -> m.data(Integer.class)).take(3).collectList().cache();
        acks.subscribe();
        for (int k = 0; k < 3; k++) {
            assertThat(client.outbound().tryEmitNext(Message.of("n", k)).isSuccess()).isTrue();
        }
        assertThat(acks.block(T)).containsExactly(0, 1, 2);
        assertThat(log).containsExactly("saw 0", "answered 0", "saw 1", "answered 1", "saw 2", "answered 2");
        List<IpcEvent> events = new ArrayList<>();
        client.events().subscribe(events::add).dispose(); // the first subscriber: every event so far, at once
        assertThat(events).as("no timeout, no failure").isNotEmpty().noneMatch(e -> e instanceof IpcEvent.Failure);
    }

    @Test
    void aRequestToAPeerThatDoesNotEchoTheIdIsAnsweredByItsNextMessage(IpcFixtures fx) throws IOException {
        IpcAddress.Unix address = IpcTestAddresses.unix();
        try (PlainPeer peer = new PlainPeer(address)) {
            IpcClient client = fx.client(address, SYNC.toBuilder().identify(false).build());
            Mono<Message> answer = client.request("sum", List.of(1, 2)).cache();
            answer.subscribe(m -> { }, e -> { });
            String frame = peer.readFrame();
            assertThat(frame).startsWith("{\"type\":\"sum\",\"data\":[1,2],\"rid\":");
            peer.write("{\"type\":\"total\",\"data\":3}\f"); // as node-ipc's emit: no "re"
            Message m = answer.block(T);
            assertThat(m.type()).isEqualTo("total");
            assertThat(m.data(Integer.class)).isEqualTo(3);
            assertThat(client.pendingRequests()).isZero();
        }
    }

    /** A peer that speaks frames and knows nothing of request ids, as a node-ipc server; blocking, test thread. */
    static final class PlainPeer implements AutoCloseable {
        private final ServerSocketChannel listener;
        private final Selector selector;
        private SocketChannel channel;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private final ArrayDeque<String> frames = new ArrayDeque<>();

        PlainPeer(IpcAddress.Unix address) throws IOException {
            listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            listener.bind(UnixDomainSocketAddress.of(address.path()));
            listener.configureBlocking(false);
            selector = Selector.open();
            listener.register(selector, SelectionKey.OP_ACCEPT);
        }

        String readFrame() throws IOException {
            long deadline = System.nanoTime() + T.toNanos();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            for (;;) {
                String next = frames.poll();
                if (next != null) {
                    return next;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                assertThat(left).as("a frame within " + T).isPositive();
                selector.select(left);
                selector.selectedKeys().clear();
                if (channel == null) {
                    channel = listener.accept();
                    if (channel != null) {
                        channel.configureBlocking(false);
                        channel.register(selector, SelectionKey.OP_READ);
                    }
                    continue;
                }
                buf.clear();
                int n = channel.read(buf);
                assertThat(n).as("the client closed the connection").isNotNegative();
                for (int i = 0; i < n; i++) {
                    byte b = buf.get(i);
                    partial.write(b);
                    if (b == '\f') {
                        frames.add(partial.toString(StandardCharsets.UTF_8));
                        partial.reset();
                    }
                }
            }
        }

        void write(String utf8) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(utf8.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }

        @Override
        public void close() throws IOException {
            selector.close();
            if (channel != null) {
                channel.close();
            }
            listener.close();
        }
    }
}
