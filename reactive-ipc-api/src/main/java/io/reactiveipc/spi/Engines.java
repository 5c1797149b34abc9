package io.reactiveipc.spi;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import java.util.Iterator;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Holds the {@link IpcEngine}: one {@link ServiceLoader} lookup on first use (the JVM's class initialization makes
 * it once and thread-safe, and every later use a static final read), as SLF4J 2 finds its provider. When none is
 * found, a stand-in whose factories fail with a message that names what is missing, rather than an
 * {@link ExceptionInInitializerError} on whatever class happened to be first.
 */
final class Engines {

    static final IpcEngine ENGINE = load(IpcEngine.class.getClassLoader());

    private Engines() {
    }

    static IpcEngine load(@Nullable ClassLoader loader) {
        try {
            Iterator<IpcEngine> found = ServiceLoader.load(IpcEngine.class, loader).iterator();
            if (found.hasNext()) {
                return found.next();
            }
            return new Missing(null);
        } catch (ServiceConfigurationError e) {
            return new Missing(e);
        }
    }

    /** Stands in for an engine that was not found: building messages works, everything that needs the engine fails. */
    static final class Missing implements IpcEngine {
        private static final JsonMapper PLAIN = JsonMapper.builder().build();
        private final @Nullable Throwable cause;

        Missing(@Nullable Throwable cause) {
            this.cause = cause;
        }

        IpcException missing() {
            return new IpcException("no Reactive IPC engine: java.util.ServiceLoader found no "
                    + IpcEngine.class.getName() + " (it ships in the io.reactiveipc:reactive-ipc-api jar as"
                    + " META-INF/services/" + IpcEngine.class.getName() + " and in its module-info); put that jar"
                    + " on the class or module path unchanged (a shaded jar needs the shade plugin's"
                    + " ServicesResourceTransformer)" + (cause != null ? ": " + cause.getMessage() : ""), cause);
        }

        @Override
        public Mono<IpcServer> bindServer(@Nullable IpcTransport transport, IpcAddress address, IpcConfig config,
                Consumer<? super IpcServer> beforeAccepting) {
            return Mono.error(this::missing);
        }

        @Override
        public IpcClient connectClient(@Nullable IpcTransport transport, String id, IpcAddress address,
                IpcConfig config) {
            throw missing();
        }

        @Override
        public Mono<IpcDatagramSocket> bindDatagram(IpcAddress.Udp address, IpcConfig config) {
            return Mono.error(this::missing);
        }

        @Override
        public JsonMapper defaultMapper() {
            return PLAIN;
        }

        @Override
        public IpcCodec nodeIpcCodec(JsonMapper mapper, byte[] delimiter) {
            throw missing();
        }

        @Override
        public IpcCodec rawCodec(String encoding) {
            throw missing();
        }

        @Override
        public IpcCodec socketIpcCodec(JsonMapper mapper) {
            throw missing();
        }

        @Override
        public boolean announcesId(IpcCodec codec) {
            return false;
        }

        @Override
        public byte[] validateJson(String json) {
            throw missing();
        }

        @Override
        public boolean awaitsAnswer(Message message) {
            throw missing();
        }

        @Override
        public @Nullable String from(Object routing) {
            return null;
        }

        @Override
        public long sequence(Object routing) {
            return 0;
        }

        @Override
        public @Nullable String session(Object routing) {
            return null;
        }

        @Override
        public void install(MessageParts parts) {
            // nothing to hand it to
        }

        @Override
        public String toString() {
            return "IpcEngine{missing}";
        }
    }
}
