package io.reactiveipc.interop;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.test.IpcTestAddresses;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The matrix axes and what both directions share. */
final class Interop {

    static final Duration T = Duration.ofSeconds(30);
    /** A node process is up in well under a second; a peer that is not ready by then is broken. */
    static final Duration START = Duration.ofSeconds(10);

    static final IpcConfig QUIET = IpcConfig.builder().silent(true).retry(50).build();

    /** QUIET for a client whose own id (node-ipc's ipc.config.id, what it announces in ipc.hello) is {@code id}. */
    static IpcConfig quietAs(String id) {
        return IpcConfig.builder().silent(true).retry(50).id(id).build();
    }

    /** QUIET with socket-ipc's frames, for a client or server named {@code id}. */
    static IpcConfig socketIpc(String id) {
        return IpcConfig.builder().silent(true).retry(50).id(id).codec(IpcCodec.socketIpc()).build();
    }

    /** A string with everything JSON has to escape or carry: non-ASCII, astral, controls, the delimiter itself. */
    static final String UNICODE = "é✓ 😀 Ωμέγα 漢字 \f form feed \n\r\t \" quote \\ backslash / slash \u0001\u001f"
            + " \u2028\u2029 end";

    private Interop() {
    }

    enum Transport {
        UNIX, TCP;

        IpcAddress address() {
            return this == UNIX ? IpcTestAddresses.unix() : IpcTestAddresses.freeTcpPort();
        }

        String arg() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static String nodeAddress(IpcAddress address) {
        return address instanceof IpcAddress.Unix u ? u.path().toString()
                : ((IpcAddress.Tcp) address).host() + ":" + ((IpcAddress.Tcp) address).port();
    }

    /** Sends {@code message} to a node-ipc peer, which echoes it back; returns the echo. */
    static io.reactiveipc.Message echo(io.reactiveipc.IpcConnection connection, io.reactiveipc.Message message) {
        reactor.core.publisher.Mono<io.reactiveipc.Message> back = connection.on("echo").next().cache();
        back.subscribe();
        connection.send(message).block(T);
        return back.block(T);
    }

    /** 10,000 messages to the peer and back in order, then 10,000 from the peer's own burst in order. */
    static void burstEachWay(io.reactiveipc.IpcConnection c) {
        java.util.List<Integer> expected = java.util.stream.IntStream.range(0, 10_000).boxed().toList();
        reactor.core.publisher.Mono<java.util.List<Integer>> echoes = c.on("echo")
                .map(m -> m.data(Integer.class)).take(10_000).collectList().cache();
        echoes.subscribe();
        c.send(reactor.core.publisher.Flux.range(0, 10_000).map(i -> io.reactiveipc.Message.of("echo", i))).block(T);
        org.assertj.core.api.Assertions.assertThat(echoes.block(T)).as("Java -> node-ipc -> Java")
                .containsExactlyElementsOf(expected);
        reactor.core.publisher.Mono<java.util.List<Integer>> burst = c.on("n").map(m -> m.data(Integer.class))
                .take(10_000).collectList().cache();
        burst.subscribe();
        c.emit("burst", java.util.Map.of("n", 10_000)).block(T);
        org.assertj.core.api.Assertions.assertThat(burst.block(T)).as("node-ipc's burst")
                .containsExactlyElementsOf(expected);
    }

    /** node-ipc 14 and 10 over a Unix socket and TCP. */
    static Stream<Arguments> matrix() {
        return Stream.of("14", "10").flatMap(v -> Stream.of(Transport.values()).map(t -> Arguments.of(v, t)));
    }
}
