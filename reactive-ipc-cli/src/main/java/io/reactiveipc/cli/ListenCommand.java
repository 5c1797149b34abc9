package io.reactiveipc.cli;

import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A client in both directions, as netcat: stdin's lines out, every message in on stdout. */
@Command(name = "listen", mixinStandardHelpOptions = true,
        description = {"Connect to ADDRESS, print every message that arrives as a JSON line, and send each stdin "
                + "line. Reconnects as node-ipc does (--retry); runs until killed, --count or --timeout.",
                "On udp4/udp6: bind ADDRESS, print every datagram's message with \"from\" (host:port), send stdin "
                        + "lines to every peer heard from (or \"to\":\"host:port\")."})
final class ListenCommand extends CliCommand {

    @Option(names = "--count", description = "Exit 0 after printing this many messages.")
    long count;

    @Override
    public Integer call() {
        JsonLines json = new JsonLines(options.config());
        AtomicInteger bad = new AtomicInteger();
        int code = options.print(Receiver.open(cli, options, options.address(address), spec.commandLine().getErr(),
                m -> true, m -> json.write(m, null), true, bad), count, spec.commandLine().getOut(),
                spec.commandLine().getErr());
        return code == IpcCli.OK && bad.get() > 0 ? IpcCli.BAD_INPUT : code;
    }
}
