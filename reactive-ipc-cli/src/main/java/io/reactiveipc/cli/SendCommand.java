package io.reactiveipc.cli;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.Message;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** Emits one message, or stdin's lines, and exits when they are written. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Connect to ADDRESS and emit one message (TYPE and DATA), or without TYPE each stdin line; "
                + "exit 0 once all are written (node-ipc's emit: nothing confirms delivery), or with --acknowledged "
                + "once a Reactive IPC server acknowledged them.",
                "DATA is JSON if it parses as JSON, else that string. On udp4/udp6: from a socket bound on a free "
                        + "port, to ADDRESS."})
final class SendCommand extends OutgoingCommand {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--to", paramLabel = "ID", description = "Through our server, to the client with this id "
            + "(ipcio's emitTo).")
    @Nullable String to;

    @Option(names = "--broadcast", description = "Through our server, to every other client.")
    boolean broadcast;

    @Option(names = "--acknowledged", description = "Exit 0 only once a Reactive IPC server has acknowledged "
            + "every message (handed it to its application), not once written. A server that never acknowledges "
            + "(node-ipc) is reported on stderr after 5s and the messages count as sent once written.")
    boolean acknowledged;

    @Override
    public Integer call() {
        IpcAddress at = options.address(address);
        PrintWriter err = spec.commandLine().getErr();
        if (to != null && broadcast) {
            throw new IpcCli.CliExit(IpcCli.USAGE, "--to and --broadcast: one or the other");
        }
        if (acknowledged && (to != null || broadcast)) {
            throw new IpcCli.CliExit(IpcCli.USAGE, "--acknowledged: not with --to or --broadcast (what a server "
                    + "relays is not acknowledged)");
        }
        options.acknowledged = acknowledged;
        JsonLines json = new JsonLines(options.config());
        Reports reports = new Reports();
        AtomicInteger bad = new AtomicInteger();
        Sinks.Empty<Void> stdinEnded = Sinks.empty();
        Flux<Message> messages = messages(json, reports, bad);
        if (fromStdin()) {
            messages = messages.doFinally(s -> stdinEnded.tryEmitEmpty());
        } else {
            stdinEnded.tryEmitEmpty();
        }
        Mono<Void> sent;
        if (at instanceof IpcAddress.Udp udp) {
            if (to != null || broadcast || acknowledged) {
                throw new IpcCli.CliExit(IpcCli.USAGE, "--to, --broadcast and --acknowledged need a server; UDP "
                        + "has none");
            }
            IpcDatagramSocket socket = options.bound(IpcDatagramSocket.bind(
                    udp.ipv6() ? IpcAddress.udp6("::", 0) : IpcAddress.udp4("0.0.0.0", 0), options.config()), at);
            cli.open.add(socket);
            InetSocketAddress target = new InetSocketAddress(udp.host(), udp.port());
            sent = socket.send(target, messages);
        } else {
            IpcClient client = options.connect(cli, at);
            if (acknowledged) {
                client.events().ofType(IpcEvent.Failure.class)
                        .filter(f -> String.valueOf(f.error().getMessage()).contains("not ack-capable"))
                        .subscribe(f -> reports.report("not acknowledged: " + f.error().getMessage()));
            }
            if (to != null) {
                sent = messages.concatMap(m -> client.emitTo(to, m.type(), m.data())).then();
            } else if (broadcast) {
                sent = messages.concatMap(m -> client.broadcast(m.type(), m.data())).then();
            } else {
                sent = client.send(messages);
            }
        }
        // --timeout counts from the end of stdin: a pipe may feed the command for as long as it likes
        Duration timeout = options.timeoutOr(DEFAULT_TIMEOUT);
        AtomicInteger failed = new AtomicInteger(IpcCli.OK);
        Mono<Void> done = sent.timeout(stdinEnded.asMono().then(Mono.delay(timeout)));
        Flux<Printed> lines = Flux.merge(reports.flux(), done.onErrorResume(e -> {
            boolean late = e instanceof java.util.concurrent.TimeoutException;
            failed.set(late ? IpcCli.TIMEOUT : IpcCli.CONNECTION);
            reports.report(late ? "not all " + (acknowledged ? "acknowledged" : "written") + " within "
                    + timeout.toMillis() + " ms after the last message"
                    : "not sent: " + e.getMessage());
            return Mono.empty();
        }).doFinally(s -> reports.complete()).thenMany(Flux.empty()));
        for (Printed p : lines.toIterable(256)) {
            err.println(p.text());
        }
        err.flush();
        if (failed.get() != IpcCli.OK) {
            return failed.get();
        }
        return bad.get() > 0 ? IpcCli.BAD_INPUT : IpcCli.OK;
    }
}
