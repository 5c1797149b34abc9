package io.reactiveipc.spi;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the public static factories ({@code IpcServer.bind}, {@code IpcClient.connect},
 * {@code IpcDatagramSocket.bind}, {@code IpcCodec.nodeIpc}, ...) need from the engine that implements them. The
 * API names only this interface, so the dependency runs one way: the engine depends on the API, never back.
 *
 * <p>Exactly one implementation ships, inside the {@code reactive-ipc-api} jar, registered for
 * {@link java.util.ServiceLoader} in {@code module-info} ({@code provides}) and in
 * {@code META-INF/services/io.reactiveipc.spi.IpcEngine} (class path). It is looked up once, on first use of any
 * factory, and kept ({@link #get()}). If it cannot be found (a shaded jar that dropped {@code META-INF/services},
 * a native image without the service registered), every factory fails with an {@link io.reactiveipc.IpcException}
 * that says so; messages can still be built and read as values.
 *
 * <p>Not for users, and not for transport implementors to implement: it may change in any release.
 */
public interface IpcEngine {

    /** The engine found by {@link java.util.ServiceLoader} on first use, or one whose every factory fails. */
    static IpcEngine get() {
        return Engines.ENGINE;
    }

    /**
     * Binds a server on {@code transport}, or on the default transport for {@code address} when it is null (found
     * by {@link java.util.ServiceLoader}, see {@link IpcTransport}).
     */
    Mono<IpcServer> bindServer(@Nullable IpcTransport transport, IpcAddress address, IpcConfig config,
            Consumer<? super IpcServer> beforeAccepting);

    /** Starts a client on {@code transport}, or on the default transport for {@code address} when it is null. */
    IpcClient connectClient(@Nullable IpcTransport transport, String id, IpcAddress address, IpcConfig config);

    /** Binds a UDP socket on the {@link IpcDatagramTransport} found by {@link java.util.ServiceLoader}. */
    Mono<IpcDatagramSocket> bindDatagram(IpcAddress.Udp address, IpcConfig config);

    /** The mapper data is bound with when no codec says otherwise; configured to write what JSON.stringify does. */
    JsonMapper defaultMapper();

    /** node-ipc's JSON frames. */
    IpcCodec nodeIpcCodec(JsonMapper mapper, byte[] delimiter);

    /** node-ipc's raw buffer mode. */
    IpcCodec rawCodec(String encoding);

    /** The frames of {@code @crussell52/socket-ipc}. */
    IpcCodec socketIpcCodec(JsonMapper mapper);

    /** Whether {@code codec}'s frames have room for a client's id announcement (node-ipc's JSON frames only). */
    boolean announcesId(IpcCodec codec);

    /**
     * The UTF-8 bytes of {@code json}, checked to be exactly one JSON value.
     *
     * @throws IllegalArgumentException if it is not
     */
    byte[] validateJson(String json);

    /**
     * Sync mode: whether {@code message} waits for the answer in flight and then awaits its own. Everything but
     * the frames that answer or steer (answers, stream ends and errors, credits, cancels).
     */
    boolean awaitsAnswer(Message message);

    /** The sending client's id kept in a message's routing members, if any. */
    @Nullable String from(Object routing);

    /** The sequence number kept in a message's routing members (acknowledged delivery), else 0. */
    long sequence(Object routing);

    /** The sending client's session kept in a message's routing members (acknowledged delivery), else null. */
    @Nullable String session(Object routing);

    /**
     * Takes {@link Message}'s way into its representation, once, from {@code Message}'s static initializer; from
     * anywhere else, or a second time, this throws.
     *
     * @throws IllegalStateException unless called once, by {@code Message}
     */
    void install(MessageParts parts);
}
