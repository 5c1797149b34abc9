package io.reactiveipc.cli;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcRemoteException;
import io.reactiveipc.IpcServer;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code reactive-ipc} command line: JSON lines ({@code {"type":...,"data":...}}, one per line) on stdin and
 * stdout, against node-ipc's sockets and ours.
 *
 * <pre>{@code
 * reactive-ipc serve unix:/tmp/app.world --echo ping          # prints what clients send, answers ping requests
 * reactive-ipc tail unix:/tmp/app.world news --count 1        # prints the next "news" message, then exits 0
 * echo '{"type":"news","data":"hi"}' | reactive-ipc send unix:/tmp/app.world --broadcast
 * reactive-ipc request tcp:127.0.0.1:8000 ping '"hello"' --timeout 5s
 * }</pre>
 *
 * <p>Exit codes: {@value #OK} done; {@value #USAGE} bad arguments; {@value #CONNECTION} could not connect or bind
 * (or the peer went away); {@value #TIMEOUT} {@code --timeout} passed first; {@value #ERROR_ANSWER} a request was
 * answered with an error; {@value #BAD_INPUT} a stdin line was not a message (it was skipped, the others went).
 * Everything the command blocks on, it blocks on in the calling thread ({@code main}); the library's threads
 * only hand it what they received.
 */
@Command(name = "reactive-ipc", mixinStandardHelpOptions = true, version = "reactive-ipc 0.1.0",
        description = "Talk to node-ipc sockets and Reactive IPC servers with JSON lines on stdin and stdout.",
        subcommands = {ServeCommand.class, ListenCommand.class, SendCommand.class, RequestCommand.class,
                TailCommand.class, BenchCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:bad arguments", "2:could not connect or bind, or the peer went away",
                "3:--timeout passed first", "4:a request was answered with an error",
                "5:a stdin line was not a message (skipped, the others were sent)"})
public final class IpcCli {

    /** Done. */
    public static final int OK = 0;
    /** Bad arguments (picocli's usage code). */
    public static final int USAGE = 1;
    /** Could not connect or bind, or the peer went away. */
    public static final int CONNECTION = 2;
    /** {@code --timeout} passed before the command was done. */
    public static final int TIMEOUT = 3;
    /** A request was answered with an error. */
    public static final int ERROR_ANSWER = 4;
    /** A line on stdin was not a message: it was skipped and reported, the others were sent. */
    public static final int BAD_INPUT = 5;

    /** How long SIGTERM waits for servers and clients to drain and the command to print what arrived. */
    static final Duration GRACE = Duration.ofSeconds(5);

    final InputStream stdin;
    /** What a command opened; {@link #main} disposes it on SIGTERM/SIGINT (so a server removes its socket file). */
    final List<Disposable> open = new CopyOnWriteArrayList<>();

    private IpcCli(InputStream stdin) {
        this.stdin = stdin;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        IpcCli cli = new IpcCli(System.in);
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> cli.stop(finished), "ipc-cli-close"));
        int code = commandLine(cli, out, err).execute(args);
        out.flush();
        finished.countDown();
        System.exit(code);
    }

    /**
     * The shutdown hook. At a normal exit, disposes what is open. On SIGTERM/SIGINT while a command runs, stops
     * servers and clients with {@code disposeGracefully} (servers stop accepting and read every connection to its
     * end, clients write what is queued), then lets the command print what arrived; all within {@link #GRACE}.
     */
    private void stop(CountDownLatch finished) {
        if (finished.getCount() == 0) {
            open.forEach(Disposable::dispose);
            return;
        }
        try {
            Flux.fromIterable(open)
                    .flatMap(d -> d instanceof IpcServer s ? s.disposeGracefully(GRACE)
                            : d instanceof IpcClient c ? c.disposeGracefully(GRACE)
                            : Mono.fromRunnable(d::dispose))
                    .then()
                    .block(GRACE.plusSeconds(1));
            finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException | InterruptedException e) {
            open.forEach(Disposable::dispose);
        }
    }

    /**
     * Runs one command line with the given streams, in the calling thread, and returns its exit code: what
     * {@link #main} does, for tests and for programs that embed the command line.
     */
    public static int run(InputStream stdin, PrintWriter out, PrintWriter err, String... args) {
        requireNonNull(stdin, "stdin");
        requireNonNull(out, "out");
        requireNonNull(err, "err");
        IpcCli cli = new IpcCli(stdin);
        try {
            return commandLine(cli, out, err).execute(args);
        } finally {
            cli.open.forEach(Disposable::dispose);
            out.flush();
            err.flush();
        }
    }

    private static CommandLine commandLine(IpcCli cli, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(cli);
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine line = e.getCommandLine();
            line.getErr().println("reactive-ipc " + line.getCommandName() + ": " + e.getMessage());
            line.usage(line.getErr());
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof CliExit exit) {
                line.getErr().println("reactive-ipc " + line.getCommandName() + ": " + exit.getMessage());
                return exit.code;
            }
            if (e instanceof IpcRemoteException r) {
                line.getErr().println("reactive-ipc " + line.getCommandName() + ": answered with an error: "
                        + r.code() + ": " + r.remoteMessage());
                return ERROR_ANSWER;
            }
            line.getErr().println("reactive-ipc " + line.getCommandName() + ": " + e);
            return CONNECTION;
        });
        return cl;
    }

    /** Ends a command with an exit code and a one-line reason on stderr. */
    static final class CliExit extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        CliExit(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }
}
