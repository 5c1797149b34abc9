package io.reactiveipc.internal;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import io.reactiveipc.spi.IpcTransport;
import io.reactiveipc.spi.Link;
import io.reactiveipc.spi.OutboundQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** A transport whose connect attempts succeed or fail as scripted; links record what is written to them. */
final class ScriptedTransport implements IpcTransport {

    private final Deque<Boolean> script = new ArrayDeque<>();
    final List<FakeLink> links = new ArrayList<>();
    int attempts;
    /** Links made from now on start {@link FakeLink#unconfirmed}. */
    boolean unconfirmedLinks;

    /** Each true is an attempt that connects, each false one that is refused; after the script, refused. */
    ScriptedTransport then(boolean... outcomes) {
        for (boolean o : outcomes) {
            script.add(o);
        }
        return this;
    }

    @Override
    public boolean supports(IpcAddress address) {
        return true;
    }

    Consumer<Link> acceptor;

    @Override
    public Mono<Listener> listen(IpcAddress address, IpcConfig config, Consumer<Link> onLink) {
        acceptor = onLink;
        Sinks.Empty<Void> disposed = Sinks.empty();
        return Mono.just(new Listener() {
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
                disposed.tryEmitEmpty();
            }
        });
    }

    /** A client connects to the listening server. */
    FakeLink accept() {
        FakeLink link = new FakeLink();
        links.add(link);
        acceptor.accept(link);
        return link;
    }

    @Override
    public Mono<Link> connect(IpcAddress address, IpcConfig config) {
        return Mono.defer(() -> {
            attempts++;
            Boolean ok = script.poll();
            if (ok == null || !ok) {
                return Mono.error(new IpcException("refused (attempt " + attempts + ")"));
            }
            FakeLink link = new FakeLink();
            link.unconfirmed = unconfirmedLinks;
            links.add(link);
            return Mono.just(link);
        });
    }

    FakeLink last() {
        return links.get(links.size() - 1);
    }

    static final class FakeLink implements Link {
        final Sinks.Many<Message> in = Sinks.many().unicast().onBackpressureBuffer();
        final Sinks.Empty<Void> closed = Sinks.empty();
        final List<Message> written = new ArrayList<>();
        OutboundQueue queue;
        /** While true, nothing is taken from the queue: a socket the peer does not read. */
        boolean stalled;
        /**
         * While true, what is taken is recorded in {@link #written} but not reported written (as if still in the
         * socket's buffer): closing hands it back to the queue, as a real link does.
         */
        boolean unconfirmed;
        private final List<OutboundQueue.Entry> handed = new ArrayList<>();
        /** One object, so that detach finds the writer it attached. */
        private final Runnable writer = this::drain;

        @Override
        public Flux<Message> receive(Consumer<IpcProtocolException> protocolErrors) {
            return in.asFlux();
        }

        @Override
        public void startWriting(OutboundQueue queue) {
            this.queue = queue;
            queue.attach(writer);
        }

        /** The peer reads again: everything queued is written. */
        void resume() {
            stalled = false;
            drain();
        }

        private void drain() {
            OutboundQueue.Entry e;
            while (queue != null && !stalled && (e = queue.poll()) != null) {
                written.add(e.message());
                if (unconfirmed) {
                    handed.add(e);
                } else {
                    OutboundQueue.written(e);
                }
            }
        }

        /** The peer closes the socket. */
        @Override
        public void close() {
            OutboundQueue q = queue;
            if (q != null) {
                queue = null;
                q.detach(writer);
                q.returnUnwritten(new ArrayList<>(handed));
                handed.clear();
            }
            in.tryEmitComplete();
            closed.tryEmitEmpty();
        }

        @Override
        public Mono<Void> onClose() {
            return closed.asMono();
        }

        @Override
        public String remote() {
            return "fake";
        }
    }
}
