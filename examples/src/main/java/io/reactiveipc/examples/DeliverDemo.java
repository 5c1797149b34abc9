package io.reactiveipc.examples;

import io.reactiveipc.Discovery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcRemoteException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.examples.DatabaseDemo.Query;
import io.reactiveipc.examples.DatabaseDemo.User;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * ipcio's {@code deliver} between clients: "producer" and "consumer" are clients of one server; the consumer
 * answers {@code databaseRequest}, the producer delivers one to it through the server and gets the answer back,
 * and {@code discover()} shows what the server knows. Run: {@code DeliverDemo}.
 */
public final class DeliverDemo {

    /** What the producer learnt. */
    public record Outcome(Discovery discovery, User answer, IpcRemoteException noClient) {
    }

    private static final Duration T = Duration.ofSeconds(10);

    private DeliverDemo() {
    }

    public static Outcome run(IpcAddress address) {
        IpcConfig config = IpcConfig.builder().retry(100).silent(true).build();
        IpcServer server = IpcServer.bind(address, config).block(T);
        try {
            server.handle("ping", in -> Mono.just("pong"));

            // A client answers requests as a server does; its id (IpcConfig.id, node-ipc's ipc.config.id) is the
            // name others deliver to.
            IpcClient consumer = IpcClient.connect("database", address, config.toBuilder().id("consumer").build());
            consumer.handle("databaseRequest", in -> {
                Query query = in.data(Query.class);
                System.out.println("consumer: databaseRequest " + query + " from " + in.from());
                return Mono.justOrEmpty(DatabaseDemo.DATABASE.get(query));
            });
            IpcClient producer = IpcClient.connect("database", address, config.toBuilder().id("producer").build());
            try {
                // Relaying needs the target to have announced itself to the server: wait for that, not for time.
                server.connection("consumer").timeout(T).block();
                server.connection("producer").timeout(T).block();
                System.out.println("server:   'consumer' and 'producer' are connected");

                Discovery discovery = producer.discover().block(T);
                System.out.println("producer: discover() -> handlers " + discovery.handlers() + ", clients "
                        + discovery.clients());

                Query query = new Query("users", 2);
                Message answer = producer.requestTo("consumer", "databaseRequest", query).block(T);
                User user = answer.data(User.class);
                System.out.println("producer: delivered " + query + " to consumer -> " + user);

                IpcRemoteException noClient;
                try {
                    producer.requestTo("archiver", "databaseRequest", query).block(T);
                    throw new IllegalStateException("'archiver' answered, but nobody of that name is connected");
                } catch (IpcRemoteException e) {
                    noClient = e;
                }
                System.out.println("producer: delivered " + query + " to archiver -> " + noClient.code() + ": "
                        + noClient.remoteMessage());
                return new Outcome(discovery, user, noClient);
            } finally {
                producer.disposeGracefully(T).block(T.plusSeconds(1));   // writes what it queues, then says goodbye
                consumer.disposeGracefully(T).block(T.plusSeconds(1));
            }
        } finally {
            server.disposeGracefully(T).block(T.plusSeconds(1)); // what clients wrote before the end is delivered
        }
    }

    public static void main(String[] args) {
        try (TempSocket socket = new TempSocket("deliver-demo")) {
            run(socket.address());
        }
    }
}
