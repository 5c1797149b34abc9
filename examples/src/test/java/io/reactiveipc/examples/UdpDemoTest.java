package io.reactiveipc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDatagramSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The UDP demo does what README says: answers go to their sender, a broadcast to every peer heard from. UDP may lose
 * any datagram (it did, on a loaded machine), so the demo asks again until answered; this checks what arrives in
 * the end, never on which attempt.
 */
class UdpDemoTest {

    @Test
    void pingsAreAnsweredToTheirSenderAndTheBroadcastReachesBothPeers() {
        assertThat(UdpDemo.run()).containsExactly("hello: pong a world!", "hello: pong b world!",
                "hello: pong c world!", "other: pong I am here world!", "hello: news to every peer heard from",
                "other: news to every peer heard from");
    }

    @Test
    void aPingWhoseFirstCopiesAreLostIsAskedAgainUntilAnswered() {
        IpcConfig config = IpcConfig.builder().silent(true).build();
        Duration t = Duration.ofSeconds(10);
        IpcDatagramSocket world = IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", 0), config).block(t);
        IpcDatagramSocket hello = IpcDatagramSocket.bind(IpcAddress.udp4("127.0.0.1", 0), config).block(t);
        try {
            // as if the network lost the first two pings: world answers from the third copy on
            AtomicInteger pings = new AtomicInteger();
            world.on("ping").filter(d -> pings.incrementAndGet() > 2)
                    .flatMap(d -> world.emit(d.sender(), "pong", d.data(String.class) + " world!")).subscribe();
            assertThat(UdpDemo.ask(hello, world.address(), "a").block(t)).isEqualTo("a world!");
            assertThat(pings.get()).isGreaterThanOrEqualTo(3);
        } finally {
            world.disposeNow(t);
            hello.disposeNow(t);
        }
    }
}
