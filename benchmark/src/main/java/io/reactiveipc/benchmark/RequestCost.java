package io.reactiveipc.benchmark;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.Message;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.util.ByteBufPayload;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpClient;
import tools.jackson.databind.JsonNode;

/**
 * What one request of the rr-N cell costs, in measures that do not move with the machine's load: bytes allocated
 * and CPU time per request, in the server process and in the client process, over the measured requests only
 * (after the warm-up). The same server as the cell's ({@link Worker}'s) and the same requests from one connection
 * with N in flight; only the clock is left out.
 *
 * <pre>
 * java -cp "benchmark/target/classes:benchmark/target/lib/*" io.reactiveipc.benchmark.RequestCost \
 *     [--impl reactive-ipc|rsocket] [--transport unix|tcp] [--in-flight 256] [--warmup 1000000] [--count 1000000]
 *     [--profile DIR] [--event cpu|alloc] [--jvm "more JVM options"]
 * </pre>
 *
 * <p>{@code --profile DIR} has async-profiler sample both processes over the measured requests only and write
 * {@code server.collapsed} and {@code client.collapsed} there (one line per stack, its sample count last; for
 * {@code --event alloc}, the bytes its samples stand for).
 */
public final class RequestCost {

    private static final Duration T = Duration.ofMinutes(5);
    /** {@code -Dcost.verbose=true}: what the processes print goes to stderr (with {@code --jvm -XX:+PrintCompilation}, say). */
    private static final boolean VERBOSE = Boolean.getBoolean("cost.verbose");

