package io.reactiveipc.test;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcException;
import io.reactiveipc.spi.IpcTransport;
import io.reactiveipc.spi.Link;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The in-JVM transport for {@link IpcAddress.Local} addresses: servers and clients of one JVM, no sockets, the same
 * API and the same behaviour (reconnect, queueing, events, limits). Frames are still encoded and decoded with the
 * node-ipc codec, so data that could not cross a socket cannot cross this either. Unlike a socket it does not slow
 * a fast sender: a receiver that does not read buffers without bound. Found by {@link java.util.ServiceLoader}.
 */
public final class LocalTransport implements IpcTransport {

    private static final ConcurrentMap<String, Binding> BOUND = new ConcurrentHashMap<>();
    private static final AtomicLong CONNECTIONS = new AtomicLong();

    @Override
    public boolean supports(IpcAddress address) {
        return address instanceof IpcAddress.Local;
    }

    @Override
    public Mono<Listener> listen(IpcAddress address, IpcConfig config, Consumer<Link> onLink) {
        String name = ((IpcAddress.Local) address).name();
        return Mono.fromCallable(() -> {
            Binding binding = new Binding(address, onLink, config);
            if (BOUND.putIfAbsent(name, binding) != null) {
                throw new IpcException("cannot listen on " + address + ": a live server is listening there");
            }
            return binding;
        });
    }

    @Override
    public Mono<Link> connect(IpcAddress address, IpcConfig config) {
        return Mono.defer(() -> {
            Binding binding = BOUND.get(((IpcAddress.Local) address).name());
            if (binding == null) {
                return Mono.error(new IpcException("cannot connect to " + address + ": nobody listens there"));
            }
            String id = address + "#" + CONNECTIONS.incrementAndGet();
            LocalLink client = new LocalLink(id + " (client)", config);
            LocalLink server = new LocalLink(id, binding.config);
            LocalLink.pair(client, server);
            binding.onLink.accept(server);
            return Mono.just(client);
        });
    }

    /**
     * A raw peer of the server at {@code address}: bytes in, bytes out, for testing what a misbehaving peer does.
     */
    static RawConnection raw(IpcAddress.Local address) {
        Binding binding = BOUND.get(address.name());
        if (binding == null) {
            throw new IpcException("nobody listens on " + address);
        }
        LocalLink server = new LocalLink(address + "#raw" + CONNECTIONS.incrementAndGet(), binding.config);
        RawConnection raw = new LocalRawConnection(server);
        binding.onLink.accept(server);
        return raw;
    }

    @Override
    public String toString() {
        return "LocalTransport";
    }

    private static final class Binding implements Listener {
        final IpcAddress address;
        final Consumer<Link> onLink;
        final IpcConfig config;
        final Sinks.Empty<Void> disposed = Sinks.empty();

        Binding(IpcAddress address, Consumer<Link> onLink, IpcConfig config) {
            this.address = address;
            this.onLink = onLink;
            this.config = config;
        }

        @Override
        public IpcAddress address() {
            return address;
        }

        @Override
        public Mono<Void> onDispose() {
            return disposed.asMono();
        }

        @Override
        public void dispose() {
            BOUND.remove(((IpcAddress.Local) address).name(), this);
            disposed.tryEmitEmpty();
        }

        @Override
        public boolean isDisposed() {
            return disposed.scan(reactor.core.Scannable.Attr.TERMINATED) == Boolean.TRUE;
        }
    }
}
