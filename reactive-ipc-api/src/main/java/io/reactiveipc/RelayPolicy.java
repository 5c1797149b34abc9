package io.reactiveipc;

import org.jspecify.annotations.Nullable;

/**
 * What a server relays between its clients ({@link IpcClient#emitTo}, {@link IpcClient#requestTo},
 * {@link IpcClient#broadcast}). Called on the sender's I/O thread for each relayed message: decide quickly,
 * never block. A refused message is not delivered; a refused request is answered with {@code E_REFUSED}, a
 * refused plain message is reported to its sender the same way (see {@link IpcClient#emitTo}).
 *
 * <pre>{@code
 * IpcConfig.builder().relayPolicy((from, to, message) -> !message.type().startsWith("admin.")).build();
 * }</pre>
 */
@FunctionalInterface
public interface RelayPolicy {

    /** Relays everything (ipcio's behaviour). The default. */
    RelayPolicy ALLOW_ALL = (from, to, message) -> true;

    /** Relays nothing: clients talk to the server only. */
    RelayPolicy DENY_ALL = (from, to, message) -> false;

    /**
     * @param from the sending connection
     * @param to the target client's id, or {@code "*"} for a broadcast to every other client
     * @param message the message to relay
     */
    boolean allow(IpcConnection from, @Nullable String to, Message message);
}
