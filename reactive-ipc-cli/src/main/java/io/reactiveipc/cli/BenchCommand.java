package io.reactiveipc.cli;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/** Requests as fast as the peer answers them; a quick look, not the bench harness. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Connect to ADDRESS and send --requests requests of --type (data: a string of --size "
                + "characters), --in-flight at a time, after --warmup; print one JSON line: requests per second "
                + "and latency percentiles in microseconds. The peer must answer TYPE: `serve --echo echo`, or a "
                + "node-ipc peer that echoes the request id. For numbers to publish use ./bench.sh."})
final class BenchCommand extends CliCommand {

    @Option(names = "--type", description = "Default: echo.")
    String type = "echo";

    @Option(names = "--requests", description = "Default: 10000.")
    int requests = 10_000;

    @Option(names = "--warmup", description = "Requests before measuring. Default: 2000.")
    int warmup = 2_000;

    @Option(names = "--in-flight", description = "Default: 16.")
    int inFlight = 16;

    @Option(names = "--size", description = "Characters of data per request. Default: 16.")
    int size = 16;

    @Override
    public Integer call() {
        IpcAddress at = options.address(address);
        if (at instanceof IpcAddress.Udp) {
            throw new IpcCli.CliExit(IpcCli.USAGE, "UDP has no request/response: bench needs unix: or tcp:");
        }
        if (requests < 1 || warmup < 0 || inFlight < 1 || size < 0) {
            throw new IpcCli.CliExit(IpcCli.USAGE, "--requests and --in-flight must be positive, --warmup and "
                    + "--size not negative");
        }
        IpcClient client = options.connect(cli, at);
        String data = "x".repeat(size);
        Duration timeout = options.timeoutOr(Duration.ofMinutes(5));
        long[] micros = new long[requests];
        AtomicInteger next = new AtomicInteger();
        try {
            run(client, warmup, data, null, next).block(timeout);
            next.set(0);
            long start = System.nanoTime();
            run(client, requests, data, micros, next).block(timeout);
            long nanos = System.nanoTime() - start;
            Arrays.sort(micros);
            ObjectNode result = JsonLines.JSON.createObjectNode();
            result.put("address", at.toString());
            result.put("type", type);
            result.put("requests", requests);
            result.put("inFlight", inFlight);
            result.put("size", size);
            result.put("seconds", nanos / 1e9);
            result.put("perSecond", Math.round(requests / (nanos / 1e9)));
            result.put("p50Micros", micros[(int) (requests * 0.50)]);
            result.put("p99Micros", micros[Math.min(requests - 1, (int) (requests * 0.99))]);
            result.put("maxMicros", micros[requests - 1]);
            spec.commandLine().getOut().println(JsonLines.JSON.writeValueAsString(result));
            return IpcCli.OK;
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Timeout on blocking read")) {
                throw new IpcCli.CliExit(IpcCli.TIMEOUT, "not done within " + timeout.toMillis() + " ms");
            }
            throw e;
        }
    }

    private Mono<Void> run(IpcClient client, int n, String data, long[] micros, AtomicInteger next) {
        return Flux.range(0, n).flatMap(i -> Mono.defer(() -> {
            long t0 = System.nanoTime();
            return client.request(type, data).doOnNext(a -> {
                if (micros != null) {
                    micros[next.getAndIncrement()] = (System.nanoTime() - t0) / 1_000;
                }
            });
        }), inFlight).then();
    }
}
