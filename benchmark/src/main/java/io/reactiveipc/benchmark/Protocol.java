package io.reactiveipc.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every implementation in the benchmark speaks (node-ipc frames): {@code m} messages are counted,
 * {@code sync} is answered {@code ack <count>}, {@code ping} with {@code pong} and the same data, {@code stats}
 * with the server's peak RSS. The message is {@code {"type":"m","data":"<100 chars>"}}: 122 bytes and a delimiter.
 * Request/response (not node-ipc's): an {@code echo} request with that data is answered with the same data, each
 * implementation correlating replies its own way.
 */
final class Protocol {

    static final String PAYLOAD = "x".repeat(100);

    /**
     * Throughput warm-up goes in rounds of this many messages, each waited for (a sync) before the next: a node-ipc
     * client has no back pressure and would hold a whole long warm-up in memory.
     */
    static final int WARMUP_ROUND = 1_000_000;

    private Protocol() {
    }

    /** Peak resident set size of this process, from /proc (VmHWM), in KiB; -1 where there is no /proc. */
    static long peakRssKb() {
        return status("VmHWM:");
    }

    /** Resident set size now (VmRSS), in KiB; -1 where there is no /proc. */
    static long rssKb() {
        return status("VmRSS:");
    }

    private static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * {@code [rss KiB, live heap KiB]}. Live heap is the total of a class histogram of live objects (which collects
     * first), not heap used after {@code System.gc()}: G1 leaves some dead space in regions it does not compact, and
     * that measure of the same 1,000 connections read anything from 2.6 to 5.7 KiB each.
     */
    @SuppressWarnings("java:S1215") // the point is to measure what is retained
    static long[] memory() {
        System.gc(); // as many times as before this measure existed: G1 resizes the heap (and its RSS) here
        System.gc();
        long heap = liveHeapKb();
        return new long[] {rssKb(), heap, -1, -1, nativeKb()};
    }

    /** What Native Memory Tracking leaves out of {@link #nativeKb}: the Java heap, the JIT's, its own. */
    private static final java.util.Set<String> NOT_NATIVE = java.util.Set.of("Java Heap", "Code", "Compiler",
            "Arena Chunk", "Native Memory Tracking");
    private static final java.util.regex.Pattern NMT_CATEGORY =
            java.util.regex.Pattern.compile("(?m)^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB");

    /**
     * Memory the JVM committed outside the Java heap, in KiB, from Native Memory Tracking (-1 when the JVM runs
     * without {@code -XX:NativeMemoryTracking=summary}): direct buffers, threads, classes, GC structures. Without
     * the JIT's code cache and compiler arenas, and the tracker's own records: they grow when the JIT compiles,
     * which is not per connection. The resident set would count them, and glibc's arenas too: measured over the
     * same 1,000 idle connections it grew by 0.7 to 13.7 KiB per connection from run to run.
     */
    static long nativeKb() {
        String summary;
        try {
            summary = java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()}).toString();
        } catch (javax.management.JMException | RuntimeException e) {
            return -1;
        }
        java.util.regex.Matcher m = NMT_CATEGORY.matcher(summary);
        long total = 0;
        boolean any = false;
        while (m.find()) {
            any = true;
            if (!NOT_NATIVE.contains(m.group(1).trim())) {
                total += Long.parseLong(m.group(2));
            }
        }
        return any ? total : -1;
    }

    /** Bytes of live objects, in KiB, from the JVM's own class histogram (jcmd GC.class_histogram). */
    private static long liveHeapKb() {
        try {
            Object out = java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            String[] lines = out.toString().strip().split("\n");
            String[] total = lines[lines.length - 1].trim().split("\\s+"); // Total <instances> <bytes>
            return Long.parseLong(total[2]) / 1024;
        } catch (javax.management.JMException | RuntimeException e) {
            throw new IllegalStateException("no class histogram from this JVM", e);
        }
    }

    /** The answer to {@code mem}: rssKb, heapKb (after full collections), nativeKb and peakKb. */
    static java.util.Map<String, Long> memoryReply() {
        long[] m = memory();
        return java.util.Map.of("rssKb", m[0], "heapKb", m[1], "nativeKb", m[4], "peakKb", peakRssKb());
    }

    /**
     * A {@code mem} reply as {@code [rss KiB, heap KiB, peak KiB, connections or -1, native KiB or -1]}; the
     * layout of {@link #memory()}, which has no peak or connections.
     */
    static long[] memory(tools.jackson.databind.JsonNode reply) {
        return new long[] {reply.get("rssKb").asLong(), reply.get("heapKb").asLong(), reply.get("peakKb").asLong(),
                reply.path("connections").asLong(-1), reply.path("nativeKb").asLong(-1)};
    }

    /**
     * Idle memory: KiB per connection, server and client, as growth from before the connections to after them,
     * both measured after full collections. Heap is retained heap; native is {@link #nativeKb} (absent without
     * Native Memory Tracking); RSS growth, with the heap pre-touched, is memory outside the heap as the kernel
     * sees it, JIT and allocator arenas included.
     */
    static String idleJson(int connections, long[] serverBefore, long[] serverAfter, long[] clientBefore,
            long[] clientAfter) {
        double n = connections;
        boolean nmt = serverBefore[4] >= 0 && serverAfter[4] >= 0 && clientBefore[4] >= 0 && clientAfter[4] >= 0;
        return String.format(java.util.Locale.ROOT,
                "{\"scenario\":\"idle\",\"connections\":%d,\"serverRssPerConnKb\":%.2f,"
                        + "\"serverHeapPerConnKb\":%.2f,\"clientRssPerConnKb\":%.2f,\"clientHeapPerConnKb\":%.2f,"
                        + "%s\"clientRssKb\":%d,\"serverRssKb\":%d}",
                connections, (serverAfter[0] - serverBefore[0]) / n, (serverAfter[1] - serverBefore[1]) / n,
                (clientAfter[0] - clientBefore[0]) / n, (clientAfter[1] - clientBefore[1]) / n,
                nmt ? String.format(java.util.Locale.ROOT,
                        "\"serverNativePerConnKb\":%.2f,\"clientNativePerConnKb\":%.2f,",
                        (serverAfter[4] - serverBefore[4]) / n, (clientAfter[4] - clientBefore[4]) / n) : "",
                peakRssKb(), serverAfter[2]);
    }

    /**
     * A round-trip cell's result, latencies in microseconds, and what was around the measured span
     * ({@link RoundTrips.Measured}: {@code jitQuiet}, {@code quietWaitMs}, {@code jitMs}, {@code measuredMs}).
     */
    static String rttJson(String scenario, long[] nanos, long clientRss, long serverRss, RoundTrips.Measured m) {
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        double mean = java.util.Arrays.stream(sorted).average().orElse(0) / 1000.0;
        return String.format(java.util.Locale.ROOT,
                "{\"scenario\":\"%s\",\"messages\":%d,\"p50\":%.2f,\"p99\":%.2f,\"mean\":%.2f,"
                        + "\"clientRssKb\":%d,\"serverRssKb\":%d,\"jitQuiet\":%b,\"quietWaitMs\":%d,"
                        + "\"jitMs\":%d,\"measuredMs\":%d}",
                scenario, sorted.length, sorted[sorted.length / 2] / 1000.0,
                sorted[(int) (sorted.length * 0.99)] / 1000.0, mean, clientRss, serverRss, m.quiet(), m.waitedMs(),
                m.jitMs(), m.nanos() / 1_000_000);
    }

    static String fanoutJson(int clients, long messages, double seconds, long clientRss, long serverRss) {
        return String.format(java.util.Locale.ROOT,
                "{\"scenario\":\"fanout\",\"clients\":%d,\"messages\":%d,\"deliveries\":%d,\"seconds\":%.4f,"
                        + "\"rate\":%.0f,\"clientRssKb\":%d,\"serverRssKb\":%d}",
                clients, messages, messages * clients, seconds, messages * clients / seconds, clientRss, serverRss);
    }

    static String throughputJson(long messages, long received, double seconds, long clientRss, long serverRss) {
        return String.format(java.util.Locale.ROOT,
                "{\"scenario\":\"throughput\",\"messages\":%d,\"received\":%d,\"seconds\":%.4f,\"rate\":%.0f,"
                        + "\"clientRssKb\":%d,\"serverRssKb\":%d}",
                messages, received, seconds, messages / seconds, clientRss, serverRss);
    }

    /** A request/response rate cell's result, with what was around its measured span as in {@link #rttJson}. */
    static String requestsJson(int inFlight, long requests, long clientRss, long serverRss, RoundTrips.Measured m) {
        double seconds = m.nanos() / 1e9;
        return String.format(java.util.Locale.ROOT,
                "{\"scenario\":\"rr\",\"inFlight\":%d,\"requests\":%d,\"seconds\":%.4f,\"rate\":%.0f,"
                        + "\"clientRssKb\":%d,\"serverRssKb\":%d,\"jitQuiet\":%b,\"quietWaitMs\":%d,\"jitMs\":%d}",
                inFlight, requests, seconds, requests / seconds, clientRss, serverRss, m.quiet(), m.waitedMs(),
                m.jitMs());
    }
}