    private RequestCost() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("server") || args[0].equals("client"))) {
            side(args);
            return;
        }
        Map<String, String> o = Bench.options(args);
        String impl = o.getOrDefault("impl", "reactive-ipc");
        String transport = o.getOrDefault("transport", "unix");
        String inFlight = o.getOrDefault("in-flight", "256");
        String warmup = o.getOrDefault("warmup", "1000000");
        long count = Long.parseLong(o.getOrDefault("count", "1000000"));
        String profile = o.getOrDefault("profile", "");
        String event = o.getOrDefault("event", "cpu");
        List<String> jvm = o.containsKey("jvm") ? List.of(o.get("jvm").split(" ")) : List.of();
        String address = transport.equals("unix")
                ? Files.createTempDirectory(Path.of("/tmp"), "cost").resolve("s.sock").toString()
                : "127.0.0.1:" + Bench.freePort();
        Process server = start(jvm, List.of("server", impl, transport, address, profile, event));
        Process client = null;
        try {
            var serverOut = reader(server);
            PrintStream serverIn = new PrintStream(server.getOutputStream(), true, StandardCharsets.UTF_8);
            expect(serverOut, "ready");
            client = start(jvm, List.of("client", impl, transport, address, profile, event, inFlight, warmup,
                    String.valueOf(count)));
            var clientOut = reader(client);
            PrintStream clientIn = new PrintStream(client.getOutputStream(), true, StandardCharsets.UTF_8);
            long[][] s = new long[2][];
            long[][] c = new long[2][];
            for (int i = 0; i < 2; i++) {
                c[i] = costs(expect(clientOut, "cost "));
                serverIn.println(i == 0 ? "mark" : "last");
                s[i] = costs(expect(serverOut, "cost "));
                clientIn.println("go");
            }
            double seconds = (c[1][2] - c[0][2]) / 1e9;
            System.out.println(String.format(Locale.ROOT, "{\"impl\":\"%s\",\"transport\":\"%s\",\"inFlight\":%s,"
                    + "\"requests\":%d,\"serverBytesPerRequest\":%.0f,\"clientBytesPerRequest\":%.0f,"
                    + "\"serverCpuNsPerRequest\":%.0f,\"clientCpuNsPerRequest\":%.0f,\"cpuNsPerRequest\":%.0f,"
                    + "\"processCpuNsPerRequest\":%.0f,\"seconds\":%.3f,\"load\":%.2f}", impl, transport, inFlight,
                    count, (s[1][0] - s[0][0]) / (double) count, (c[1][0] - c[0][0]) / (double) count,
                    (s[1][1] - s[0][1]) / (double) count, (c[1][1] - c[0][1]) / (double) count,
                    (s[1][1] - s[0][1] + c[1][1] - c[0][1]) / (double) count,
                    (s[1][3] - s[0][3] + c[1][3] - c[0][3]) / (double) count, seconds,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        } finally {
            if (client != null) {
                client.destroyForcibly().waitFor();
            }
            server.destroyForcibly().waitFor();
        }
    }

    private static Process start(List<String> jvm, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xms512m", "-Xmx1g", "-Dio.netty.leakDetection.level=disabled",
                "-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RequestCost.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The process's marker lines ("ready", "cost ..."), read by a thread of its own so its output never blocks it. */
    private static java.util.concurrent.BlockingQueue<String> reader(Process p) {
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    if (VERBOSE) {
                        System.err.println(l);
                    }
                    if (l.contains("ready") || l.startsWith("cost ")) {
                        lines.add(l);
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
            lines.add("ended");
        });
        t.setDaemon(true);
        t.start();
        return lines;
    }

    private static String expect(java.util.concurrent.BlockingQueue<String> lines, String marker)
            throws InterruptedException {
        String l = lines.poll(10, java.util.concurrent.TimeUnit.MINUTES);
        if (l == null || !l.contains(marker)) {
            throw new IllegalStateException("expected '" + marker + "', got " + l);
        }
        return l;
    }

    private static long[] costs(String line) {
        String[] p = line.substring(line.indexOf("cost ") + 5).trim().split(" ");
        long[] v = new long[p.length];
        for (int i = 0; i < p.length; i++) {
            v[i] = Long.parseLong(p[i]);
        }
        return v;
    }

    // ---- the two processes -------------------------------------------------------------------------------

    private static void side(String[] args) throws Exception {
        String role = args[0];
        String impl = args[1];
        IpcAddress address = args[2].equals("unix") ? IpcAddress.unix(Path.of(args[3]))
                : IpcAddress.tcp(args[3].split(":")[0], Integer.parseInt(args[3].split(":")[1]));
        Profiler profiler = args[4].isEmpty() ? null : new Profiler(Path.of(args[4]), role, args[5]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (role.equals("server")) {
            Thread marks = new Thread(() -> {
                try {
                    for (String l; (l = in.readLine()) != null;) {
                        if (profiler != null) {
                            profiler.mark(l.equals("last"));
                        }
                        mark();
                    }
                } catch (IOException e) {
                    // the orchestrator is gone
                }
            }, "cost-marks");
            marks.setDaemon(true);
            marks.start();
            if (impl.equals("rsocket")) {
                RSocketWorker.server(address);
            } else {
                IpcWorker.server(address);
            }
            return;
        }
        int inFlight = Integer.parseInt(args[6]);
        int warmup = Integer.parseInt(args[7]);
        int count = Integer.parseInt(args[8]);
        Supplier<Mono<JsonNode>> echo;
        Runnable close;
        if (impl.equals("rsocket")) {
            RSocket rsocket = RSocketConnector.create()
                    .payloadDecoder(PayloadDecoder.ZERO_COPY)
                    .connect(TcpClientTransport.create(
                            TcpClient.create().remoteAddress(() -> NettyWorker.socketAddress(address))))
                    .block(T);
            echo = () -> rsocket.requestResponse(ByteBufPayload.create(RSocketWorker.json(Protocol.PAYLOAD)))
                    .map(RSocketWorker::data);
            close = rsocket::dispose;
        } else {
            IpcClient client = IpcClient.connect("bench", address, IpcWorker.CONFIG);
            client.events().filter(e -> e instanceof IpcEvent.Connected).blockFirst(T);
            echo = () -> client.request("echo", Protocol.PAYLOAD).map(Message::data);
            close = () -> client.disposeNow(T);
        }
        RequestResponse.run(echo, warmup, inFlight);
        for (int i = 0; i < 2; i++) {
            if (profiler != null) {
                profiler.mark(i == 1);
            }
            mark();
            in.readLine();
            if (i == 0) {
                RequestResponse.run(echo, count, inFlight);
            }
        }
        close.run();
        System.exit(0);
    }

    /**
     * Bytes allocated by every live thread, CPU time of the process's Java threads but the JIT compiler's (which
     * still compiles now and then after the warm-up: noise here, not a cost per request), the time, and the
     * process's CPU time in all: one line on stdout.
     */
    private static void mark() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = threads.getAllThreadIds();
        long bytes = 0;
        for (long b : threads.getThreadAllocatedBytes(ids)) {
            bytes += Math.max(b, 0);
        }
        long cpu = 0;
        for (var info : threads.getThreadInfo(ids)) {
            if (info != null && !info.getThreadName().contains("CompilerThread")) {
                cpu += Math.max(threads.getThreadCpuTime(info.getThreadId()), 0);
            }
        }
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        System.out.println("cost " + bytes + " " + cpu + " " + System.nanoTime() + " " + process);
        System.out.flush();
    }

    /** async-profiler over the measured requests. */
    private static final class Profiler {
        private final one.profiler.AsyncProfiler profiler;
        private final Path file;
        private final String event;

        Profiler(Path dir, String role, String event) throws IOException {
            Files.createDirectories(dir);
            Path lib = dir.resolve("libasyncProfiler-" + role + ".so");
            try (var in = RequestCost.class.getResourceAsStream("/linux-x64/libasyncProfiler.so")) {
                Files.copy(java.util.Objects.requireNonNull(in, "async-profiler's library"), lib,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            this.profiler = one.profiler.AsyncProfiler.getInstance(lib.toAbsolutePath().toString());
            this.file = dir.resolve(role + ".collapsed");
            this.event = event;
        }

        void mark(boolean last) {
            try {
                if (last) {
                    profiler.execute("stop,file=" + file.toAbsolutePath() + ",collapsed" + (event.equals("cpu") ? "" : ",total"));
                } else {
                    profiler.execute("start,event=" + event + (event.equals("cpu") ? ",interval=1ms" : ""));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
