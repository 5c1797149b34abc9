package io.reactiveipc.benchmark;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The acknowledged-delivery cells. {@code throughput <unix|tcp> ack}: the throughput scenario with an acknowledged
 * client, each run beside a plain one (the same scenario, the same run), so the cost is a ratio of the same
 * moment's load. {@code chaos <unix|tcp> ack} (and {@code chaos <unix|tcp> reactive-ipc}, plain, for contrast):
 * {@code --chaos-count} messages (100,000) in one {@code send(Publisher)} from a client in this process to a
 * {@link ChaosServer} that is SIGKILLed and started again {@code --kills} times (10), each kill when the running
 * server has recorded half a batch of its own; then the server's durable record is checked: lost, duplicated,
 * out of order.
 */
final class AckBench {

    static final List<String> CELLS = List.of("throughput unix ack", "throughput tcp ack", "chaos unix ack",
            "chaos tcp ack", "chaos unix reactive-ipc", "chaos tcp reactive-ipc");
    private static final Duration T = Duration.ofMinutes(10);

    private AckBench() {
    }

    static List<String> wanted(String only) {
        return CELLS.stream().filter(c -> c.contains(only)).toList();
    }

    /** Runs the wanted cells; returns the markdown. */
    static String run(List<String> cells, int runs, int count, int warmup, int chaosCount, int kills, Path nodeDir)
            throws Exception {
        StringBuilder b = new StringBuilder();
        for (String cell : cells) {
            String[] p = cell.split(" ");
            String transport = p[1];
            if (p[0].equals("throughput")) {
                double[] plain = new double[runs];
                double[] ack = new double[runs];
                double[] ratio = new double[runs];
                for (int r = 0; r < runs; r++) {
                    plain[r] = Bench.runOnce(new Bench.Cell("throughput", transport, "reactive-ipc"), count, warmup,
                            nodeDir).get("rate").asDouble();
                    ack[r] = Bench.runOnce(new Bench.Cell("throughput", transport, "ack"), count, warmup, nodeDir)
                            .get("rate").asDouble();
                    ratio[r] = ack[r] / plain[r];
                    System.err.printf(Locale.ROOT, "%s run %d: plain %,.0f msg/s, ack %,.0f msg/s, ratio %.2f%n",
                            cell, r + 1, plain[r], ack[r], ratio[r]);
                }
                b.append(String.format(Locale.ROOT, "| %s | %,d msgs one-way | plain %,.0f msg/s [%,.0f-%,.0f] | "
                        + "ack %,.0f msg/s [%,.0f-%,.0f] | ack/plain %.2f [%.2f-%.2f] |%n", cell, count, median(plain),
                        min(plain), max(plain), median(ack), min(ack), max(ack), median(ratio), min(ratio),
                        max(ratio)));
            } else {
                boolean acked = p[2].equals("ack");
                List<String> lines = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    Outcome o = chaos(transport, acked, chaosCount, kills);
                    System.err.println(cell + " run " + (r + 1) + ": " + o);
                    lines.add(o.toString());
                }
                b.append("| ").append(cell).append(String.format(Locale.ROOT, " | %,d msgs, %d SIGKILLs | ",
                        chaosCount, kills)).append(String.join("; ", lines)).append(" | |\n");
            }
        }
        return "\n| cell | what | result | | |\n|---|---|---|---|---|\n" + b;
    }

    record Outcome(int sent, int records, int lost, int duplicated, int outOfOrder, double seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "lost %d, duplicated %d, out of order %d (of %,d; %,d records), %.1f s",
                    lost, duplicated, outOfOrder, sent, records, seconds);
        }
    }

    static Outcome chaos(String transport, boolean acked, int n, int kills) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "chaos");
        Path file = dir.resolve("log");
        String where = transport.equals("unix") ? dir.resolve("s.sock").toString()
                : "127.0.0.1:" + Bench.freePort();
        IpcAddress address = transport.equals("unix") ? IpcAddress.unix(Path.of(where))
                : IpcAddress.tcp("127.0.0.1", Integer.parseInt(where.split(":")[1]));
        IpcConfig config = IpcConfig.builder().silent(true).retry(50)
                .delivery(acked ? Delivery.ACKNOWLEDGED : Delivery.PLAIN).build();
        long t0 = System.nanoTime();
        Server server = Server.start(transport, where, file, n);
        IpcClient client = IpcClient.connect("chaos", address, config);
        try {
            Sinks.Many<Message> source = Sinks.many().unicast().onBackpressureBuffer();
            Mono<Void> sent = client.send(source.asFlux()).cache();
            sent.subscribe(null, e -> { });
            int batch = n / (kills + 1);
            long next = 1;
            for (int k = 0; k <= kills; k++) {
                int size = k == kills ? n - batch * kills : batch;
                for (int i = 0; i < size; i++) {
                    source.tryEmitNext(Message.of("n", next++)).orThrow();
                }
                if (k < kills) {
                    server.awaitCount(server.start + batch / 2);
                    server.kill();
                    server = Server.start(transport, where, file, n);
                }
            }
            source.tryEmitComplete();
            sent.block(T);
            client.send(Message.of("end")).block(T);
            server.awaitEnd();
        } finally {
            server.kill();
            client.disposeNow(Duration.ofSeconds(10));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        ByteBuffer log = ByteBuffer.wrap(Files.readAllBytes(file));
        int records = (int) log.getLong(0);
        Set<Long> seen = new HashSet<>();
        int duplicated = 0;
        int outOfOrder = 0;
        long last = 0;
        for (int i = 0; i < records; i++) {
            long data = log.getLong(ChaosServer.HEADER + ChaosServer.RECORD * i + 8);
            if (!seen.add(data)) {
                duplicated++;
            } else if (data < last) {
                outOfOrder++;
            }
            last = Math.max(last, data);
        }
        Files.deleteIfExists(file);
        return new Outcome(n, records, n - seen.size(), duplicated, outOfOrder, seconds);
    }

    /** A ChaosServer process and its report lines. */
    private static final class Server {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        long start;

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
            }, "chaos-server-out");
            reader.setDaemon(true);
            reader.start();
        }

        static Server start(String transport, String where, Path file, int capacity) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "-Xmx512m", "-Dio.netty.leakDetection.level=disabled", "-cp", System.getProperty("java.class.path"),
                    ChaosServer.class.getName(), transport, where, file.toString(), String.valueOf(capacity)));
            Server s = new Server(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
            String first = s.lines.poll(60, TimeUnit.SECONDS);
            if (first == null || !first.startsWith("ready ")) {
                s.kill();
                throw new IllegalStateException("the chaos server did not come up: " + first);
            }
            s.start = Long.parseLong(first.substring(6));
            return s;
        }

        void awaitCount(long n) throws InterruptedException {
            for (;;) {
                String line = lines.poll(T.toSeconds(), TimeUnit.SECONDS);
                if (line == null || line.equals("exit")) {
                    throw new IllegalStateException("the chaos server stopped before " + n + " records: " + line);
                }
                if (line.startsWith("n ") && Long.parseLong(line.substring(2)) >= n) {
                    return;
                }
            }
        }

        void awaitEnd() throws InterruptedException {
            for (;;) {
                String line = lines.poll(T.toSeconds(), TimeUnit.SECONDS);
                if (line == null || line.equals("exit")) {
                    throw new IllegalStateException("the chaos server ended without the end marker: " + line);
                }
                if (line.startsWith("end ")) {
                    return;
                }
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
