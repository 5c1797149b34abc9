package io.reactiveipc.internal;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcException;
import io.reactiveipc.spi.IpcDatagramTransport;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/** Finds the UDP transport on the class path, as {@link Transports} does for stream transports. */
public final class DatagramTransports {

    private DatagramTransports() {
    }

    private static final class Loaded {
        static final List<IpcDatagramTransport> ALL = ServiceLoader.load(IpcDatagramTransport.class,
                DatagramTransports.class.getClassLoader()).stream().map(ServiceLoader.Provider::get)
                .collect(Collectors.toUnmodifiableList());
    }

    public static Mono<IpcDatagramSocket> bind(IpcAddress.Udp address, IpcConfig config) {
        return Mono.defer(() -> {
            if (Loaded.ALL.isEmpty()) {
                return Mono.error(new IpcException("no UDP transport for " + address
                        + " on the class path; add io.reactiveipc:reactive-ipc-transports"));
            }
            return Loaded.ALL.get(0).bind(address, config);
        });
    }
}
