package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.IpcServer;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcFixtures;
import io.reactiveipc.test.IpcTestAddresses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/** Bad input from outside, over real Unix and TCP sockets: who is told, what is closed, what reaches the log. */
@ExtendWith(IpcExtension.class)
class ProtocolErrorTest {

    static final Duration T = Duration.ofSeconds(15);
    static final IpcConfig QUIET = IpcConfig.builder().silent(true).retry(20).build();

    static IpcAddress address(String kind) {
        return kind.equals("unix") ? IpcTestAddresses.unix() : IpcTestAddresses.tcp();
    }

    /**
     * A server that sends garbage gets the client's error frame and its socket closed; the client publishes the
     * failure, delivers what came before the bad frame only, and reconnects as after any lost connection.
     */
    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void aServerThatSendsGarbageIsAnsweredAndDroppedThenTheClientReconnects(String kind, IpcFixtures fx)
            throws IOException {
        try (RawServer evil = new RawServer(kind)) {
            IpcClient client = fx.client(evil.address, QUIET);
            List<String> received = Collections.synchronizedList(new ArrayList<>());
            client.inbound().subscribe(m -> received.add(m.type()));
            Mono<IpcEvent> failure = client.events().filter(e -> e instanceof IpcEvent.Failure).next().cache();
            failure.subscribe();
            try (SocketChannel first = evil.accept()) {
                write(first, "{\"type\":\"before\",\"data\":1}\f{\"type\":\"x\",\"data\":\f{\"type\":\"after\"}\f");
                String answered = readToEnd(first);
                assertThat(answered).contains("{\"type\":\"error\",\"data\":{\"code\":\"E_PROTOCOL\","
                        + "\"reason\":\"MALFORMED_JSON\",\"message\":");
            }
            assertThat(((IpcProtocolException) ((IpcEvent.Failure) failure.block(T)).error()).reason())
                    .isEqualTo(Reason.MALFORMED_JSON);
            Mono<Integer> again = client.on("again").next().map(m -> m.data(Integer.class)).cache();
            again.subscribe();
            try (SocketChannel second = evil.accept()) {
                write(second, "{\"type\":\"again\",\"data\":2}\f");
                assertThat(again.block(T)).isEqualTo(2);
            }
            assertThat(received).containsExactly("before", "again");
        }
    }

