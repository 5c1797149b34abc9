package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.Message;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcFixtures;
import io.reactiveipc.test.IpcTestAddresses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Acknowledged delivery against a server in another JVM that is SIGKILLed ({@code destroyForcibly}) and started
 * again three times during one {@code send(Publisher)} stream: the server's durable record holds every message
 * exactly once, in order. Each kill lands while part of a batch is written and not yet acknowledged (the server
 * has reported half of it), and the next batch is emitted while no server runs.
 */
@ExtendWith(IpcExtension.class)
class AckChaosTest {

    static final int BATCH = 2_000;
    static final int KILLS = 3;
    static final int N = BATCH * (KILLS + 1);
    static final Duration T = Duration.ofSeconds(30);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unix", "tcp"})
    @Timeout(90)
    void everyMessageReachesAServerKilledThreeTimesExactlyOnceInOrder(String kind, IpcFixtures fx) throws Exception {
        Path dir = IpcTestAddresses.freshDirectory();
        Path file = dir.resolve("log");
        IpcAddress address = kind.equals("unix") ? IpcAddress.unix(dir.resolve("s.sock"))
                : IpcTestAddresses.freeTcpPort();
        String where = kind.equals("unix") ? ((IpcAddress.Unix) address).path().toString()
                : String.valueOf(((IpcAddress.Tcp) address).port());
        Server server = Server.start(kind, where, file, N);
        try {
            IpcClient client = fx.client(address, IpcFixtures.TEST_CONFIG.toBuilder()
                    .delivery(Delivery.ACKNOWLEDGED).build());
            Sinks.Many<Message> source = Sinks.many().unicast().onBackpressureBuffer();
            Mono<Void> sent = client.send(source.asFlux()).cache();
            sent.subscribe(null, e -> { });
            long next = 1;
            for (int batch = 0; batch <= KILLS; batch++) {
                for (int i = 0; i < BATCH; i++) {
                    source.tryEmitNext(Message.of("n", next++)).orThrow();
                }
                if (batch < KILLS) {
                    server.awaitCount(batch * BATCH + BATCH / 2); // mid-batch: some written and not yet acked
                    server.kill();
                    server = Server.start(kind, where, file, N);
                }
            }
            source.tryEmitComplete();
            sent.block(T); // every message acknowledged
        } finally {
            server.kill();
        }
        List<long[]> records = read(file);
        assertThat(records).as("records").hasSize(N);
        for (int i = 0; i < N; i++) {
            assertThat(records.get(i)).as("record %d: {seq, data}", i).containsExactly(i + 1, i + 1);
        }
    }

    static List<long[]> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        int count = (int) b.getLong(0);
        List<long[]> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = AckChaosServer.HEADER + AckChaosServer.RECORD * i;
            records.add(new long[] {b.getLong(at), b.getLong(at + 8)});
        }
        return records;
    }

    /** The server JVM and its report lines. */
    static final class Server {
        final Process process;
        final java.util.concurrent.BlockingDeque<String> lines = new java.util.concurrent.LinkedBlockingDeque<>();

        private Server(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // killed
                }
                lines.add("exit");
            }, "ack-chaos-server-out");
            reader.setDaemon(true);
            reader.start();
        }

        static Server start(String kind, String where, Path file, int capacity) throws InterruptedException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
                    "-cp", System.getProperty("java.class.path"), AckChaosServer.class.getName(), kind, where,
                    file.toString(), String.valueOf(capacity));
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            Server s;
            try {
                s = new Server(pb.start());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // a reconnecting client may be recorded (and counted, "n ...") before main prints "ready": keep those
            java.util.Deque<String> early = new java.util.ArrayDeque<>();
            String first;
            while ((first = s.lines.poll(T.toSeconds(), TimeUnit.SECONDS)) != null && first.startsWith("n ")) {
                early.push(first);
            }
            if (!"ready".equals(first)) {
                s.kill();
                throw new AssertionError("the server did not come up: " + first);
            }
            early.forEach(s.lines::addFirst); // most recent pushed first, so the oldest ends up in front
            return s;
        }

        /** Waits for the server's report that it recorded at least {@code n} messages. */
        void awaitCount(int n) throws InterruptedException {
            for (;;) {
                String line = lines.poll(T.toSeconds(), TimeUnit.SECONDS);
                if (line == null || line.equals("exit")) {
                    throw new AssertionError("the server stopped reporting before " + n + " messages: " + line);
                }
                if (line.startsWith("n ") && Integer.parseInt(line.substring(2)) >= n) {
                    return;
                }
            }
        }

        /** SIGKILL on Linux. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(T.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
