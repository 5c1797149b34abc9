package io.reactiveipc.benchmark;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.Message;
import io.reactiveipc.testsupport.chaos.ChaosRecords;
import io.reactiveipc.testsupport.chaos.ChaosServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The acknowledged-delivery cells. {@code throughput <unix|tcp> ack}: the throughput scenario with an acknowledged
 * client, each run beside a plain one (the same scenario, the same run), so the cost is a ratio of the same
 * moment's load. {@code chaos <unix|tcp> ack} (and {@code chaos <unix|tcp> reactive-ipc}, plain, for contrast):
 * {@code --chaos-count} messages (100,000) in one {@code send(Publisher)} from a client in this process to a
 * {@link io.reactiveipc.testsupport.chaos.ChaosServer} (test-support/chaos) that is SIGKILLed and started again {@code --kills} times (10), each kill when the running
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
        IpcAddress address = transport.equals("unix") ? IpcAddress.unix(dir.resolve("s.sock"))
                : IpcAddress.tcp("127.0.0.1", Bench.freePort());
        String where = address instanceof IpcAddress.Unix u ? u.path().toString()
                : String.valueOf(((IpcAddress.Tcp) address).port());
        IpcConfig config = IpcConfig.builder().silent(true).retry(50)
                .delivery(acked ? Delivery.ACKNOWLEDGED : Delivery.PLAIN).build();
        ChaosServerProcess.Launch launch = new ChaosServerProcess.Launch(transport, where, file, n, 1000,
                List.of("-Xmx512m", "-Dio.netty.leakDetection.level=disabled"), T);
        long t0 = System.nanoTime();
        ChaosServerProcess server = launch.start();
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
                    server.awaitCount(server.recordsAtStart() + batch / 2);
                    server.kill();
                    server = launch.start();
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
        List<ChaosRecords.Entry> log = ChaosRecords.read(file);
        int records = log.size();
        Set<Long> seen = new HashSet<>();
        int duplicated = 0;
        int outOfOrder = 0;
        long last = 0;
        for (ChaosRecords.Entry e : log) {
            long data = e.data();
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
