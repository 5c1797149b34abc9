package io.reactiveipc.cli;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcRemoteException;
import io.reactiveipc.Message;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Asks, prints the answer. */
@Command(name = "request", mixinStandardHelpOptions = true,
        description = {"Connect to ADDRESS, send a request (TYPE and DATA, or without TYPE each stdin line, one "
                + "after the other) and print each answer as a JSON line. An error answer goes to stderr "
                + "(exit 4); no answer within --timeout (default 30s per request): exit 3.",
                "A plain node-ipc peer cannot echo a request id: add --sync to take its next message as the answer.",
                "DATA is JSON if it parses as JSON, else that string. Not on UDP (no connection, no request)."})
final class RequestCommand extends OutgoingCommand {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--to", paramLabel = "ID", description = "Through our server, ask the client with this id "
            + "(ipcio's deliver).")
    @Nullable String to;

    @Option(names = "--stream", description = "A stream request: print every answer until the last.")
    boolean stream;

    @Override
    public Integer call() {
        IpcAddress at = options.address(address);
        if (at instanceof IpcAddress.Udp) {
            throw new IpcCli.CliExit(IpcCli.USAGE, "UDP has no connection to answer on: request needs unix: or tcp:");
        }
        if (to != null && stream) {
            throw new IpcCli.CliExit(IpcCli.USAGE, "--to and --stream: one or the other");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        JsonLines json = new JsonLines(options.config());
        Reports reports = new Reports();
        AtomicInteger bad = new AtomicInteger();
        AtomicInteger code = new AtomicInteger(IpcCli.OK);
        Duration timeout = options.timeoutOr(DEFAULT_TIMEOUT);
        IpcClient client = options.connect(cli, at);
        Flux<Message> requests = messages(json, reports, bad);
        Flux<Printed> answers = requests.concatMap(m -> ask(client, m).timeout(timeout)
                .map(a -> Printed.out(json.write(a, null)))
                .onErrorResume(e -> {
                    if (e instanceof IpcRemoteException r) {
                        code.compareAndSet(IpcCli.OK, IpcCli.ERROR_ANSWER);
                        return Mono.just(Printed.err("'" + m.type() + "' answered with an error: " + r.code() + ": "
                                + r.remoteMessage()));
                    }
                    code.set(e instanceof TimeoutException ? IpcCli.TIMEOUT : IpcCli.CONNECTION);
                    return Mono.just(Printed.err("'" + m.type() + "': " + (e instanceof TimeoutException
                            ? "no answer within " + timeout.toMillis() + " ms" : e.getMessage())));
                }), 1)
                .doFinally(s -> reports.complete());
        for (Printed p : Flux.merge(answers, reports.flux()).toIterable(256)) {
            (p.error() ? err : out).println(p.text());
            out.flush();
        }
        if (code.get() == IpcCli.OK && bad.get() > 0) {
            return IpcCli.BAD_INPUT;
        }
        return code.get();
    }

    private Flux<Message> ask(IpcClient client, Message m) {
        if (stream) {
            return client.requestStream(m);
        }
        return (to != null ? client.requestTo(to, m.type(), m.data()) : client.request(m)).flux();
    }
}
