package io.reactiveipc.benchmark;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.reactiveipc.IpcAddress;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.util.ByteBufPayload;
import io.rsocket.util.DefaultPayload;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * RSocket's request-response over the same sockets, the data a JSON value encoded and decoded with Jackson at the
 * client, as a user of RSocket would send JSON. Zero-copy payloads on both sides, the setup RSocket's docs give for
 * speed: the bar is RSocket at its fastest, not at its defaults.
 */
final class RSocketWorker {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration T = Duration.ofMinutes(5);
    /** A request with this metadata asks for the server's peak RSS; echo requests have no metadata. */
    private static final String STATS = "stats";

    private RSocketWorker() {
    }

    static void server(IpcAddress address) {
        RSocketServer.create(SocketAcceptor.forRequestResponse(RSocketWorker::answer))
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .bindNow(TcpServerTransport.create(
                        TcpServer.create().bindAddress(() -> NettyWorker.socketAddress(address))));
        System.out.println("{\"event\":\"ready\"}");
        Mono.never().block();
    }

    /** The echo hands the request's buffers back as the reply's: RSocket releases them once sent. */
    private static Mono<Payload> answer(Payload request) {
        if (!request.hasMetadata()) {
            return Mono.just(request);
        }
        request.release();
        return Mono.just(ByteBufPayload.create(json(Map.of("rssKb", Protocol.peakRssKb()))));
    }

    static void client(IpcAddress address, String scenario, int count, int warmup, int inFlight) {
        RSocket rsocket = RSocketConnector.create()
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .connect(TcpClientTransport.create(
                        TcpClient.create().remoteAddress(() -> NettyWorker.socketAddress(address))))
                .block(T);
        Supplier<Mono<JsonNode>> echo = () -> rsocket.requestResponse(ByteBufPayload.create(json(Protocol.PAYLOAD)))
                .map(RSocketWorker::data);
        LongSupplier serverRss = () -> rsocket.requestResponse(DefaultPayload.create("", STATS)).map(RSocketWorker::data)
                .block(T).get("rssKb").asLong();
        String result = scenario.equals("rr-rtt") ? RequestResponse.rtt(echo, count, warmup, serverRss)
                : RequestResponse.throughput(echo, count, warmup, inFlight, serverRss);
        rsocket.dispose();
        System.out.println(result);
    }

    static ByteBuf json(Object value) {
        ByteBuf b = ByteBufAllocator.DEFAULT.ioBuffer();
        try {
            MAPPER.writeValue((java.io.OutputStream) new ByteBufOutputStream(b), value);
        } catch (RuntimeException e) {
            b.release();
            throw e;
        }
        return b;
    }

    /** Zero-copy payloads are the receiver's to release. */
    static JsonNode data(Payload reply) {
        try {
            return MAPPER.readTree((java.io.InputStream) new ByteBufInputStream(reply.sliceData()));
        } finally {
            reply.release();
        }
    }
}
