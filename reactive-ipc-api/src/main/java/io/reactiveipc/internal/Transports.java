package io.reactiveipc.internal;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.spi.IpcTransport;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/** Finds the transport for an address among those on the class path. */
public final class Transports {

    private Transports() {
    }

    private static final class Loaded {
        static final List<IpcTransport> ALL = ServiceLoader.load(IpcTransport.class, Transports.class.getClassLoader())
                .stream().map(ServiceLoader.Provider::get).collect(Collectors.toUnmodifiableList());
    }

    public static IpcTransport forAddress(IpcAddress address) {
        if (address instanceof IpcAddress.Udp) {
            throw new IpcException(address + " is a UDP address: UDP has no servers or clients, only sockets;"
                    + " bind one with IpcDatagramSocket.bind(address, config)");
        }
        for (IpcTransport t : Loaded.ALL) {
            if (t.supports(address)) {
                return t;
            }
        }
        throw new IpcException("no transport for " + address + " on the class path (found " + Loaded.ALL
                + "); add io.reactiveipc:reactive-ipc-transports");
    }

    public static Mono<IpcServer> bindServer(IpcAddress address, IpcConfig config) {
        return bindServer(address, config, s -> { });
    }

    public static Mono<IpcServer> bindServer(IpcAddress address, IpcConfig config,
            java.util.function.Consumer<? super IpcServer> beforeAccepting) {
        return Mono.defer(() -> DefaultIpcServer.bind(forAddress(address), address, config, beforeAccepting));
    }

    public static IpcClient connectClient(String id, IpcAddress address, IpcConfig config) {
        return connectClient(forAddress(address), id, address, config);
    }

    /** With a given transport (a value the user built, or a test's). */
    public static Mono<IpcServer> bindServer(IpcTransport transport, IpcAddress address, IpcConfig config) {
        return bindServer(transport, address, config, s -> { });
    }

    /** With a given transport (a value the user built, or a test's). */
    public static Mono<IpcServer> bindServer(IpcTransport transport, IpcAddress address, IpcConfig config,
            java.util.function.Consumer<? super IpcServer> beforeAccepting) {
        return Mono.defer(() -> {
            checkSupports(transport, address);
            return DefaultIpcServer.bind(transport, address, config, beforeAccepting);
        });
    }

    /** With a given transport (a value the user built, or a test's). */
    public static IpcClient connectClient(IpcTransport transport, String id, IpcAddress address, IpcConfig config) {
        checkSupports(transport, address);
        return DefaultIpcClient.start(transport, id, address, config);
    }

    private static void checkSupports(IpcTransport transport, IpcAddress address) {
        if (!transport.supports(address)) {
            throw new IpcException(transport + " does not serve " + address);
        }
    }
}
