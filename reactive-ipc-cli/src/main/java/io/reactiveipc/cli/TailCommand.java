package io.reactiveipc.cli;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Follows topics, as tail -f follows a file. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Connect to ADDRESS and print the messages of the given TYPEs (socket-ipc's topics) as they "
                + "arrive, one JSON line each (--data: only their data). Reconnects as node-ipc does; runs until "
                + "killed, --count or --timeout. Stdin is not read.",
                "On udp4/udp6: bind ADDRESS and print the datagrams of those types."})
final class TailCommand extends CliCommand {

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "TYPE", description = "The message types to print.")
    List<String> types;

    @Option(names = "--count", description = "Exit 0 after printing this many messages.")
    long count;

    @Option(names = "--data", description = "Print only each message's data (JSON).")
    boolean dataOnly;

    @Override
    public Integer call() {
        JsonLines json = new JsonLines(options.config());
        Set<String> wanted = Set.copyOf(types);
        return options.print(Receiver.open(cli, options, options.address(address), spec.commandLine().getErr(),
                m -> wanted.contains(m.type()), m -> dataOnly ? json.writeData(m) : json.write(m, null), false,
                new AtomicInteger()), count, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
