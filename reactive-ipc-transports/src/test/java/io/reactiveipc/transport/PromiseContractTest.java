package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.test.IpcTestAddresses;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Netty's promise contract on a real connection: handlers that take {@code promise.unvoid()} and listen to it
 * ({@code IdleStateHandler}, {@code WriteTimeoutHandler}) work in the pipeline, and a write a handler fails with
 * {@code tryFailure} fails that message's send.
 */
class PromiseContractTest {

    static final Duration T = Duration.ofSeconds(15);
    static final IpcConfig QUIET = IpcConfig.builder().silent(true).retry(20).build();
    private final List<Runnable> cleanup = new ArrayList<>();

    @AfterEach
    void close() {
        cleanup.forEach(Runnable::run);
    }

    IpcServer server(IpcAddress address, Consumer<? super Channel> init) {
        NettyTransport t = NettyTransport.builder().doOnChannelInit(init).build();
        IpcServer s = IpcServer.bind(t, address, QUIET, srv -> srv.handle("echo", in -> Mono.just(in.message())))
                .block(T);
        cleanup.add(0, () -> s.disposeNow(T));
        return s;
    }

    IpcClient client(IpcAddress address, Consumer<? super Channel> init) {
        IpcClient c = IpcClient.connect(NettyTransport.builder().doOnChannelInit(init).build(), "s", address, QUIET);
        cleanup.add(0, () -> c.disposeNow(T));
        return c;
    }

    @Test
    void idleAndWriteTimeoutHandlersWorkOnBothEndsOfARealConnection() {
        Sinks.Many<IdleStateEvent> idle = Sinks.many().replay().all();
        Consumer<Channel> handlers = ch -> ch.pipeline()
                .addLast(new IdleStateHandler(true, 0, 200, 0, TimeUnit.MILLISECONDS) {
                    @Override
                    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
                        idle.tryEmitNext(evt);
                    }
                })
                .addLast(new WriteTimeoutHandler(10));
        IpcServer server = server(IpcTestAddresses.tcp(), handlers);
        IpcClient client = client(server.address(), handlers);
        int n = 3_000;
        Mono<List<Message>> back = client.on("echo").take(n).collectList().cache();
        back.subscribe();
        client.send(Flux.range(0, n).map(i -> Message.of("echo", i))).block(T);
        assertThat(back.block(T)).extracting(m -> m.data(Integer.class)).containsExactlyElementsOf(
                Flux.range(0, n).collectList().block());
        // each end saw its writes complete, then went quiet: a write-idle event arrives
        assertThat(idle.asFlux().blockFirst(T).state()).isEqualTo(io.netty.handler.timeout.IdleState.WRITER_IDLE);
    }

    @Test
    void aWriteThatAHandlerFailsFailsThatSendAndTheNextOneGoes() {
        IpcServer server = server(IpcTestAddresses.unix(), ch -> { });
        IpcClient client = client(server.address(), ch -> ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (((ByteBuf) msg).toString(StandardCharsets.UTF_8).contains("poison")) {
                    ReferenceCountUtil.release(msg);
                    promise.tryFailure(new IllegalStateException("refused by a handler"));
                } else {
                    ctx.write(msg, promise);
                }
            }
        }));
        assertThat(client.request("echo", "first").block(T).data(String.class)).isEqualTo("first");
        Throwable failed = client.emit("m", "poison").then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block(T);
        assertThat(failed).isInstanceOf(IpcException.class).hasMessageContaining("not written")
                .hasRootCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("refused by a handler");
        assertThat(client.request("echo", "next").block(T).data(String.class)).isEqualTo("next");
        assertThat(client.isConnected()).isTrue();
    }

    /**
     * WriteTimeoutHandler does not fail the promise: it fires its exception and closes the socket. Netty then fails
     * the write with a closed-channel error, which is an unwritten frame: it goes out again on the client's next
     * socket, as any frame a dying socket had not written.
     */
    @Test
    void aWriteThatTimesOutClosesTheSocketAndTheFrameGoesOutOnTheNextOne() {
        IpcServer server = server(IpcTestAddresses.unix(), ch -> { });
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        IpcClient client = client(server.address(), ch -> {
            if (first.getAndSet(false)) {
                ch.pipeline().addLast(new Stall()).addLast(new WriteTimeoutHandler(200, TimeUnit.MILLISECONDS));
            }
        });
        Mono<io.reactiveipc.IpcEvent> disconnected = client.events()
                .filter(e -> e instanceof io.reactiveipc.IpcEvent.Disconnected).next().cache();
        disconnected.subscribe();
        Mono<Message> arrived = server.on("m").next().map(in -> in.message()).cache();
        arrived.subscribe();
        client.emit("m", "stuck").block(T);
        assertThat(disconnected.block(T)).as("the timeout closed the first socket").isNotNull();
        assertThat(arrived.block(T).data(String.class)).isEqualTo("stuck");
    }

    /** Holds the writes of "stuck" frames; fails them as Netty does when the channel closes under them. */
    static final class Stall extends ChannelDuplexHandler {
        private final List<Object> held = new ArrayList<>();
        private final List<ChannelPromise> promises = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (((ByteBuf) msg).toString(StandardCharsets.UTF_8).contains("stuck")) {
                held.add(msg);
                promises.add(promise);
            } else {
                ctx.write(msg, promise);
            }
        }

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
            promises.forEach(p -> p.tryFailure(new java.nio.channels.ClosedChannelException()));
            promises.clear();
            ctx.close(promise);
        }
    }
}
