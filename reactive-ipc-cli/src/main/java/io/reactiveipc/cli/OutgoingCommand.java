package io.reactiveipc.cli;

import io.reactiveipc.Message;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Parameters;
import reactor.core.publisher.Flux;

/** send and request: ADDRESS TYPE DATA, one message from the arguments, or without TYPE one per stdin line. */
abstract class OutgoingCommand extends CliCommand {

    @Parameters(index = "1", arity = "0..1", paramLabel = "TYPE", description = "The message's (request's) type. "
            + "Without it, each stdin line is one.")
    @Nullable String type;

    @Parameters(index = "2", arity = "0..1", paramLabel = "DATA", description = "Its data. Default: {}.")
    @Nullable String data;

    boolean fromStdin() {
        return type == null;
    }

    /** The message given, or stdin's lines (a bad line is reported on {@code reports} and counted in {@code bad}). */
    Flux<Message> messages(JsonLines json, Reports reports, AtomicInteger bad) {
        return type != null ? Flux.just(json.message(type, data))
                : json.stdin(cli.stdin, reports, bad).map(JsonLines.Line::message);
    }
}
