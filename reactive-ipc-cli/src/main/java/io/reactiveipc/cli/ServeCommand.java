package io.reactiveipc.cli;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.transport.NettyTransport;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A server: prints what clients send, broadcasts what stdin says. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve ADDRESS: print every message clients send as a JSON line with \"from\" (the client's "
                + "id), and send each stdin line to every client (or, with \"to\":\"<id>\", to that client). "
                + "Runs until killed, --count or --timeout.",
                "On udp4/udp6: bind there; \"from\" and \"to\" are host:port."})
final class ServeCommand extends CliCommand {

    @Option(names = "--echo", paramLabel = "TYPE", description = "Answer messages of TYPE with their data (requests "
            + "get an answer, plain messages a message of the same type); repeat for several. Answered messages are "
            + "not printed.")
    List<String> echo = new ArrayList<>();

    @Option(names = "--count", description = "Exit 0 after printing this many messages.")
    long count;

    @Option(names = "--create-directories", description = "Create the Unix socket path's missing directories "
            + "(owner only, rwx------). Without it, binding under a directory that does not exist is exit 2.")
    boolean createDirectories;

    @Mixin
    PeerLimitOptions.Server limits = new PeerLimitOptions.Server();

    @Override
    public Integer call() {
        IpcAddress at = options.address(address);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        IpcConfig config = config();
        JsonLines json = new JsonLines(config);
        Reports reports = new Reports();
        AtomicInteger bad = new AtomicInteger();
        Flux<Printed> received;
        if (at instanceof IpcAddress.Udp udp) {
            IpcDatagramSocket socket = options.bound(IpcDatagramSocket.bind(udp, config), at);
            cli.open.add(socket);
            err.println("listening on " + udp.family() + ":" + socket.address().getHostString() + ":"
                    + socket.address().getPort());
            err.flush();
            json.stdin(cli.stdin, reports, bad)
                    .concatMap(l -> Mono.defer(() -> l.to() == null ? socket.broadcast(l.message())
                                    : socket.emit(peer(l.to()), l.message()))
                            .onErrorResume(e -> report(reports, l.message(), e)))
                    .doFinally(s -> reports.complete())
                    .subscribe(null, e -> reports.report("stdin: " + e.getMessage()));
            received = Flux.merge(socket.inbound().map(d -> Printed.out(json.write(d.message(),
                    d.sender().getHostString() + ":" + d.sender().getPort()))), reports.flux(),
                    socket.failures().map(f -> Printed.err(f.sender() + ": " + f.error().getMessage())))
                    .takeUntilOther(socket.onDispose());
        } else {
            NettyTransport transport = options.transport();
            Mono<IpcServer> bind = transport == null
                    ? IpcServer.bind(at, config, this::handlers)
                    : IpcServer.bind(transport, at, config, this::handlers);
            IpcServer server = options.bound(bind, at);
            cli.open.add(server);
            err.println("listening on " + server.address());
            err.flush();
            json.stdin(cli.stdin, reports, bad)
                    .concatMap(l -> Mono.defer(() -> l.to() == null ? server.broadcast(l.message())
                            : server.emit(l.to(), l.message().type(), l.message().data())
                                    .timeout(options.connectTimeout))
                            .onErrorResume(e -> report(reports, l.message(), e)))
                    .doFinally(s -> reports.complete())
                    .subscribe(null, e -> reports.report("stdin: " + e.getMessage()));
            // Ends when the server's inbound does: after dispose, or after disposeGracefully delivered every
            // message the clients sent before the end (cutting it at onDispose() would drop the last ones).
            received = Flux.merge(server.inbound().map(in -> Printed.out(json.write(in.message(),
                    in.from() != null ? in.from() : in.connection().id()))).doFinally(s -> reports.complete()),
                    reports.flux());
        }
        int code = options.print(received, count, out, err);
        return code == IpcCli.OK && bad.get() > 0 ? IpcCli.BAD_INPUT : code;
    }

    /** The shared options, and the server's own. */
    IpcConfig config() {
        return options.config().toBuilder().createDirectories(createDirectories).peerLimits(limits::applyTo).build();
    }

    private void handlers(IpcServer server) {
        for (String type : echo) {
            server.handle(type, in -> Mono.just(in.message().data()));
        }
    }

    static Mono<Void> report(Reports reports, Message m, Throwable e) {
        reports.report("'" + m.type() + "' not sent: " + e.getMessage());
        return Mono.empty();
    }

    static InetSocketAddress peer(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, Math.max(colon, 0));
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
