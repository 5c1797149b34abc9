package io.reactiveipc.internal;

import io.reactiveipc.Message;
import io.reactiveipc.spi.OutboundQueue;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;

/**
 * An acknowledged {@code outbound()} (a client's, or a server connection's whose client acknowledges): what is
 * emitted is sequenced and held; the rest is the queue's.
 */
final class AckSink implements Sinks.Many<Message> {

    private final OutboundQueue queue;
    private final Function<Message, Sinks.EmitResult> sender;

    AckSink(OutboundQueue queue, Function<Message, Sinks.EmitResult> sender) {
        this.queue = queue;
        this.sender = sender;
    }

    @Override
    public Sinks.EmitResult tryEmitNext(Message message) {
        return sender.apply(message);
    }

    @Override
    public void emitNext(Message message, Sinks.EmitFailureHandler failureHandler) {
        for (;;) {
            Sinks.EmitResult r = tryEmitNext(message);
            if (r.isSuccess() || !failureHandler.onEmitFailure(SignalType.ON_NEXT, r)) {
                r.orThrow();
                return;
            }
        }
    }

    @Override
    public Sinks.EmitResult tryEmitComplete() {
        return queue.tryEmitComplete();
    }

    @Override
    public Sinks.EmitResult tryEmitError(Throwable error) {
        return queue.tryEmitError(error);
    }

    @Override
    public void emitComplete(Sinks.EmitFailureHandler failureHandler) {
        queue.emitComplete(failureHandler);
    }

    @Override
    public void emitError(Throwable error, Sinks.EmitFailureHandler failureHandler) {
        queue.emitError(error, failureHandler);
    }

    @Override
    public int currentSubscriberCount() {
        return queue.currentSubscriberCount();
    }

    @Override
    public Flux<Message> asFlux() {
        return queue.asFlux();
    }

    @Override
    public @Nullable Object scanUnsafe(Attr key) {
        return queue.scanUnsafe(key);
    }
}
