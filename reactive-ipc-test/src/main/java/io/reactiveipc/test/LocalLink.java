package io.reactiveipc.test;

import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.internal.Frames;
import io.reactiveipc.spi.IpcMetricsRecorder;
import io.reactiveipc.spi.Link;
import io.reactiveipc.spi.OutboundQueue;
import java.io.ByteArrayOutputStream;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** One end of an in-JVM connection. Writes run on the thread that emitted, one drain at a time. */
final class LocalLink implements Link {

    private final String name;
    private final IpcCodec codec;
    private final int delimiterLength;
    private final int maxFrameSize;
    private final IpcMetricsRecorder metrics;
    private final Sinks.Many<byte[]> in = Sinks.many().unicast().onBackpressureBuffer();
    /** Chunks on their way into {@link #in}: one thread at a time emits, the others leave theirs here. */
    private final Queue<byte[]> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicInteger emitting = new AtomicInteger();
    private volatile boolean inputClosed;
    private final Sinks.Empty<Void> closed = Sinks.empty();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicInteger wip = new AtomicInteger();
    private final Runnable signal = this::drain;
    private volatile Consumer<byte[]> out = bytes -> { };
    private volatile Runnable onPeerClose = () -> { };
    private volatile @Nullable OutboundQueue queue;

    LocalLink(String name, IpcConfig config) {
        this.name = name;
        this.codec = config.codec();
        this.delimiterLength = codec.delimiter().length;
        this.maxFrameSize = config.maxFrameSize();
        this.metrics = config.metrics();
    }

    static void pair(LocalLink a, LocalLink b) {
        a.out = b::deliver;
        b.out = a::deliver;
        a.onPeerClose = b::close;
        b.onPeerClose = a::close;
    }

    /** Where this end's frames go, and who hears of its close, when the other end is not a link. */
    void connectTo(Consumer<byte[]> out, Runnable onClose) {
        this.out = out;
        this.onPeerClose = onClose;
    }

    /** Bytes from the other end. Never blocks: no lock is held while subscribers run. */
    void deliver(byte[] chunk) {
        incoming.offer(chunk);
        pump();
    }

    private void pump() {
        if (emitting.getAndIncrement() != 0) {
            return;
        }
        do {
            byte[] chunk;
            while ((chunk = incoming.poll()) != null) {
                metrics.bytesReceived(chunk.length);
                in.tryEmitNext(chunk);
            }
            if (inputClosed && incoming.isEmpty()) {
                in.tryEmitComplete();
            }
        } while (emitting.decrementAndGet() != 0);
    }

    @Override
    public Flux<Message> receive(Consumer<IpcProtocolException> protocolErrors) {
        FrameSplitter splitter = new FrameSplitter(codec, maxFrameSize);
        return in.asFlux()
                .concatMapIterable(splitter::feed)
                .concatWith(Flux.defer(() -> Flux.fromIterable(splitter.finish())))
                .handle((o, sink) -> {
                    if (o instanceof Message m) {
                        sink.next(m);
                    } else {
                        protocolErrors.accept((IpcProtocolException) o);
                    }
                });
    }

    @Override
    public void startWriting(OutboundQueue queue) {
        if (closing.get()) {
            return;
        }
        this.queue = queue;
        queue.attach(signal);
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        do {
            OutboundQueue q = queue;
            if (q != null) {
                OutboundQueue.Entry entry;
                while (!closing.get() && (entry = q.poll()) != null) {
                    byte[] frame = encode(q, entry);
                    if (frame != null) {
                        metrics.messageSent(entry.message().type());
                        metrics.bytesSent(frame.length);
                        out.accept(frame);
                        OutboundQueue.written(entry);
                    }
                }
                if (!closing.get() && q.isCompleting() && q.isEmpty()) {
                    q.completed();
                }
            }
        } while (wip.decrementAndGet() != 0);
    }

    private byte @Nullable [] encode(OutboundQueue q, OutboundQueue.Entry entry) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            Frames.encode(codec, entry.message(), bytes, bytes::size, delimiterLength, maxFrameSize);
            return bytes.toByteArray();
        } catch (IpcException e) {
            q.failed(entry, e);
            return null;
        }
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        OutboundQueue q = queue;
        if (q != null) {
            q.detach(signal);
        }
        inputClosed = true;
        pump();
        closed.tryEmitEmpty();
        onPeerClose.run();
    }

    /** The error frame goes to the peer as one chunk, then this end closes. */
    @Override
    public void refuse(Message error) {
        if (closing.get()) {
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            Frames.encode(codec, error, bytes, bytes::size, delimiterLength, maxFrameSize);
            out.accept(bytes.toByteArray());
        } catch (RuntimeException unencodable) {
            // nothing to tell in this codec: closing says it
        }
        close();
    }

    @Override
    public Mono<Void> onClose() {
        return closed.asMono();
    }

    @Override
    public String remote() {
        return name;
    }

    @Override
    public String toString() {
        return "LocalLink{" + name + "}";
    }
}
