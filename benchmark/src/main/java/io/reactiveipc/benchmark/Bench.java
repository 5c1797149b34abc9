package io.reactiveipc.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs every scenario for every implementation in one go, each run as a separate server process and client
 * process, and reports medians and min-max over the runs, with ratios against the baselines of the same run. The
 * implementations of a scenario and transport take turns run by run (ours, its baselines, ours again...), so a
 * change of the shared machine's load lands on all of them alike.
 * Options: {@code --runs N} (3), {@code --count N} (1,000,000), {@code --warmup N} (5,000,000 in rounds of 1,000,000: the JIT needs it, every implementation gets it), {@code --rtt N}
 * (20,000), {@code --rtt-warmup N} (100,000 round trips first: after 20,000 the JIT was still compiling the path
 * during the measured ones, on the same CPU when pinned; then more until both processes' JIT compilers are quiet,
 * see {@link RoundTrips}: a compiler busy on the other CPU made unpinned round trips several times faster),
 * {@code --only text} (cells whose name contains it),
 * {@code --profile dir} (async-profiler on every Java worker: a CPU flame graph per process, written to dir;
 * {@code --profile-format collapsed} for folded stacks instead of html). {@code --soak seconds} (with
 * {@code --sample seconds}, 30) runs the soak instead. Request/response cells: round trips take {@code --rtt} and
 * {@code --rtt-warmup}; 16 and 256 in flight {@code --rr N} (1,000,000 requests: about a second at 256 in flight
 * here; at 200,000 the measured span was a third of a second, the JIT still compiled in it, and single runs of the
 * ratio against RSocket ranged from 1.4x to 3.5x) after {@code --rr-warmup N} (1,000,000: a few seconds, as long as
 * the round trips' warm-up); one in flight {@code --rr-1 N} (200,000: 15 s at round-trip speed) after
 * {@code --rtt-warmup}.
 * The UDP cells ({@code --only udp}): {@code --count} messages after {@code --udp-warmup N} (1,000,000), delivered
 * rate and loss of the same run; sent as fast as the sender goes, or paced: rounds of 128, each synced (a round trip)
 * before the next.
 */
public final class Bench {

    private static final ObjectMapper JSON = tools.jackson.databind.json.JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final List<String> IMPLS = List.of("reactive-ipc", "reactor-netty", "node-ipc-14");
    /** node-ipc has no request/response; RSocket is the request/response library to measure against. */
    private static final List<String> RR_IMPLS = List.of("reactive-ipc", "rsocket", "reactor-netty");
    private static final List<String> SCENARIOS = List.of("throughput", "rtt-pinned", "rtt", "fanout-1", "fanout-10",
            "fanout-100", "idle", "rr-rtt-pinned", "rr-rtt", "rr-1", "rr-16", "rr-256", "udp", "udp-paced");
    /** UDP one-way: node-ipc 14's UDP against ours, both ends of each; there is no Reactor Netty baseline of it. */
    private static final List<String> UDP_IMPLS = List.of("reactive-ipc", "node-ipc-14");
    /**
     * Cells that also run "reactive-ipc-metrics": Reactive IPC with reactive-ipc-micrometer recording into a
     * SimpleMeterRegistry in both processes, to put a number on what metrics cost against "reactive-ipc" of the run.
     */
    private static final List<String> METRICS_SCENARIOS = List.of("throughput", "rr-256");
    private static final String WITH_METRICS = "reactive-ipc-metrics";
    /**
     * What Reactive IPC must reach against RSocket in a request/response cell, as the ratio the table gives (p50
     * for round trips, requests/s for throughput); the table says whether it does.
     */
    private static final Map<String, Double> BARS = Map.of("rr-rtt-pinned", 1.0, "rr-rtt", 1.0, "rr-256", 2.0);

    /**
     * Cells also run in mutual TLS over TCP ("tls"), against Reactor Netty with the same SslContext settings; node-ipc
     * is not measured in TLS.
     */
    private static final List<String> TLS_SCENARIOS = List.of("throughput", "rtt-pinned", "rtt");
    /** The TLS cells' certificates, made for this run. */
    private static Path tlsDir;

    private static final int FANOUT_DELIVERIES = 1_000_000;
    private static final int IDLE_CONNECTIONS = 1000;

    /** The agent option to profile Java workers with, or null. */
    private static String profiler;
    private static int profiled;

    private Bench() {
    }

    /** The N of fanout-N (clients) and rr-N (requests in flight). */
    private static int number(Cell c) {
        return Integer.parseInt(c.scenario().substring(c.scenario().lastIndexOf('-') + 1));
    }

    private static boolean rr(String scenario) {
        return scenario.startsWith("rr-");
    }

    /** The implementations a cell's ratios are against, in the order of the table's columns. */
    /** UDP cells: as fast as the sender goes, or in rounds of this many, each synced before the next. */
    private static final int UDP_PACED_ROUND = 128;

    private static boolean udp(String scenario) {
        return scenario.startsWith("udp");
    }

    private static List<String> baselines(String scenario) {
        if (udp(scenario)) {
            return List.of("node-ipc-14");
        }
        return rr(scenario) ? List.of("rsocket", "reactor-netty") : List.of("reactor-netty", "node-ipc-14");
    }

    record Cell(String scenario, String transport, String impl) {
        String name() {
            return scenario + " " + transport + " " + impl;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        int runs = Integer.parseInt(o.getOrDefault("runs", "3"));
        int count = Integer.parseInt(o.getOrDefault("count", "1000000"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "5000000"));
        int rtt = Integer.parseInt(o.getOrDefault("rtt", "20000"));
        int rttWarmup = Integer.parseInt(o.getOrDefault("rtt-warmup", "100000"));
        int rr = Integer.parseInt(o.getOrDefault("rr", "1000000"));
        int rr1 = Integer.parseInt(o.getOrDefault("rr-1", "200000"));
        int rrWarmup = Integer.parseInt(o.getOrDefault("rr-warmup", "1000000"));
        int udpWarmup = Integer.parseInt(o.getOrDefault("udp-warmup", "1000000"));
        String only = o.getOrDefault("only", "");
        Path nodeDir = Path.of(o.getOrDefault("node-dir", "node-peers"));
        Path outDir = Path.of(o.getOrDefault("out", "benchmark/target"));
        if (o.containsKey("profile")) {
            profiler = profiler(Path.of(o.get("profile")), o.getOrDefault("profile-format", "html"));
        }

        if (o.containsKey("soak")) {
            soak(Integer.parseInt(o.get("soak")), Integer.parseInt(o.getOrDefault("sample", "30")), outDir);
            return;
        }
        List<Cell> cells = new ArrayList<>();
        for (String scenario : SCENARIOS) {
            for (String transport : udp(scenario) ? List.of("udp4") : List.of("unix", "tcp", "tls")) {
                if (transport.equals("tls") && !TLS_SCENARIOS.contains(scenario)) {
                    continue;
                }
                List<String> impls = new ArrayList<>(udp(scenario) ? UDP_IMPLS : rr(scenario) ? RR_IMPLS : IMPLS);
                if (METRICS_SCENARIOS.contains(scenario) && !transport.equals("tls")) {
                    impls.add(1, WITH_METRICS);
                }
                for (String impl : impls) {
                    Cell c = new Cell(scenario, transport, impl);
                    if (c.name().contains(only) && !(transport.equals("tls") && impl.equals("node-ipc-14"))) {
                        cells.add(c);
                    }
                }
            }
        }
        List<String> ackCells = AckBench.wanted(only);
        if (!ackCells.isEmpty()) {
            String ack = AckBench.run(ackCells, runs, count, warmup,
                    Integer.parseInt(o.getOrDefault("chaos-count", "100000")),
                    Integer.parseInt(o.getOrDefault("kills", "10")), nodeDir);
            String text = "Acknowledged delivery, " + machine() + ", " + runs + " runs:\n" + ack;
            System.out.println(text);
            Files.createDirectories(outDir);
            Files.writeString(outDir.resolve("benchmark-ack.md"), text);
            if (cells.isEmpty()) {
                return;
            }
        }
        if (cells.stream().anyMatch(c -> c.transport().equals("tls"))) {
            tlsDir = BenchTls.write();
        }
        Map<Cell, List<JsonNode>> results = new LinkedHashMap<>();
        for (Cell c : cells) {
            results.put(c, new ArrayList<>());
        }
        // The implementations of one scenario and transport take turns, run by run (ours, its baselines, ours...):
        // a change of the machine's load then lands on all of them alike, not on whichever ran its runs last.
        Map<String, List<Cell>> groups = new LinkedHashMap<>();
        for (Cell c : cells) {
            groups.computeIfAbsent(c.scenario() + " " + c.transport(), k -> new ArrayList<>()).add(c);
        }
        for (List<Cell> group : groups.values()) {
            for (int r = 0; r < runs; r++) {
                for (Cell c : group) {
                    List<JsonNode> rs = results.get(c);
                    if (!rs.isEmpty() && rs.get(rs.size() - 1).has("failed")) {
                        continue; // a cell that fails is reported once, not waited for three times
                    }
                    int n = switch (c.scenario()) {
                        case "throughput", "udp", "udp-paced" -> count;
                        case "idle" -> IDLE_CONNECTIONS;
                        case "rtt", "rtt-pinned", "rr-rtt", "rr-rtt-pinned" -> rtt;
                        case "rr-1" -> rr1;
                        case "rr-16", "rr-256" -> rr;
                        default -> FANOUT_DELIVERIES / number(c); // fanout-N: a million deliveries in all
                    };
                    int w = switch (c.scenario()) {
                        case "throughput" -> warmup;
                        case "udp", "udp-paced" -> udpWarmup;
                        case "idle" -> 0;
                        // rr-1 goes at round-trip speed: a warm-up of --rr-warmup would take 30 to 60 s here, where the
                        // round trips' one of --rtt-warmup lasts as long as the others' (seconds)
                        case "rtt", "rtt-pinned", "rr-rtt", "rr-rtt-pinned", "rr-1" -> rttWarmup;
                        case "rr-16", "rr-256" -> rrWarmup;
                        default -> n;
                    };
                    JsonNode res;
                    try {
                        res = runOnce(c, n, w, nodeDir);
                    } catch (Exception e) {
                        // One broken cell must not cost the whole run: it shows as failed in the table.
                        res = JSON.createObjectNode().put("failed", String.valueOf(e));
                    }
                    System.err.println(c.name() + " run " + (r + 1) + ": " + res);
                    rs.add(res);
                }
            }
        }
        String machine = machine();
        String table = table(results, runs, count, rr, rr1, machine);
        System.out.println(table);
        Files.createDirectories(outDir);
        Files.writeString(outDir.resolve("benchmark.md"), table);
        ObjectNode json = JSON.createObjectNode();
        json.put("date", Instant.now().toString());
        json.put("machine", machine);
        json.put("runs", runs);
        ArrayNode arr = json.putArray("cells");
        results.forEach((c, rs) -> {
            ObjectNode n = arr.addObject();
            n.put("scenario", c.scenario());
            n.put("transport", c.transport());
            n.put("impl", c.impl());
            n.set("runs", JSON.valueToTree(rs));
        });
        Files.writeString(outDir.resolve("benchmark.json"), JSON.writeValueAsString(json));
        System.err.println("written: " + outDir.resolve("benchmark.md") + ", " + outDir.resolve("benchmark.json"));
    }

    static JsonNode runOnce(Cell c, int count, int warmup, Path nodeDir) throws Exception {
        String address;
        if (c.transport().equals("unix")) {
            address = Files.createTempDirectory(Path.of("/tmp"), "bench").resolve("s.sock").toString();
        } else if (c.transport().equals("udp4")) {
            address = "127.0.0.1:" + freeUdpPort();
        } else {
            address = "127.0.0.1:" + freePort();
        }
        List<String> prefix = c.scenario().endsWith("-pinned") ? List.of("taskset", "-c", "0") : List.of();
        String scenario = workerScenario(c.scenario());
        // Idle memory: the heap is touched up front, so growth of the resident set is memory outside the heap; and
        // Native Memory Tracking tells which of that memory the connections hold (Protocol.nativeKb).
        List<String> jvm = scenario.equals("idle")
                ? List.of("-XX:+AlwaysPreTouch", "-XX:NativeMemoryTracking=summary")
                : List.of();
        Process server = start(prefix, command(c.impl(), nodeDir, jvm, "server", c.transport(), address), nodeDir);
        try {
            await(server, "ready", 60);
            List<String> args = new ArrayList<>(List.of("client", c.transport(), address, scenario,
                    String.valueOf(count), String.valueOf(warmup)));
            if (scenario.equals("fanout") || scenario.equals("rr")) {
                args.add(String.valueOf(number(c)));
            } else if (scenario.equals("udp")) {
                args.add(String.valueOf(freeUdpPort())); // node-ipc binds 8000 for port 0: its client's own port
                args.add(String.valueOf(c.scenario().equals("udp-paced") ? UDP_PACED_ROUND : 0));
            }
            // the round-trip cells wait for both processes' JIT compilers to be quiet (RoundTrips)
            List<String> clientJvm = new ArrayList<>(jvm);
            clientJvm.add("-Dbench.peerPid=" + server.pid());
            Process client = start(prefix, command(c.impl(), nodeDir, clientJvm, args.toArray(String[]::new)),
                    nodeDir);
            try {
                return JSON.readTree(await(client, "scenario", 120));
            } finally {
                client.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The scenario as a worker knows it: the cell's name without pinning or its number. */
    private static String workerScenario(String scenario) {
        if (scenario.startsWith("rtt")) {
            return "rtt";
        } else if (scenario.startsWith("rr-rtt")) {
            return "rr-rtt";
        } else if (rr(scenario)) {
            return "rr";
        }
        return scenario.startsWith("fanout") ? "fanout" : udp(scenario) ? "udp" : scenario;
    }

    /**
     * Reactive IPC's throughput scenario over a Unix socket for {@code seconds}, with Netty's leak detector on
     * (simple: a sample of buffers tracked) in both processes: memory after full collections every
     * {@code sample} seconds, messages checked for loss after every round, LEAK reports counted.
     */
    private static void soak(int seconds, int sample, Path outDir) throws Exception {
        Files.createDirectories(outDir);
        String address = Files.createTempDirectory(Path.of("/tmp"), "bench").resolve("s.sock").toString();
        List<String> jvm = List.of("-Dio.netty.leakDetection.level=simple");
        Path serverErr = outDir.resolve("soak-server.log");
        Path clientErr = outDir.resolve("soak-client.log");
        Process server = new ProcessBuilder(command("reactive-ipc", Path.of("."), jvm, "server", "unix", address))
                .redirectError(serverErr.toFile()).start();
        List<String> lines = new ArrayList<>();
        try {
            await(server, "ready", 60);
            Process client = new ProcessBuilder(command("reactive-ipc", Path.of("."), jvm, "client", "unix", address,
                    "soak", String.valueOf(seconds), String.valueOf(sample))).redirectError(clientErr.toFile()).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    if (l.startsWith("{")) {
                        lines.add(l);
                        System.err.println(l);
                    }
                }
            }
            client.waitFor(60, TimeUnit.SECONDS);
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
        long leaks = 0;
        for (Path log : List.of(serverErr, clientErr)) {
            leaks += Files.readAllLines(log).stream().filter(l -> l.contains("LEAK:")).count();
        }
        StringBuilder b = new StringBuilder("Soak: reactive-ipc one-way over a Unix socket, " + seconds + " s, "
                + machine() + ". Memory after full collections (KiB).\n\n"
                + "| time (s) | messages | rate (msg/s) | server heap | server RSS | client heap | client RSS |\n"
                + "|---|---|---|---|---|---|---|\n");
        JsonNode end = null;
        for (String l : lines) {
            JsonNode n = JSON.readTree(l);
            if (n.has("scenario")) {
                end = n;
                continue;
            }
            b.append(String.format(Locale.ROOT, "| %d | %,d | %,.0f | %,d | %,d | %,d | %,d |%n",
                    n.get("seconds").asLong(), n.get("messages").asLong(), n.get("rate").asDouble(),
                    n.get("serverHeapKb").asLong(), n.get("serverRssKb").asLong(), n.get("clientHeapKb").asLong(),
                    n.get("clientRssKb").asLong()));
        }
        b.append('\n').append(end == null ? "The client did not finish: see " + clientErr
                : String.format(Locale.ROOT, "Sent %,d, the server counted %,d (checked after every round of "
                        + "1,000,000). LEAK reports from Netty's leak detector: %d.", end.get("messages").asLong(),
                        end.get("received").asLong(), leaks)).append('\n');
        System.out.println(b);
        Files.writeString(outDir.resolve("soak.md"), b.toString());
        Files.writeString(outDir.resolve("soak.json"), "[" + String.join(",\n", lines) + "]\n");
    }

    private static List<String> command(String impl, Path nodeDir, List<String> jvm, String... args) {
        List<String> cmd = new ArrayList<>();
        if (impl.equals("node-ipc-14")) {
            cmd.add("node");
            cmd.add("--expose-gc");
            cmd.add(args[1].equals("udp4") ? "bench-udp-peer.mjs" : "bench-peer.mjs");
        } else {
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            if (profiler != null) {
                cmd.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints",
                        String.format(Locale.ROOT, profiler, ++profiled + "-" + impl + "-" + args[0])));
            }
            cmd.addAll(List.of("-Xms512m", "-Xmx1g", "-Dio.netty.leakDetection.level=disabled"));
            if (tlsDir != null) {
                cmd.add("-Dbench.tls=" + tlsDir);
            }
            if (impl.equals(WITH_METRICS)) {
                cmd.add("-Dbench.metrics=true");
            }
            if (impl.equals("ack")) {
                cmd.add("-Dbench.ack=true"); // AckBench: the client sends with acknowledged delivery
            }
            cmd.addAll(jvm); // after the defaults: the last -D of a name wins
            cmd.addAll(List.of(
                    "-cp", System.getProperty("java.class.path"), Worker.class.getName(),
                    switch (impl) {
                        case "reactive-ipc", WITH_METRICS, "ack" -> "ipc";
                        case "rsocket" -> "rsocket";
                        default -> "netty";
                    }));
        }
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    private static Process start(List<String> prefix, List<String> command, Path nodeDir) throws IOException {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(all).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (command.get(0).equals("node")) {
            pb.directory(nodeDir.toFile());
        }
        return pb.start();
    }

    /** The first stdout line containing {@code marker}. */
    private static String await(Process p, String marker, int seconds) throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    if (l.contains(marker)) {
                        return l;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String l;
        try {
            l = line.get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no '" + marker + "' within " + seconds + " s");
        }
        if (l == null) {
            throw new IllegalStateException("the process ended without '" + marker + "' (exit "
                    + (p.waitFor(5, TimeUnit.SECONDS) ? p.exitValue() : -1) + ")");
        }
        return l;
    }

    /**
     * Extracts async-profiler's native library from its jar on the class path; the returned agent option has a
     * {@code %s} for the file name of each process's flame graph.
     */
    private static String profiler(Path dir, String format) throws IOException {
        Files.createDirectories(dir);
        Path lib = dir.resolve("libasyncProfiler.so");
        try (var in = Bench.class.getResourceAsStream("/linux-x64/libasyncProfiler.so")) {
            if (in == null) {
                throw new IllegalStateException("async-profiler's linux-x64 library is not on the class path");
            }
            Files.copy(in, lib, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        // cpu uses perf events where the kernel allows them and falls back to a timer where it does not
        return "-agentpath:" + lib.toAbsolutePath() + "=start,event=cpu,interval=1ms,file="
                + dir.toAbsolutePath() + "/%s." + format;
    }

    static int freePort() throws IOException {
        Random random = new Random();
        for (;;) {
            int port = 20_000 + random.nextInt(12_000);
            try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1,
                    java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // next
            }
        }
    }

    private static int freeUdpPort() throws IOException {
        Random random = new Random();
        for (;;) {
            int port = 20_000 + random.nextInt(12_000);
            try (java.net.DatagramSocket s = new java.net.DatagramSocket(new java.net.InetSocketAddress(
                    java.net.InetAddress.getLoopbackAddress(), port))) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // next
            }
        }
    }

    private static String machine() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException ignored) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + cpu + ", Java "
                + System.getProperty("java.version") + ", node " + nodeVersion();
    }

    private static String nodeVersion() {
        try {
            Process p = new ProcessBuilder("node", "--version").start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return v;
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    private static double[] values(List<JsonNode> rs, String field) {
        return rs.stream().filter(r -> !r.has("failed")).mapToDouble(r -> r.get(field).asDouble()).sorted().toArray();
    }

    private static double median(double[] v) {
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String table(Map<Cell, List<JsonNode>> results, int runs, int count, int rr, int rr1,
            String machine) {
        StringBuilder b = new StringBuilder();
        b.append("Machine: ").append(machine).append(". Medians of ").append(runs)
                .append(" runs, [min-max]; each run is a fresh server process and client process.\n");
        // A table per set of baselines: the request/response cells have RSocket where the others have node-ipc.
        Map<List<String>, List<Cell>> tables = new LinkedHashMap<>();
        results.keySet().forEach(c -> tables.computeIfAbsent(baselines(c.scenario()), k -> new ArrayList<>()).add(c));
        tables.forEach((baselines, cells) -> {
            boolean bars = cells.stream().anyMatch(c -> BARS.containsKey(c.scenario()));
            b.append("\n| scenario | transport | implementation | result |");
            baselines.forEach(x -> b.append(" vs ").append(x).append(" |"));
            b.append(bars ? " reactive-ipc's bar vs rsocket |" : "").append(" peak RSS server / client (MiB) |\n|")
                    .append("---|".repeat(5 + baselines.size() + (bars ? 1 : 0))).append('\n');
            cells.forEach(c -> row(b, results, c, baselines, bars, count, c.scenario().equals("rr-1") ? rr1 : rr));
        });
        return b.toString();
    }

    private static void row(StringBuilder b, Map<Cell, List<JsonNode>> results, Cell c, List<String> baselines,
            boolean bars, int count, int rr) {
        List<JsonNode> all = results.get(c);
        List<JsonNode> rs = all.stream().filter(r -> !r.has("failed")).toList();
        String failed = all.size() == rs.size() ? "" : " (" + (all.size() - rs.size()) + " of " + all.size()
                + " runs failed)";
        if (rs.isEmpty()) {
            b.append("| ").append(c.scenario()).append(" | ").append(c.transport()).append(" | ").append(c.impl())
                    .append(" | failed: ").append(all.get(0).get("failed").asString().replace('|', '/'))
                    .append(" |").append(" - |".repeat(baselines.size() + (bars ? 1 : 0) + 1)).append('\n');
            return;
        }
        if (c.scenario().equals("idle")) {
            idleRow(b, results, c, rs, failed);
            return;
        }
        boolean tp = !c.scenario().contains("rtt");
        String field = tp ? "rate" : "p50";
        double[] v = values(rs, field);
        String unit = c.scenario().startsWith("fanout") ? "deliveries/s" : rr(c.scenario()) ? "req/s" : "msg/s";
        double[] loss = udp(c.scenario()) ? values(rs, "loss") : null;
        String result = loss != null
                ? String.format(Locale.ROOT, "%,.0f msg/s delivered [%,.0f-%,.0f], loss %.2f%% [%.2f-%.2f], sent at"
                        + " %,.0f msg/s", median(v), v[0], v[v.length - 1], 100 * median(loss), 100 * loss[0],
                        100 * loss[loss.length - 1], median(values(rs, "sendRate")))
                : tp
                ? String.format(Locale.ROOT, "%,.0f %s [%,.0f-%,.0f]", median(v), unit, v[0], v[v.length - 1])
                : String.format(Locale.ROOT, "p50 %.1f µs [%.1f-%.1f], p99 %.1f, mean %.1f", median(v), v[0],
                        v[v.length - 1], median(values(rs, "p99")), median(values(rs, "mean")));
        String what = switch (c.scenario()) {
            case "throughput" -> "one-way, " + String.format(Locale.ROOT, "%,d", count) + " msgs";
            case "udp" -> "UDP one-way, " + String.format(Locale.ROOT, "%,d", count) + " msgs, as fast as sent";
            case "udp-paced" -> "UDP one-way, " + String.format(Locale.ROOT, "%,d", count) + " msgs, synced every "
                    + UDP_PACED_ROUND;
            case "rtt" -> "round trip, unpinned";
            case "rtt-pinned" -> "round trip, both on CPU 0";
            case "rr-rtt" -> "request/response round trip, unpinned";
            case "rr-rtt-pinned" -> "request/response round trip, both on CPU 0";
            default -> rr(c.scenario())
                    ? String.format(Locale.ROOT, "request/response, %d in flight, %,d requests", number(c), rr)
                    : "broadcast to " + number(c) + " client" + (number(c) > 1 ? "s" : "");
        };
        long busy = rs.stream().filter(r -> r.has("jitQuiet") && !r.get("jitQuiet").asBoolean()).count();
        String jit = busy == 0 ? "" : " (" + busy + " of " + rs.size() + " runs measured with a JIT still busy)";
        b.append("| ").append(what).append(" | ").append(c.transport()).append(" | ")
                .append(c.impl()).append(" | ").append(result).append(failed).append(jit).append(" | ");
        for (String baseline : baselines) {
            b.append(ratio(results, c, baseline, field, tp)).append(" | ");
        }
        if (bars) {
            b.append(bar(results, c, field, tp)).append(" | ");
        }
        b.append(String.format(Locale.ROOT, "%.0f / %.0f", median(values(rs, "serverRssKb")) / 1024,
                median(values(rs, "clientRssKb")) / 1024)).append(" |\n");
    }

    /** Whether Reactive IPC's cell reaches its bar against RSocket of the same run; blank for other cells. */
    private static String bar(Map<Cell, List<JsonNode>> results, Cell c, String field, boolean higherIsBetter) {
        Double bar = BARS.get(c.scenario());
        if (bar == null || !c.impl().equals("reactive-ipc")) {
            return "";
        }
        double r = ratioValue(results, c, "rsocket", field, higherIsBetter);
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, ">= %.2fx: %s", bar, r >= bar ? "met" : "NOT met");
    }

    /**
     * Idle memory per connection. For a JVM, retained heap plus native memory as Native Memory Tracking counts it
     * (without the JIT's: Protocol.nativeKb); for Node.js the resident set's growth, which holds its heap and its
     * sockets' native structures.
     */
    private static void idleRow(StringBuilder b, Map<Cell, List<JsonNode>> results, Cell c, List<JsonNode> rs,
            String failed) {
        String result = String.format(Locale.ROOT, "server %.2f KiB (%s), client %.2f KiB (%s)",
                idleTotal(c, rs, "server"), idleParts(c, rs, "server"), idleTotal(c, rs, "client"),
                idleParts(c, rs, "client"));
        b.append("| idle, ").append(String.format(Locale.ROOT, "%,d", IDLE_CONNECTIONS)).append(" connections, per")
                .append(" connection | ").append(c.transport()).append(" | ").append(c.impl()).append(" | ")
                .append(result).append(failed);
        for (String baseline : baselines(c.scenario())) {
            List<JsonNode> base = results.get(new Cell(c.scenario(), c.transport(), baseline));
            List<JsonNode> ok = base == null ? List.of() : base.stream().filter(r -> !r.has("failed")).toList();
            Cell baseCell = new Cell(c.scenario(), c.transport(), baseline);
            b.append(" | ").append(c.impl().equals(baseline) ? "1.00 / 1.00" : ok.isEmpty() ? "-"
                    : String.format(Locale.ROOT, "%.2fx / %.2fx", idleTotal(baseCell, ok, "server") / idleTotal(c, rs,
                            "server"), idleTotal(baseCell, ok, "client") / idleTotal(c, rs, "client")));
        }
        b.append(String.format(Locale.ROOT, " | %.0f / %.0f |%n", median(values(rs, "serverRssKb")) / 1024,
                median(values(rs, "clientRssKb")) / 1024));
    }

    private static double idleTotal(Cell c, List<JsonNode> rs, String side) {
        double rss = median(values(rs, side + "RssPerConnKb"));
        if (c.impl().equals("node-ipc-14")) {
            return rss;
        }
        double heap = median(values(rs, side + "HeapPerConnKb"));
        return rs.stream().allMatch(r -> r.has(side + "NativePerConnKb"))
                ? heap + median(values(rs, side + "NativePerConnKb"))
                : heap + rss;
    }

    private static String idleParts(Cell c, List<JsonNode> rs, String side) {
        if (c.impl().equals("node-ipc-14") || !rs.stream().allMatch(r -> r.has(side + "NativePerConnKb"))) {
            return String.format(Locale.ROOT, "heap %.1f", median(values(rs, side + "HeapPerConnKb")));
        }
        return String.format(Locale.ROOT, "heap %.2f, native %.2f", median(values(rs, side + "HeapPerConnKb")),
                median(values(rs, side + "NativePerConnKb")));
    }

    private static String ratio(Map<Cell, List<JsonNode>> results, Cell c, String baseline, String field,
            boolean higherIsBetter) {
        if (c.impl().equals(baseline)) {
            return "1.00";
        }
        double r = ratioValue(results, c, baseline, field, higherIsBetter);
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2fx", r);
    }

    /**
     * Throughput: ours / theirs (higher is better). Latency: theirs / ours (higher is better too). NaN where the
     * baseline has no result.
     */
    private static double ratioValue(Map<Cell, List<JsonNode>> results, Cell c, String baseline, String field,
            boolean higherIsBetter) {
        List<JsonNode> base = results.get(new Cell(c.scenario(), c.transport(), baseline));
        if (base == null) {
            return Double.NaN;
        }
        double[] o = values(results.get(c), field);
        double[] t = values(base, field);
        if (o.length == 0 || t.length == 0) {
            return Double.NaN;
        }
        double ours = median(o);
        double theirs = median(t);
        return higherIsBetter ? ours / theirs : theirs / ours;
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return o;
    }
}