    /**
     * 600,000 fuzzed frames (100,000 on TCP) on one connection (SKIP: every one is a Failure event) give at most a burst of log
     * lines, the last of which says that more are counted. Counted through slf4j-simple's System.err.
     */
    /**
     * A client whose request is followed by a bad frame in the same write gets the answer to the request first,
     * then the error frame, then the close: what it sent before the bad frame loses nothing.
     */
    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void theAnswerToARequestBeforeABadFrameIsWrittenBeforeTheErrorFrame(String kind, IpcFixtures fx)
            throws IOException {
        IpcServer server = fx.server(address(kind), QUIET);
        server.handle("echo", in -> Mono.just(in.data(String.class)));
        try (SocketChannel raw = connect(server.address())) {
            write(raw, "{\"type\":\"echo\",\"data\":\"hi\",\"rid\":1}\fnot json\f");
            String answered = readToEnd(raw);
            assertThat(answered).startsWith("{\"type\":\"echo\",\"data\":\"hi\",\"re\":1}\f"
                    + "{\"type\":\"error\",\"data\":{\"code\":\"E_PROTOCOL\",\"reason\":\"MALFORMED_JSON\"");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix", "tcp"})
    void badInputIsLoggedAtMostABurstPerWindowNotOnceAFrame(String kind, IpcFixtures fx) throws IOException {
        IpcServer server = fx.server(address(kind), IpcConfig.builder().retry(20)
                .onProtocolError(IpcConfig.OnProtocolError.SKIP).build());
        String marker = IpcProtocolException.class.getName();
        Mono<?> done = server.on("done").next().cache();
        done.subscribe();
        long[] failures = new long[1];
        server.events().filter(e -> e instanceof IpcEvent.Failure).subscribe(e -> failures[0]++);
        int frames = kind.equals("unix") ? 600_000 : 100_000; // the same path above the socket: TCP is kept short
        StringBuilder fuzz = new StringBuilder();
        Random random = new Random(12);
        for (int i = 0; i < frames; i++) {
            for (int n = 1 + random.nextInt(8); n > 0; n--) {
                char c = (char) (0x20 + random.nextInt(0x5f)); // printable, never the delimiter
                fuzz.append(c == '{' ? '[' : c); // '[' or anything else: never one whole object with a type
            }
            fuzz.append('\f');
        }
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream err = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (SocketChannel evil = connect(server.address())) { // blocking writes: no spinning beside the server
            write(evil, fuzz.append("{\"type\":\"done\",\"data\":1}\f").toString());
            done.block(Duration.ofSeconds(60));
        } finally {
            System.setErr(err);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(marker))
                .toList();
        System.out.println(kind + ": " + frames + " bad frames, " + failures[0] + " Failure events, " + lines.size()
                + " log lines");
        assertThat(failures[0]).as("every bad frame is still an event").isEqualTo(frames);
        // the whole run takes well under a minute: at most one burst per started 10 s window
        assertThat(lines).hasSizeBetween(10, 60);
        assertThat(lines.get(9)).contains("more are counted, not logged");
    }

    static SocketChannel connect(IpcAddress address) throws IOException {
        if (address instanceof IpcAddress.Unix u) {
            return SocketChannel.open(UnixDomainSocketAddress.of(u.path()));
        }
        IpcAddress.Tcp t = (IpcAddress.Tcp) address;
        return SocketChannel.open(new InetSocketAddress(t.host(), t.port()));
    }

    static void write(SocketChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Everything the peer sends until it closes; fails if it does not close in time. */
    static String readToEnd(SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        long deadline = System.nanoTime() + T.toNanos();
        try (Selector selector = Selector.open()) {
            ch.register(selector, SelectionKey.OP_READ);
            for (;;) {
                buf.clear();
                int n;
                try {
                    n = ch.read(buf);
                } catch (IOException reset) {
                    return all.toString(StandardCharsets.UTF_8);
                }
                if (n < 0) {
                    return all.toString(StandardCharsets.UTF_8);
                }
                all.write(buf.array(), 0, n);
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("not closed within " + T + "; read: " + all);
                }
                if (n == 0) {
                    selector.select(left);
                    selector.selectedKeys().clear();
                }
            }
        }
    }

    /** A server that speaks bytes: accepts, and the test writes whatever it likes. Test thread only. */
    static final class RawServer implements AutoCloseable {
        final ServerSocketChannel channel;
        final IpcAddress address;

        RawServer(String kind) throws IOException {
            if (kind.equals("unix")) {
                IpcAddress.Unix a = IpcTestAddresses.unix();
                channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                channel.bind(UnixDomainSocketAddress.of(a.path()));
                address = a;
            } else {
                channel = ServerSocketChannel.open();
                channel.bind(new InetSocketAddress("127.0.0.1", 0));
                address = IpcAddress.tcp("127.0.0.1", ((InetSocketAddress) channel.getLocalAddress()).getPort());
            }
            channel.configureBlocking(false);
        }

        SocketChannel accept() throws IOException {
            long deadline = System.nanoTime() + T.toNanos();
            try (Selector selector = Selector.open()) {
                channel.register(selector, SelectionKey.OP_ACCEPT);
                for (;;) {
                    SocketChannel ch = channel.accept();
                    if (ch != null) {
                        return ch;
                    }
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        throw new AssertionError("no connection within " + T);
                    }
                    selector.select(left);
                    selector.selectedKeys().clear();
                }
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
