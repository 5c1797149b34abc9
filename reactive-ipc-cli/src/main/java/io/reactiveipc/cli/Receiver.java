package io.reactiveipc.cli;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.Message;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** What listen and tail share: a client (a bound socket on UDP) whose messages become lines to print. */
final class Receiver {

    private Receiver() {
    }

    /**
     * Connects (or binds, on UDP), and returns the lines to print: messages that pass {@code filter}, rendered by
     * {@code render}, and reports. With {@code sendStdin}, stdin's lines are sent (UDP: to ADDRESS, or "to").
     */
    static Flux<Printed> open(IpcCli cli, IpcOptions options, IpcAddress at, PrintWriter err,
            Predicate<Message> filter, Function<Message, String> render, boolean sendStdin, AtomicInteger bad) {
        JsonLines json = new JsonLines(options.config());
        Reports reports = new Reports();
        if (at instanceof IpcAddress.Udp udp) {
            IpcDatagramSocket socket = options.bound(IpcDatagramSocket.bind(udp, options.config()), at);
            cli.open.add(socket);
            err.println("listening on " + udp.family() + ":" + socket.address().getHostString() + ":"
                    + socket.address().getPort());
            err.flush();
            if (sendStdin) {
                json.stdin(cli.stdin, reports, bad)
                        .concatMap(l -> Mono.defer(() -> l.to() == null ? socket.broadcast(l.message())
                                        : socket.emit(ServeCommand.peer(l.to()), l.message()))
                                .onErrorResume(e -> ServeCommand.report(reports, l.message(), e)))
                        .doFinally(s -> reports.complete())
                        .subscribe(null, e -> reports.report("stdin: " + e.getMessage()));
            } else {
                reports.complete();
            }
            return Flux.merge(socket.inbound().filter(d -> filter.test(d.message()))
                            .map(d -> Printed.out(render.apply(d.message()))), reports.flux(),
                    socket.failures().map(f -> Printed.err(f.sender() + ": " + f.error().getMessage())))
                    .takeUntilOther(socket.onDispose());
        }
        // what arrives before the main thread prints is held by the client (256, then it stops reading)
        IpcClient client = options.connect(cli, at);
        Flux<Printed> received = client.inbound().filter(filter).map(m -> Printed.out(render.apply(m)));
        err.println("connected to " + at);
        err.flush();
        if (sendStdin) {
            client.send(json.stdin(cli.stdin, reports, bad).map(JsonLines.Line::message))
                    .doFinally(s -> reports.complete())
                    .subscribe(null, e -> reports.report("stdin: " + e.getMessage()));
        } else {
            reports.complete();
        }
        Flux<Printed> lifecycle = client.events().skip(1).flatMap(e -> {
            if (e instanceof IpcEvent.Disconnected) {
                return Mono.just(Printed.err("disconnected from " + at + "; reconnecting"));
            }
            if (e instanceof IpcEvent.Connected) {
                return Mono.just(Printed.err("connected to " + at));
            }
            return Mono.empty();
        });
        return Flux.merge(received, reports.flux(),
                lifecycle).takeUntilOther(client.onDispose());
    }
}
