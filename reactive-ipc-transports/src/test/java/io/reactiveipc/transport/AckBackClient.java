package io.reactiveipc.transport;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.Message;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

/**
 * An acknowledging client in its own JVM, SIGKILLed by {@link AckBackTest}: its application takes the first
 * {@code <take>} messages and no more (so what follows stays unacknowledged), printing {@code got <data>} for each.
 * Arguments: {@code unix <path> <take>} or {@code tcp <port> <take>}.
 */
public final class AckBackClient {

    private AckBackClient() {
    }

    public static void main(String[] args) throws InterruptedException {
        IpcAddress address = args[0].equals("unix") ? IpcAddress.unix(Path.of(args[1]))
                : IpcAddress.tcp("127.0.0.1", Integer.parseInt(args[1]));
        long take = Long.parseLong(args[2]);
        IpcClient client = IpcClient.connect("acker", address, IpcConfig.builder().id("acker").silent(true).retry(50)
                .delivery(Delivery.ACKNOWLEDGED).build());
        client.on("m").subscribe(new BaseSubscriber<Message>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.request(take);
            }

            @Override
            protected void hookOnNext(Message m) {
                System.out.println("got " + m.data(String.class));
                System.out.flush();
            }
        });
        new CountDownLatch(1).await(); // until killed
        client.dispose();
    }
}
