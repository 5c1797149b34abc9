package io.reactiveipc;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

/**
 * Answers the messages of one type ({@link IpcConnection#handle}, {@link IpcServer#handle}): ipcio's command
 * handlers, the reactive way. It returns a {@link Publisher} of the answer: "it is enough to return the result".
 *
 * <ul>
 * <li>For a {@link IpcConnection#request request}, the first value is the answer (a {@link Message} is sent as
 * is, any other value as the data of a message of the request's type); empty, or null returned, answers with
 * no value (the requester's {@code Mono} completes empty).</li>
 * <li>For a {@link IpcConnection#requestStream stream request}, every value is sent, as fast as the requester's
 * demand allows (credits cross the wire), then the end.</li>
 * <li>For a plain message (node-ipc's {@code emit}), a value is sent back on the same connection in the same way,
 * so node-ipc peers that emit and listen get the answer; empty sends nothing.</li>
 * </ul>
 *
 * <p>Each call is isolated. Whatever it does, an exception thrown, an error signalled, data that does not bind,
 * an answer to a peer that is gone, the handler stays registered and every other message and connection is
 * served: the failure is published as an {@link IpcEvent.Failure} with the connection and the type, and a request
 * is answered with an error ({@link IpcRemoteException} at the requester; throw one yourself to choose the code).
 *
 * <p>The handler is called on the connection's I/O thread: return quickly, and move blocking work off it
 * ({@code Mono.fromCallable(...).subscribeOn(Schedulers.boundedElastic())}).
 */
@FunctionalInterface
public interface IpcHandler {

    @Nullable Publisher<?> handle(Incoming in) throws Exception;
}
