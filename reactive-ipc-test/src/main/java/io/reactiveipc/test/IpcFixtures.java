package io.reactiveipc.test;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcServer;
import io.reactiveipc.internal.Transports;
import io.reactiveipc.spi.IpcTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * Servers and clients for one test, on fresh addresses, all disposed when the test ends. Injected into test
 * methods by {@link IpcExtension}.
 *
 * <pre>{@code
 * @ExtendWith(IpcExtension.class)
 * class GreeterTest {
 *     @Test
 *     void greets(IpcFixtures ipc) {
 *         IpcServer server = ipc.server();
 *         IpcClient client = ipc.client(server);
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class IpcFixtures implements AutoCloseable {

    /** Quiet (no logging) and quick to reconnect (50 ms): what tests want. */
    public static final IpcConfig TEST_CONFIG = IpcConfig.builder().silent(true).retry(50).build();

    private static final Duration DISPOSE_TIMEOUT = Duration.ofSeconds(10);

    private final @Nullable IpcTransport transport;
    private final Supplier<? extends IpcAddress> addresses;
    private final List<Disposable> resources = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param transport  the transport to use, or null for the one the class path provides for each address
     * @param addresses  fresh bindable addresses, e.g. {@link IpcTestAddresses#unix()}
     */
    public IpcFixtures(@Nullable IpcTransport transport, Supplier<? extends IpcAddress> addresses) {
        this.transport = transport;
        this.addresses = requireNonNull(addresses, "addresses");
    }

    /** A fresh address to bind. */
    public IpcAddress address() {
        return addresses.get();
    }

    /** A server on a fresh address with {@link #TEST_CONFIG}. */
    public IpcServer server() {
        return server(TEST_CONFIG);
    }

    public IpcServer server(IpcConfig config) {
        return server(address(), config);
    }

    /** A server at {@code address}; blocks until it listens. */
    public IpcServer server(IpcAddress address, IpcConfig config) {
        IpcServer server = (transport != null ? Transports.bindServer(transport, address, config)
                : IpcServer.bind(address, config)).block(DISPOSE_TIMEOUT);
        resources.add(requireNonNull(server, "server"));
        return server;
    }

    /** A client of {@code server} with {@link #TEST_CONFIG}. */
    public IpcClient client(IpcServer server) {
        return client(server.address(), TEST_CONFIG);
    }

    /** A client of {@code address}; it connects in the background, as every client does. */
    public IpcClient client(IpcAddress address, IpcConfig config) {
        return client("test", address, config);
    }

    /** A client with its own id (what it announces to the server, which routes to it by that name). */
    public IpcClient client(String id, IpcAddress address, IpcConfig config) {
        IpcClient client = transport != null ? Transports.connectClient(transport, id, address, config)
                : IpcClient.connect(id, address, config);
        resources.add(client);
        return client;
    }

    /** Disposes every client, then every server, and waits until each is closed. */
    @Override
    public void close() {
        List<Disposable> all;
        synchronized (resources) {
            all = new ArrayList<>(resources);
            resources.clear();
        }
        Collections.reverse(all);
        for (Disposable d : all) {
            d.dispose();
            if (d instanceof IpcClient c) {
                c.onDispose().block(DISPOSE_TIMEOUT);
            } else if (d instanceof IpcServer s) {
                s.onDispose().block(DISPOSE_TIMEOUT);
            }
        }
    }
}
