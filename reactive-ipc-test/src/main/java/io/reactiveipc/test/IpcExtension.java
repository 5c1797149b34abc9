package io.reactiveipc.test;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.spi.IpcTransport;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects {@link IpcFixtures} into test methods and disposes them after each test. By default servers get fresh
 * Unix socket paths; {@link #inJvm()} uses the in-JVM transport instead (no sockets); a test class implementing
 * {@link IpcTransportContract} gets its own transport and addresses.
 *
 * <pre>{@code
 * @ExtendWith(IpcExtension.class)                                  // Unix sockets
 * class MyTest { ... }
 *
 * class MyFastTest {
 *     @RegisterExtension
 *     static final IpcExtension ipc = IpcExtension.inJvm();        // no sockets
 * }
 * }</pre>
 */
public final class IpcExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(IpcExtension.class);

    private final @Nullable IpcTransport transport;
    private final Supplier<? extends IpcAddress> addresses;

    /** Fresh Unix socket addresses, transports from the class path. */
    public IpcExtension() {
        this(null, IpcTestAddresses::unix);
    }

    private IpcExtension(@Nullable IpcTransport transport, Supplier<? extends IpcAddress> addresses) {
        this.transport = transport;
        this.addresses = addresses;
    }

    /** Servers and clients inside this JVM: no sockets, same behaviour. */
    public static IpcExtension inJvm() {
        return new IpcExtension(null, () -> IpcAddress.local("test-" + UUID.randomUUID()));
    }

    /** Fresh TCP addresses on loopback (port 0: the server picks). */
    public static IpcExtension tcp() {
        return new IpcExtension(null, IpcTestAddresses::tcp);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == IpcFixtures.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NS).getOrComputeIfAbsent("fixtures", key -> new Closing(create(context)),
                Closing.class).fixtures;
    }

    private IpcFixtures create(ExtensionContext context) {
        Object instance = context.getTestInstance().orElse(null);
        if (instance instanceof IpcTransportContract contract) {
            return new IpcFixtures(contract.transport(), contract::bindableAddress);
        }
        return new IpcFixtures(transport, addresses);
    }

    /** Closed by JUnit when the test's store goes away. */
    private record Closing(IpcFixtures fixtures) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            fixtures.close();
        }
    }
}
