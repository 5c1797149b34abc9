package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import io.reactiveipc.IpcDatagramSocket.Datagram;
import io.reactiveipc.IpcDatagramSocket.Failure;
import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.IpcProtocolException.Reason;
import io.reactiveipc.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * UDP sockets in node-ipc's framing, on loopback over IPv4 ({@code 127.0.0.1}) and IPv6 ({@code ::1}, present on
 * this machine's loopback: {@code ip -6 addr show lo}). Raw datagrams come from plain {@link DatagramSocket}s, so the
 * bytes on the wire are exactly the test's.
 */
class UdpTest {

    static final Duration T = Duration.ofSeconds(10);
    static final IpcConfig QUIET = IpcConfig.builder().silent(true).build();
    static final ObjectMapper JSON = new ObjectMapper();

    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    IpcDatagramSocket bind(String family, IpcConfig config) {
        IpcAddress.Udp address = family.equals("udp6") ? IpcAddress.udp6("::1", 0) : IpcAddress.udp4("127.0.0.1", 0);
        IpcDatagramSocket s = IpcDatagramSocket.bind(address, config).block(T);
        open.add(() -> s.disposeNow(T));
        return s;
    }

    IpcDatagramSocket bind4() {
        return bind("udp4", QUIET);
    }

    /** Everything the socket receives from now on, kept for the test. */
    static Flux<Datagram> record(IpcDatagramSocket s) {
        Flux<Datagram> seen = s.inbound().replay().autoConnect(0);
        return seen;
    }

