package io.reactiveipc.examples.webflux;

import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcRemoteException;
import io.reactiveipc.IpcTimeoutException;
import io.reactiveipc.Message;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The web side of the hub, through the auto-configured {@link IpcClient}.
 *
 * <ul>
 *   <li>{@code GET /api/news}: the {@code news} topic as server-sent events, each {@code data:} a message
 *       {@code {"type":"news","data":{...}}}, after a first comment {@code :subscribed} sent once the stream is
 *       subscribed to the topic. Each HTTP subscriber has its own buffer of {@code example.sse-buffer}
 *       (256) messages: a browser that reads slowly loses its oldest unsent messages (counted by
 *       {@link #dropped()}), and neither the socket nor the other browsers wait for it. Without the buffer the
 *       client's inbound hub would end a subscriber that falls 8192 messages behind with an
 *       {@code IpcOverflowException}. The streams end when the application stops, so graceful shutdown does
 *       not wait on them.</li>
 *   <li>{@code POST /api/news} with {@code {"from":..,"text":..}}: emits it as {@code news}; 202 when written to
 *       the hub's socket (queued while it is down, up to {@code maxQueuedMessages}; 503 when that is full or the
 *       client is disposed).</li>
 *   <li>{@code GET /api/upper?text=..}: a request to the hub, its answer as {@code {"type":"upper","data":..}};
 *       502 when the hub answers an error, 504 after {@code requestTimeout} (30 s).</li>
 * </ul>
 */
@RestController
public class NewsController {

    private final IpcClient client;
    private final int bufferSize;
    private final AtomicLong dropped = new AtomicLong();
    private final Sinks.Empty<Void> stopping = Sinks.empty();

    public NewsController(IpcClient client, @Value("${example.sse-buffer:256}") int bufferSize) {
        this.client = client;
        this.bufferSize = bufferSize;
    }

    @GetMapping(path = "/api/news", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Flux<ServerSentEvent<Message>> news() {
        Flux<ServerSentEvent<Message>> news = client.on("news")
                // this subscriber's own bounded buffer: asks the hub for everything, keeps the newest bufferSize
                .onBackpressureBuffer(bufferSize, m -> dropped.incrementAndGet(), BufferOverflowStrategy.DROP_OLDEST)
                .map(m -> ServerSentEvent.builder(m).build());
        // merge subscribes to the topic first, so whoever has seen the comment misses no message sent after it
        return Flux.merge(news, Mono.just(ServerSentEvent.<Message>builder().comment("subscribed").build()))
                .takeUntilOther(stopping.asMono());
    }

    @PostMapping("/api/news")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public Mono<Void> post(@RequestBody WebfluxApplication.News news) {
        return client.emit("news", news)
                .onErrorMap(e -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage(), e));
    }

    @GetMapping("/api/upper")
    public Mono<Message> upper(@RequestParam("text") String text) {
        return client.request("upper", text)
                .onErrorMap(IpcRemoteException.class,
                        e -> new ResponseStatusException(HttpStatus.BAD_GATEWAY, e.getMessage(), e))
                .onErrorMap(IpcTimeoutException.class,
                        e -> new ResponseStatusException(HttpStatus.GATEWAY_TIMEOUT, e.getMessage(), e));
    }

    /** Messages dropped so far across all SSE subscribers because one read too slowly. */
    public long dropped() {
        return dropped.get();
    }

    @EventListener(ContextClosedEvent.class)
    void onClose() {
        stopping.tryEmitEmpty();
    }
}
