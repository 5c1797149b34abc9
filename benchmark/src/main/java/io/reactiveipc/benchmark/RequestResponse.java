package io.reactiveipc.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * The request/response scenarios, driven the same way for every implementation: only how one {@code echo} request
 * is made differs. A request is a Mono of the reply's data, which must be the {@link Protocol#PAYLOAD} sent.
 */
final class RequestResponse {

    private static final Duration T = Duration.ofMinutes(5);

    private RequestResponse() {
    }

    /**
     * One request in flight; each next one is sent from where the previous reply completed (the event loop), as
     * the rtt scenario's pings are, so that no thread hand-off is measured. Measured by {@link RoundTrips}.
     */
    static String rtt(Supplier<Mono<JsonNode>> request, int count, int warmup, LongSupplier serverRss) {
        RoundTrips.Phase phase = (nanos, n) -> {
            int[] i = {0};
            Mono.defer(() -> {
                long t0 = System.nanoTime();
                return checked(request).doOnNext(r -> {
                    nanos[i[0]] = System.nanoTime() - t0;
                    i[0]++;
                });
            }).repeat(n - 1L).then().block(T);
        };
        return RoundTrips.measure("rr-rtt", phase, count, warmup, serverRss);
    }

    /** Requests per chunk of the wait for a quiet JIT: 1,000 at one in flight, 50 ms even at round-trip speed. */
    private static final int QUIET_CHUNK = 1_000;

    /**
     * {@code inFlight} requests outstanding at all times, from one connection; measured after the warm-up and the
     * wait for both processes' JIT compilers to be quiet ({@link RoundTrips}).
     */
    static String throughput(Supplier<Mono<JsonNode>> request, int count, int warmup, int inFlight,
            LongSupplier serverRss) {
        run(request, warmup, inFlight);
        RoundTrips.Measured m = RoundTrips.quietThenMeasure(() -> run(request, QUIET_CHUNK, inFlight),
                () -> run(request, count, inFlight));
        return Protocol.requestsJson(inFlight, count, Protocol.peakRssKb(), serverRss.getAsLong(), m);
    }

    /**
     * {@code inFlight} lanes of requests one after the other. Not flatMap(request, inFlight): its drain loop scans
     * every inner subscriber as each completes, which at 256 took a tenth of the client's CPU in the harness.
     */
    static void run(Supplier<Mono<JsonNode>> request, int n, int inFlight) {
        List<Mono<Void>> lanes = new ArrayList<>();
        for (int lane = 0; lane < inFlight; lane++) {
            int k = n / inFlight + (lane < n % inFlight ? 1 : 0);
            if (k > 0) {
                lanes.add(Mono.defer(() -> checked(request)).repeat(k - 1L).then());
            }
        }
        Mono.when(lanes).block(T);
    }

    /** An echo that came back with other data would be a harness bug measured as speed. */
    private static Mono<JsonNode> checked(Supplier<Mono<JsonNode>> request) {
        return request.get().doOnNext(data -> {
            if (!Protocol.PAYLOAD.equals(data.stringValue())) {
                throw new IllegalStateException("the echo came back as " + data);
            }
        });
    }
}
