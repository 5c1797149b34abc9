package io.reactiveipc.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A node-ipc peer process (src/test/node/peer.mjs). Its stdout is one JSON event per line, read on a plain thread;
 * tests wait for events with a timeout, never for time.
 */
final class NodePeer implements AutoCloseable {

    static final Path DIR = Path.of(System.getProperty("interop.node.dir", "../node-peers"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final List<String> stderr = new ArrayList<>();
    private final String describe;

    private NodePeer(List<String> command) {
        this.describe = String.join(" ", command);
        try {
            process = new ProcessBuilder(command).directory(DIR.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + describe + " (is Node.js installed?)", e);
        }
        Thread out = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)), true), "node-peer-out");
        Thread err = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8)), false), "node-peer-err");
        out.setDaemon(true);
        err.setDaemon(true);
        out.start();
        err.start();
    }

    /** {@code version}: 10 or 14; {@code role}: server or client; {@code transport}: unix or tcp. */
    static NodePeer start(String version, String role, String transport, String address, String id) {
        return new NodePeer(List.of("node", "peer.mjs", version, role, transport, address, id));
    }

    private void pump(BufferedReader reader, boolean json) {
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                if (json) {
                    try {
                        events.add(JSON.readTree(line));
                    } catch (IOException notJson) {
                        synchronized (stderr) {
                            stderr.add("stdout: " + line);
                        }
                    }
                } else {
                    synchronized (stderr) {
                        stderr.add(line);
                    }
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** Waits for the next event named {@code name}, skipping others. */
    JsonNode await(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (;;) {
                long left = deadline - System.nanoTime();
                JsonNode e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
                if (e == null) {
                    throw new AssertionError("node peer did not report '" + name + "' within " + timeout + ": "
                            + describe + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")")
                            + "\nstderr: " + stderrText());
                }
                if (name.equals(e.path("event").asText())) {
                    return e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    String stderrText() {
        synchronized (stderr) {
            return String.join("\n", stderr);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
