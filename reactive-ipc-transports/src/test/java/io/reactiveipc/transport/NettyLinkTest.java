package io.reactiveipc.transport;

import io.netty.channel.embedded.EmbeddedChannel;
import io.reactiveipc.Message;
import io.netty.buffer.ByteBuf;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.spi.OutboundQueue;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.subscriber.TestSubscriber;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A link's end, on an embedded channel: what runs when it closes, and what a pipeline exception does. */
class NettyLinkTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final NettyLink link = new NettyLink(channel, IpcCodec.nodeIpc(), 1, 1024, io.reactiveipc.spi.IpcMetricsRecorder.NONE);

    NettyLinkTest() {
        channel.pipeline().addLast(link);
    }

    @Test
    void theCloseActionRunsBeforeOnCloseCompletes() {
        List<String> order = new ArrayList<>();
        link.whenClosed(() -> order.add("action"));
        link.onClose().subscribe(null, null, () -> order.add("onClose"));
        assertThat(order).isEmpty();
        channel.close();
        assertThat(order).containsExactly("action", "onClose");
    }

    @Test
    void aCloseActionGivenAfterTheCloseRunsAtOnce() {
        channel.close();
        List<String> order = new ArrayList<>();
        link.whenClosed(() -> order.add("action"));
        assertThat(order).containsExactly("action");
    }

    @Test
    void aLinkHasOneCloseAction() {
        link.whenClosed(() -> { });
        assertThatThrownBy(() -> link.whenClosed(() -> { })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theSocketIsReadOnlyWhileTheReceiveHasDemand() {
        assertThat(channel.config().isAutoRead()).as("before receive() is subscribed").isFalse();
        TestSubscriber<Message> ts = TestSubscriber.builder().initialRequest(0).build();
        link.receive(e -> { }).subscribe(ts);
        assertThat(channel.config().isAutoRead()).as("subscribed, no demand").isFalse();
        ts.request(1);
        assertThat(channel.config().isAutoRead()).as("demand").isTrue();
        channel.writeInbound(Message.of("a", 1));
        assertThat(ts.getReceivedOnNext()).hasSize(1);
        assertThat(channel.config().isAutoRead()).as("demand met").isFalse();
    }

    @Test
    void anExceptionThatIsNoIoErrorFailsTheReceiveAndClosesTheChannel() {
        TestSubscriber<Message> ts = TestSubscriber.create();
        link.receive(e -> { }).subscribe(ts);
        channel.pipeline().fireExceptionCaught(new IllegalStateException("decoder bug"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(ts.expectTerminalError()).isInstanceOf(IllegalStateException.class).hasMessage("decoder bug");
    }

    @Test
    void anIoErrorIsTheEndOfTheInputAndClosesTheChannel() {
        TestSubscriber<Message> ts = TestSubscriber.create();
        link.receive(e -> { }).subscribe(ts);
        channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(ts.isTerminatedComplete()).isTrue();
    }

    @Test
    void answersToALongReadLeaveWhileItIsStillBeingRead() {
        OutboundQueue answers = new OutboundQueue(1024, new OutboundQueue.Owner() {
            @Override
            public void outboundCompleted() {
            }

            @Override
            public void outboundErrored(Throwable error) {
            }

            @Override
            public void dropped(Message message, Throwable why) {
                throw new AssertionError(why);
            }
        });
        link.startWriting(answers);
        channel.runPendingTasks();
        List<Integer> sentWhenTheLastArrived = new ArrayList<>();
        link.receive(e -> { }).subscribe(m -> {
            int n = m.data(Integer.class);
            if (n == 200) {
                sentWhenTheLastArrived.add(channel.outboundMessages().size());
            }
            answers.tryEmitNext(Message.of("answer", n));
        });
        Object[] requests = new Object[200]; // one read's worth: EmbeddedChannel reads them all, then completes
        for (int i = 0; i < requests.length; i++) {
            requests[i] = Message.of("ask", i + 1);
        }
        channel.writeInbound(requests);
        // the answers to the first 3 x 64 were on their way before the read was over; the rest once it was
        assertThat(sentWhenTheLastArrived).containsExactly(3 * NettyLink.SEND_DURING_READ_EVERY);
        List<String> sent = new ArrayList<>();
        for (Object frame; (frame = channel.readOutbound()) != null; ) {
            sent.add(((ByteBuf) frame).toString(StandardCharsets.UTF_8));
            ((ByteBuf) frame).release();
        }
        assertThat(sent).hasSize(200);
        assertThat(sent.get(0)).isEqualTo("{\"type\":\"answer\",\"data\":1}\f");
        assertThat(sent.get(199)).isEqualTo("{\"type\":\"answer\",\"data\":200}\f");
    }
}