    Raw raw(String family) {
        Raw r = new Raw(family);
        open.add(r);
        return r;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"udp4", "udp6"})
    void javaToJavaAndAnswerToTheSender(String family) {
        IpcDatagramSocket a = bind(family, QUIET);
        IpcDatagramSocket b = bind(family, QUIET);
        // node-ipc's server.on('ping', (data, socket) => server.emit(socket, 'pong', data))
        a.on("ping").flatMap(d -> a.emit(d.sender(), "pong", d.message().data())).subscribe();
        Mono<Datagram> pong = b.on("pong").next().cache();
        pong.subscribe();

        b.emit(a.address(), "ping", java.util.Map.of("n", 1, "s", "é✓ \f")).block(T);

        Datagram got = pong.block(T);
        assertThat(got.sender()).isEqualTo(a.address());
        assertThat(got.message().data().get("s").asString()).isEqualTo("é✓ \f");
        assertThat(a.peers()).containsExactly(b.address());
        assertThat(a.address().getAddress().getHostAddress()).isEqualTo(family.equals("udp6") ? "0:0:0:0:0:0:0:1"
                : "127.0.0.1");
    }

    @Test
    void oneFramePerDatagramOnTheWire() throws Exception {
        IpcDatagramSocket s = bind4();
        Raw peer = raw("udp4");
        s.emit(peer.address(), "m", "x").block(T);
        assertThat(peer.receiveText()).isEqualTo("{\"type\":\"m\",\"data\":\"x\"}\f");
    }

    @Test
    void severalFramesInOneDatagramAreEachDelivered() {
        IpcDatagramSocket s = bind4();
        Flux<Datagram> seen = record(s);
        Raw peer = raw("udp4");
        peer.send(s, "{\"type\":\"a\",\"data\":1}\f{\"type\":\"b\",\"data\":2}\f{\"type\":\"c\",\"data\":3}\f");

        List<Datagram> got = seen.take(3).collectList().block(T);
        assertThat(got).extracting(Datagram::type).containsExactly("a", "b", "c");
        assertThat(got).extracting(d -> d.data(Integer.class)).containsExactly(1, 2, 3);
        assertThat(got).extracting(Datagram::sender).containsOnly(peer.address());
    }

    @Test
    void aFrameSplitAcrossDatagramsIsReassembledPerSender() {
        IpcDatagramSocket s = bind4();
        Flux<Datagram> seen = record(s);
        Raw one = raw("udp4");
        Raw two = raw("udp4");
        // interleaved halves from two senders, then a frame in three pieces whose middle one holds no delimiter
        one.send(s, "{\"type\":\"one\",\"da");
        two.send(s, "{\"type\":\"two\",\"data\":\"from ");
        one.send(s, "ta\":\"from one\"}\f{\"type\":\"one-b\",");
        two.send(s, "two\"}\f");
        one.send(s, "\"data\":[1,");
        one.send(s, "2]}\f");

        List<Datagram> got = seen.take(3).collectList().block(T);
        assertThat(got).extracting(d -> d.type() + "=" + d.message().data() + "@" + (d.sender().equals(one.address())
                ? "one" : "two")).containsExactly("one=\"from one\"@one", "two=\"from two\"@two", "one-b=[1,2]@one");
    }

    @Test
    void aDelimiterOfSeveralBytesSplitAcrossTwoDatagramsIsFound() throws Exception {
        IpcDatagramSocket s = bind("udp4", IpcConfig.builder().delimiter("\r\n").build());
        Flux<Datagram> seen = record(s);
        Raw peer = raw("udp4");
        peer.send(s, "{\"type\":\"a\",\"data\":1}\r");
        peer.send(s, "\n{\"type\":\"b\",\"data\":2}\r\n");

        assertThat(seen.take(2).map(Datagram::type).collectList().block(T)).containsExactly("a", "b");
        s.emit(peer.address(), "m", "x").block(T);
        assertThat(peer.receiveText()).isEqualTo("{\"type\":\"m\",\"data\":\"x\"}\r\n");
    }

    @Test
    void inRawBufferModeEachDatagramIsOneMessageOfItsBytesUntouched() throws Exception {
        IpcDatagramSocket s = bind("udp4", IpcConfig.builder().rawBuffer(true).build());
        Flux<Datagram> seen = record(s);
        Raw peer = raw("udp4");
        byte[] notUtf8 = {(byte) 0xff, 0x0c, 0, (byte) 0xc3};
        peer.socket.send(new DatagramPacket(notUtf8, notUtf8.length, s.address()));

        Datagram got = seen.next().block(T);
        assertThat(got.type()).isEqualTo("data");
        assertThat(got.data(byte[].class)).containsExactly(notUtf8);
        s.emit(peer.address(), "data", notUtf8).block(T);
        DatagramPacket p = new DatagramPacket(new byte[16], 16);
        peer.socket.receive(p);
        assertThat(java.util.Arrays.copyOf(p.getData(), p.getLength())).containsExactly(notUtf8);
    }

    @Test
    void aReassembledFrameOverMaxFrameSizeIsSkippedAndTheSendersNextFrameArrives() {
        IpcDatagramSocket s = bind("udp4", IpcConfig.builder().maxFrameSize(64).build());
        Flux<Datagram> seen = record(s);
        Flux<Failure> failures = s.failures().replay().autoConnect(0);
        Raw peer = raw("udp4");
        peer.send(s, "{\"type\":\"big\",\"data\":\"" + "x".repeat(40));
        peer.send(s, "x".repeat(40) + "\"}\f{\"type\":\"after\",\"data\":1}\f");

        assertThat(seen.next().block(T).type()).isEqualTo("after");
        Failure f = failures.next().block(T);
        assertThat(f.sender()).isEqualTo(peer.address());
        assertThat(((IpcProtocolException) f.error()).reason()).isEqualTo(Reason.FRAME_TOO_LARGE);
    }

    @Test
    void atMostSixteenSendersHoldPartialFramesTheLeastRecentlyHeardOneIsDiscarded() throws Exception {
        IpcDatagramSocket s = bind4();
        Flux<Datagram> seen = record(s);
        Flux<Failure> failures = s.failures().replay().autoConnect(0);
        List<Raw> senders = IntStream.rangeClosed(0, IpcDatagramSocket.MAX_PARTIAL_SENDERS)
                .mapToObj(i -> raw("udp4")).toList();
        senders.forEach(r -> r.send(s, "{\"type\":\"half\",\"data\":"));

        // the 17th partial frame pushed out the first sender's, which is reported and told
        Failure f = failures.next().block(T);
        assertThat(f.sender()).isEqualTo(senders.get(0).address());
        assertThat(((IpcProtocolException) f.error()).reason()).isEqualTo(Reason.TRUNCATED_FRAME);
        assertThat(senders.get(0).receiveFrame().get("data").get("reason").asString()).isEqualTo("TRUNCATED_FRAME");
        senders.get(1).send(s, "2}\f");
        Datagram d = seen.next().block(T);
        assertThat(d.sender()).isEqualTo(senders.get(1).address());
        assertThat(d.data(Integer.class)).isEqualTo(2);
    }

    @Test
    void aPartialFrameIsDiscardedAfterRequestTimeoutAndAPeerForgottenAfterPeerExpiry() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        IpcDatagramSocket s = new UdpTransport(now::get).bind(IpcAddress.udp4("127.0.0.1", 0),
                IpcConfig.builder().requestTimeout(Duration.ofSeconds(30)).build()).block(T);
        open.add(() -> s.disposeNow(T));
        Flux<Datagram> seen = record(s);
        Flux<Failure> failures = s.failures().replay().autoConnect(0);
        Raw slow = raw("udp4");
        Raw other = raw("udp4");
        slow.send(s, "{\"type\":\"late\",\"data\":");
        other.send(s, "{\"type\":\"one\",\"data\":1}\f");
        seen.next().block(T);
        assertThat(s.peers()).containsExactly(slow.address(), other.address());

        now.addAndGet(Duration.ofSeconds(30).toNanos());
        other.send(s, "{\"type\":\"two\",\"data\":2}\f");
        Failure f = failures.next().block(T);
        assertThat(f.sender()).isEqualTo(slow.address());
        assertThat(((IpcProtocolException) f.error()).reason()).isEqualTo(Reason.TRUNCATED_FRAME);
        assertThat(slow.receiveFrame().get("data").get("reason").asString()).isEqualTo("TRUNCATED_FRAME");
        // the rest of the late frame now starts nothing: it is a malformed frame of its own
        slow.send(s, "1}\f");
        assertThat(failures.skip(1).next().block(T).error()).hasMessageContaining("MALFORMED_JSON");

        now.addAndGet(IpcDatagramSocket.PEER_EXPIRY.toNanos() - 1);
        assertThat(s.peers()).as("both heard less than 5 minutes ago").hasSize(2);
        other.send(s, "{\"type\":\"three\",\"data\":3}\f");
        seen.skip(2).next().block(T);
        now.addAndGet(1);
        assertThat(s.peers()).as("slow last heard 5 minutes ago").containsExactly(other.address());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"udp4", "udp6"})
    void theLargestDatagramArrivesWholeAndOneByteMoreIsRefusedWithoutHarm(String family) {
        IpcDatagramSocket a = bind(family, QUIET);
        IpcDatagramSocket b = bind(family, QUIET);
        Flux<Datagram> seen = record(b);
        int max = family.equals("udp6") ? IpcDatagramSocket.MAX_UDP6_PAYLOAD : IpcDatagramSocket.MAX_UDP4_PAYLOAD;
        assertThat(a.maxDatagramSize()).isEqualTo(max);
        int overhead = "{\"type\":\"big\",\"data\":\"\"}\f".length();
        String largest = "y".repeat(max - overhead);

        StepVerifier.create(a.emit(b.address(), "big", largest + "y"))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(IpcProtocolException.class).hasMessageContaining(max + " bytes");
                    assertThat(((IpcProtocolException) e).reason()).isEqualTo(Reason.FRAME_TOO_LARGE);
                })
                .verify(T);
        a.emit(b.address(), "big", largest).block(T);

        // Netty's default receive buffer for datagrams (2048 bytes) would cut this one short
        Datagram got = seen.next().block(T);
        assertThat(got.data(String.class)).isEqualTo(largest);
    }

    @Test
    void aMalformedFrameIsReportedAndItsSenderToldWhileEveryoneElseIsServed() throws Exception {
        IpcDatagramSocket s = bind4();
        Flux<Datagram> seen = record(s);
        Flux<Failure> failures = s.failures().replay().autoConnect(0);
        Raw bad = raw("udp4");
        Raw good = raw("udp4");
        bad.send(s, "{\"type\":\"a\",\"data\":oops}\f{\"data\":1}\f{\"type\":\"fine\",\"data\":1}\f");
        good.send(s, "{\"type\":\"other\",\"data\":2}\f");

        List<Datagram> got = seen.take(2).collectList().block(T);
        assertThat(got).extracting(d -> d.type() + "@" + (d.sender().equals(bad.address()) ? "bad" : "good"))
                .containsExactly("fine@bad", "other@good");
        List<Failure> reported = failures.take(2).collectList().block(T);
        assertThat(reported).extracting(Failure::sender).containsOnly(bad.address());
        assertThat(reported).extracting(f -> ((IpcProtocolException) f.error()).reason())
                .containsExactly(Reason.MALFORMED_JSON, Reason.INVALID_MESSAGE);
        JsonNode told = bad.receiveFrame();
        assertThat(told.get("type").asString()).isEqualTo("ipc.error");
        assertThat(told.get("data").get("code").asString()).isEqualTo("E_PROTOCOL");
        assertThat(told.get("data").get("reason").asString()).isEqualTo("MALFORMED_JSON");
        assertThat(bad.receiveFrame().get("data").get("reason").asString()).isEqualTo("INVALID_MESSAGE");
        s.emit(good.address(), "marker", 0).block(T);
        assertThat(good.receiveFrame().get("type").asString()).as("the good sender was told nothing").isEqualTo("marker");
    }

    @Test
    void broadcastGoesToEveryPeerHeardFromAndToNobodyElse() throws Exception {
        IpcDatagramSocket s = bind4();
        Flux<Datagram> seen = record(s);
        List<Raw> heard = List.of(raw("udp4"), raw("udp4"), raw("udp4"));
        Raw silent = raw("udp4");
        heard.forEach(r -> r.send(s, "{\"type\":\"hello\",\"data\":null}\f"));
        seen.take(3).blockLast(T);
        assertThat(s.peers()).containsExactlyInAnyOrderElementsOf(heard.stream().map(Raw::address).toList());

        s.broadcast("news", "to everyone").block(T);
        s.emit(silent.address(), "marker", 0).block(T);

        for (Raw r : heard) {
            assertThat(r.receiveText()).isEqualTo("{\"type\":\"news\",\"data\":\"to everyone\"}\f");
        }
        // sent after the broadcast from the same socket: had the broadcast gone to it, it would have come first
        assertThat(silent.receiveFrame().get("type").asString()).isEqualTo("marker");
    }

    @Test
    void atMostMaxConnectionsPeersAreRememberedTheLeastRecentlyHeardIsForgotten() throws Exception {
        IpcDatagramSocket s = bind("udp4", IpcConfig.builder().maxConnections(2).build());
        Flux<Datagram> seen = record(s);
        Raw one = raw("udp4");
        Raw two = raw("udp4");
        Raw three = raw("udp4");
        for (Raw r : List.of(one, two, three, one)) {
            r.send(s, "{\"type\":\"hello\",\"data\":null}\f");
        }
        seen.take(4).blockLast(T);
        assertThat(s.peers()).containsExactly(three.address(), one.address());

        s.broadcast("news", 1).block(T);
        s.emit(two.address(), "marker", 0).block(T);
        assertThat(one.receiveFrame().get("type").asString()).isEqualTo("news");
        assertThat(three.receiveFrame().get("type").asString()).isEqualTo("news");
        assertThat(two.receiveFrame().get("type").asString()).as("forgotten").isEqualTo("marker");
    }

    @Test
    void broadcastWithNoPeerCompletes() {
        StepVerifier.create(bind4().broadcast("news", 1)).expectComplete().verify(T);
    }

    @Test
    void whenTheBufferIsFullNewMessagesAreDroppedCountedAndReportedOnce() throws Exception {
        IpcDatagramSocket s = bind("udp4", IpcConfig.builder().maxQueuedMessages(8).build());
        Flux<Failure> failures = s.failures().replay().autoConnect(0);
        Raw peer = raw("udp4");
        // nobody reads inbound: 8 are held for the first subscriber, the other 12 are dropped
        for (int i = 0; i < 20; i++) {
            peer.send(s, "{\"type\":\"n\",\"data\":" + i + "}\f");
        }
        peer.send(s, "not json\f"); // its ipc.error answer says the 20 before it were taken in
        assertThat(peer.receiveFrame().get("type").asString()).isEqualTo("ipc.error");

        assertThat(s.dropped()).isEqualTo(12);
        StepVerifier.create(s.inbound().map(d -> d.data(Integer.class)).take(8))
                .expectNext(0, 1, 2, 3, 4, 5, 6, 7)
                .expectComplete()
                .verify(T);
        List<Failure> reported = failures.take(2).collectList().block(T);
        assertThat(reported.get(0).error()).isInstanceOf(IpcOverflowException.class);
        assertThat(reported.get(0).sender()).isEqualTo(peer.address());
        assertThat(reported.get(1).error()).as("the run of 12 drops is one report").isInstanceOf(IpcProtocolException.class);
    }

    @Test
    void aStreamIsSentInOrder() {
        IpcDatagramSocket a = bind4();
        IpcDatagramSocket b = bind4();
        Flux<Datagram> seen = record(b);
        // 100 small datagrams fit in the receiver's socket buffer even if its thread is slow to read
        a.send(b.address(), Flux.range(0, 100).map(i -> Message.of("n", i))).block(T);
        assertThat(seen.take(100).map(d -> d.data(Integer.class)).collectList().block(T))
                .containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
    }

    @Test
    void aStreamStopsAtAMessageTooLargeAfterSendingTheOnesBefore() {
        IpcDatagramSocket a = bind4();
        IpcDatagramSocket b = bind4();
        Flux<Datagram> seen = record(b);
        String tooLarge = "z".repeat(70_000);
        StepVerifier.create(a.send(b.address(), Flux.just(Message.of("n", 1), Message.of("n", tooLarge),
                        Message.of("n", 3))))
                .expectErrorSatisfies(e -> assertThat(((IpcProtocolException) e).reason())
                        .isEqualTo(Reason.FRAME_TOO_LARGE))
                .verify(T);
        a.emit(b.address(), "after", 0).block(T);
        assertThat(seen.take(2).map(Datagram::type).collectList().block(T)).containsExactly("n", "after");
    }

    @Test
    void aUdp4SocketRefusesAnIpv6TargetAndAnUnresolvedOne() {
        IpcDatagramSocket s = bind4();
        assertThatThrownBy(() -> s.emit(new InetSocketAddress("::1", 9), "m", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IPv6");
        assertThatThrownBy(() -> s.emit(InetSocketAddress.createUnresolved("localhost", 9), "m", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved");
    }

    @Test
    void disposingCompletesInboundAndLaterEmitsFail() {
        IpcDatagramSocket s = bind4();
        Flux<Datagram> seen = record(s);
        s.disposeNow(T);
        StepVerifier.create(seen).expectComplete().verify(T);
        StepVerifier.create(s.failures()).expectComplete().verify(T);
        StepVerifier.create(s.emit(new InetSocketAddress("127.0.0.1", 9), "m", 1))
                .expectError(IpcClosedException.class).verify(T);
    }

    @Test
    void aTakenAddressFailsToBindSayingSoAtTheTop() {
        IpcDatagramSocket s = bind4();
        StepVerifier.create(IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", s.address().getPort()), QUIET))
                .expectErrorMatches(e -> e instanceof io.reactiveipc.IpcException && e.getMessage().equals(
                        "cannot bind udp4:127.0.0.1:" + s.address().getPort() + ": address already in use"))
                .verify(T);
    }

    @Test
    void nodeIpcsServeNetWithAUdpTypeBindsASocketThatTheIpcObjectDisposes() {
        io.reactiveipc.Ipc ipc = io.reactiveipc.Ipc.create(QUIET);
        IpcDatagramSocket s = ipc.serveNet("::1", 0, "udp6").block(T);
        assertThat(s.address().getPort()).isPositive();
        assertThat(s.maxDatagramSize()).isEqualTo(IpcDatagramSocket.MAX_UDP6_PAYLOAD);
        ipc.dispose();
        StepVerifier.create(s.onDispose()).expectComplete().verify(T);
        assertThatThrownBy(() -> ipc.serveNet("127.0.0.1", 0, "udp5")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aServerOrClientOnAUdpAddressIsRefusedWithTheWayToBindIt() {
        StepVerifier.create(io.reactiveipc.IpcServer.bind(IpcAddress.udp4("127.0.0.1", 0), QUIET))
                .expectErrorMatches(e -> e.getMessage().contains("IpcDatagramSocket.bind"))
                .verify(T);
    }

    @Test
    void aHostWithoutAnAddressOfTheFamilyFailsToBind() {
        StepVerifier.create(IpcDatagramSocket.bind(IpcAddress.udp4("::1", 0), QUIET))
                .expectErrorMatches(e -> e.getMessage().contains("has no IPv4 address"))
                .verify(T);
    }

    /** A plain JDK datagram socket on loopback; receives wait at most T (on the test thread, never a loop). */
    static final class Raw implements AutoCloseable {
        final DatagramSocket socket;

        Raw(String family) {
            try {
                socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(
                        family.equals("udp6") ? "::1" : "127.0.0.1"), 0));
                socket.setSoTimeout((int) T.toMillis());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        void send(IpcDatagramSocket to, String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            try {
                socket.send(new DatagramPacket(bytes, bytes.length, to.address()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String receiveText() throws IOException {
            DatagramPacket p = new DatagramPacket(new byte[70_000], 70_000);
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("nothing received within " + T, e);
            }
            return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
        }

        /** One datagram holding one frame. */
        JsonNode receiveFrame() throws IOException {
            String text = receiveText();
            assertThat(text).endsWith("\f");
            return JSON.readTree(text.substring(0, text.length() - 1));
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
