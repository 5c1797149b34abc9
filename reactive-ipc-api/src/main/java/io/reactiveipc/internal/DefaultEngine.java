package io.reactiveipc.internal;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.spi.IpcEngine;
import io.reactiveipc.spi.MessageParts;
import io.reactiveipc.spi.IpcTransport;
import java.util.Arrays;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine behind the API's static factories, registered for {@link java.util.ServiceLoader} (module-info
 * {@code provides}, and {@code META-INF/services} for the class path). Its construction touches neither
 * {@link Message} nor a codec: {@code Message}'s static initializer looks it up, so anything more here could
 * meet that initializer half done.
 */
public final class DefaultEngine implements IpcEngine {

    private static final byte[] FORM_FEED = {JsonCodec.DELIMITER};

    /** For {@link java.util.ServiceLoader}. */
    public DefaultEngine() {
    }

    @Override
    public Mono<IpcServer> bindServer(@Nullable IpcTransport transport, IpcAddress address, IpcConfig config,
            Consumer<? super IpcServer> beforeAccepting) {
        return transport == null ? Transports.bindServer(address, config, beforeAccepting)
                : Transports.bindServer(transport, address, config, beforeAccepting);
    }

    @Override
    public IpcClient connectClient(@Nullable IpcTransport transport, String id, IpcAddress address,
            IpcConfig config) {
        return transport == null ? Transports.connectClient(id, address, config)
                : Transports.connectClient(transport, id, address, config);
    }

    @Override
    public Mono<IpcDatagramSocket> bindDatagram(IpcAddress.Udp address, IpcConfig config) {
        return DatagramTransports.bind(address, config);
    }

    @Override
    public JsonMapper defaultMapper() {
        return JsonCodec.MAPPER;
    }

    @Override
    public IpcCodec nodeIpcCodec(JsonMapper mapper, byte[] delimiter) {
        return mapper == JsonCodec.MAPPER && Arrays.equals(delimiter, FORM_FEED) ? JsonCodec.DEFAULT
                : new JsonCodec(mapper, delimiter);
    }

    @Override
    public IpcCodec rawCodec(String encoding) {
        return new RawCodec(encoding);
    }

    @Override
    public IpcCodec socketIpcCodec(JsonMapper mapper) {
        return mapper == JsonCodec.MAPPER ? SocketIpcCodec.DEFAULT : new SocketIpcCodec(mapper);
    }

    @Override
    public boolean announcesId(IpcCodec codec) {
        return codec instanceof JsonCodec;
    }

    @Override
    public byte[] validateJson(String json) {
        return JsonCodec.validateValue(json);
    }

    @Override
    public boolean awaitsAnswer(Message message) {
        Envelope e = MessageAccess.get().envelope(message);
        return e == null || e.kind() < Envelope.MORE; // NONE, REQUEST, STREAM
    }

    @Override
    public @Nullable String from(Object routing) {
        return ((Envelope) routing).from();
    }

    @Override
    public long sequence(Object routing) {
        return ((Envelope) routing).seq();
    }

    @Override
    public @Nullable String session(Object routing) {
        return ((Envelope) routing).session();
    }

    @Override
    public void install(MessageParts parts) {
        Class<?> caller = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass();
        if (caller != Message.class) {
            throw new IllegalStateException("only Message installs its parts, once");
        }
        MessageAccess.install(parts);
    }

    @Override
    public String toString() {
        return "IpcEngine{" + getClass().getName() + "}";
    }
}
