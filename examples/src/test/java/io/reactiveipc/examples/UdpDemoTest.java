package io.reactiveipc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The UDP demo does what README says: answers go to their sender, a broadcast to every peer heard from. */
class UdpDemoTest {

    @Test
    void pingsAreAnsweredToTheirSenderAndTheBroadcastReachesBothPeers() {
        assertThat(UdpDemo.run()).containsExactly("hello: pong a world!", "hello: pong b world!",
                "hello: pong c world!", "hello: news to every peer heard from", "other: news to every peer heard from");
    }
}
