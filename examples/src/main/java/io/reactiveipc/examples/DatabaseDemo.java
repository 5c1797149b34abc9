package io.reactiveipc.examples;

import io.reactiveipc.Incoming;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcRemoteException;
import io.reactiveipc.IpcServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * ipcio's "databaseRequest" demo, with delivery: a producer client asks before any server exists (the requests
 * wait in its queue), the server starts later with a handler that answers from a database, and each answer comes
 * back as the result of the producer's {@code request} (ipcio's {@code deliver} to the server). A query the
 * database does not know is answered with an error, and the server goes on answering.
 * Run: {@code DatabaseDemo}.
 */
public final class DatabaseDemo {

    /** What the producer asks for: a row of a table. */
    public record Query(String table, int id) {
        @Override
        public String toString() {
            return table + "/" + id;
        }
    }

    public record User(int id, String name, String role) {
    }

    /** The "database". */
    static final Map<Query, User> DATABASE = Map.of(
            new Query("users", 1), new User(1, "ada", "admin"),
            new Query("users", 2), new User(2, "grace", "dev"),
            new Query("users", 3), new User(3, "linus", "dev"));

    /** What the producer got. */
    public record Outcome(List<User> queued, IpcRemoteException unknown, User afterError) {
    }

    private static final Duration T = Duration.ofSeconds(10);

    private DatabaseDemo() {
    }

    /**
     * The server's handler: "it is enough to return the result". An unknown query is answered with an error whose
     * code the handler chooses; the requester gets it as an {@link IpcRemoteException}.
     */
    static Mono<User> databaseRequest(Incoming in) {
        Query query = in.data(Query.class);
        User row = DATABASE.get(query);
        if (row == null) {
            throw new IpcRemoteException("E_NOT_FOUND", "no row " + query);
        }
        return Mono.just(row);
    }

    /** A request for {@code query}: the answer is the request's result (ipcio's deliver to the server). */
    static Mono<User> ask(IpcClient producer, Query query) {
        return producer.request("databaseRequest", query).map(answer -> answer.data(User.class));
    }

    public static Outcome run(IpcAddress address) throws InterruptedException, ExecutionException, TimeoutException {
        IpcConfig config = IpcConfig.builder().retry(100).silent(true).build();
        IpcClient producer = IpcClient.connect("database", address, config.toBuilder().id("producer").build());
        try {
            List<Query> early = List.of(new Query("users", 1), new Query("users", 2));
            List<CompletableFuture<User>> pending = early.stream().map(q -> ask(producer, q).toFuture()).toList();
            System.out.println("producer: requested " + early + "; no server yet, so the requests wait in its queue");
            producer.events().filter(e -> e instanceof IpcEvent.Disconnected).blockFirst(T);
            System.out.println("producer: its connect attempt failed, as expected");

            System.out.println("server:   starting, with a handler for databaseRequest over " + DATABASE.size()
                    + " rows");
            // The handler is registered before the server accepts: the queued requests find it there.
            IpcServer server = IpcServer.bind(address, config,
                    s -> s.handle("databaseRequest", DatabaseDemo::databaseRequest)).block(T);
            try {

                List<User> queued = new ArrayList<>();
                for (int i = 0; i < early.size(); i++) {
                    User user = pending.get(i).get(T.toSeconds(), TimeUnit.SECONDS);
                    System.out.println("producer: " + early.get(i) + " -> " + user);
                    queued.add(user);
                }

                Query unknown = new Query("users", 99);
                IpcRemoteException error;
                try {
                    User none = ask(producer, unknown).block(T);
                    throw new IllegalStateException(unknown + " was answered with " + none);
                } catch (IpcRemoteException e) {
                    error = e;
                }
                System.out.println("producer: " + unknown + " -> " + error.code() + ": " + error.remoteMessage());

                Query after = new Query("users", 3);
                User user = ask(producer, after).block(T);
                System.out.println("producer: " + after + " -> " + user + " (the server still answers)");
                return new Outcome(queued, error, user);
            } finally {
                server.disposeGracefully(T).block(T.plusSeconds(1)); // what clients wrote before the end is delivered
            }
        } finally {
            producer.disposeNow(T);
        }
    }

    public static void main(String[] args) throws Exception {
        try (TempSocket socket = new TempSocket("database-demo")) {
            run(socket.address());
        }
    }
}
