package io.reactiveipc.testsupport.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ChaosServer} in a JVM of its own (this JVM's {@code java} and class path), and its report lines. Every
 * wait is bounded by the launch's {@code timeout} and fails with {@link IllegalStateException} when it passes or
 * the server exits.
 */
public final class ChaosServerProcess {

    /**
     * How to start a server: {@code kind} {@code unix} (then {@code where} is the socket path) or {@code tcp}
     * ({@code where} is a port on 127.0.0.1); its record {@code file} for up to {@code capacity} messages; a report
     * line every {@code every} records; the server JVM's options; the bound on each wait.
     */
    public record Launch(String kind, String where, Path file, int capacity, int every, List<String> jvmOptions,
            Duration timeout) {

        public Launch {
            jvmOptions = List.copyOf(jvmOptions);
        }

        public ChaosServerProcess start() throws InterruptedException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmOptions);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ChaosServer.class.getName(), kind, where,
                    file.toString(), String.valueOf(capacity), String.valueOf(every)));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            ChaosServerProcess s;
            try {
                s = new ChaosServerProcess(pb.start(), timeout);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            s.awaitReady();
            return s;
        }
    }

    private final Process process;
    private final Duration timeout;
    private final BlockingDeque<String> lines = new LinkedBlockingDeque<>();
    private long recordsAtStart;

    private ChaosServerProcess(Process process, Duration timeout) {
        this.process = process;
        this.timeout = timeout;
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

    /** How many records the file held when this server came up. */
    public long recordsAtStart() {
        return recordsAtStart;
    }

    private void awaitReady() throws InterruptedException {
        // a reconnecting client may be recorded (and counted, "n ...") before main prints "ready": keep those
        Deque<String> early = new ArrayDeque<>();
        String first;
        while ((first = next()) != null && first.startsWith("n ")) {
            early.push(first);
        }
        if (first == null || !first.startsWith("ready ")) {
            kill();
            throw new IllegalStateException("the chaos server did not come up: " + first);
        }
        recordsAtStart = Long.parseLong(first.substring(6));
        early.forEach(lines::addFirst); // most recent pushed first, so the oldest ends up in front
    }

    /** Waits for the server's report that the file holds at least {@code n} records. */
    public void awaitCount(long n) throws InterruptedException {
        for (;;) {
            String line = next();
            if (line == null || line.equals("exit")) {
                throw new IllegalStateException("the chaos server stopped reporting before " + n + " records: " + line);
            }
            if (line.startsWith("n ") && Long.parseLong(line.substring(2)) >= n) {
                return;
            }
        }
    }

    /** Waits for the server to be handed a message of type {@code end}. */
    public void awaitEnd() throws InterruptedException {
        for (;;) {
            String line = next();
            if (line == null || line.equals("exit")) {
                throw new IllegalStateException("the chaos server ended without the end marker: " + line);
            }
            if (line.startsWith("end ")) {
                return;
            }
        }
    }

    /** SIGKILL on Linux ({@code destroyForcibly}), then waits for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
    }

    private String next() throws InterruptedException {
        return lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
