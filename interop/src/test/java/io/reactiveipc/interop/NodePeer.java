package io.reactiveipc.interop;

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
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A node-ipc peer process (node-peers/peer.mjs). Its stdout is one JSON event per line, read on a plain thread;
 * tests wait for events with a timeout, never for time.
 */
final class NodePeer implements AutoCloseable {

    static final Path DIR = Path.of(System.getProperty("interop.node.dir", "../node-peers"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    /** Every event so far, in order, for {@link #seen} (which, unlike {@link #await}, consumes nothing). */
    private final List<JsonNode> history = new ArrayList<>();
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

    /** As {@link #start(String, String, String, String, String)}, with peer.mjs's flags ("watch", "answer"). */
    static NodePeer start(String version, String role, String transport, String address, String id,
            String... flags) {
        return new NodePeer(List.of("node", "peer.mjs", version, role, transport, address, id,
                String.join(",", flags)));
    }

    /** Another script of node-peers, with its arguments. */
    static NodePeer script(String script, String... args) {
        List<String> command = new ArrayList<>(List.of("node", script));
        command.addAll(List.of(args));
        return new NodePeer(command);
    }

    /**
     * A socket-ipc peer (node-peers/socket-ipc-peer.mjs): {@code role} server or client, on the Unix socket
     * {@code path}, with its flags ("watch", "news").
     */
    static NodePeer socketIpc(String role, String path, String id, String... flags) {
        return new NodePeer(List.of("node", "socket-ipc-peer.mjs", role, path, id, String.join(",", flags)));
    }

    private void pump(BufferedReader reader, boolean json) {
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                if (json) {
                    try {
                        JsonNode event = JSON.readTree(line);
                        synchronized (history) {
                            history.add(event);
                            history.notifyAll();
                        }
                        events.add(event);
                    } catch (tools.jackson.core.JacksonException notJson) {
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
                if (name.equals(e.path("event").asString())) {
                    return e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Waits until an event named {@code name} matching {@code test} has been reported, at any time since the start
     * (nothing is consumed), and returns the first such.
     */
    JsonNode seen(String name, Predicate<JsonNode> test, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (history) {
            int from = 0;
            for (;;) {
                for (; from < history.size(); from++) {
                    JsonNode e = history.get(from);
                    if (name.equals(e.path("event").asString()) && test.test(e)) {
                        return e;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("node peer did not report a matching '" + name + "' within " + timeout
                            + ": " + describe + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")")
                            + "\nevents: " + history + "\nstderr: " + stderrText());
                }
                try {
                    history.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Every event named {@code name} reported so far, in order. */
    List<JsonNode> all(String name) {
        synchronized (history) {
            return history.stream().filter(e -> name.equals(e.path("event").asString())).toList();
        }
    }

    /** With the "watch" flag: everything the peer's sockets read so far, as text. */
    String bytes() {
        StringBuilder b = new StringBuilder();
        for (JsonNode e : all("bytes")) {
            b.append(e.get("text").asString());
        }
        return b.toString();
    }

    /** With the "watch" flag: waits until the peer's sockets have read {@code text}; returns all they read. */
    String awaitBytes(String text, Duration timeout) {
        seen("bytes", e -> bytes().contains(text), timeout);
        return bytes();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String stderrText() {
        synchronized (stderr) {
            return String.join("\n", stderr);
        }
    }

    /** Ends the process with SIGKILL, as a crash would: it cleans nothing up (a server leaves its socket file). */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new AssertionError("node peer still running 10 s after SIGKILL: " + describe);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
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
