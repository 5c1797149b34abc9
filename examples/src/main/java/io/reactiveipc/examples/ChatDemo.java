package io.reactiveipc.examples;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcRemoteException;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.RelayPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;

/**
 * Clients talking to each other through their server: alice, bob and carol send direct messages
 * ({@code emitTo}) and messages to all the others ({@code broadcast}); each message says who sent it
 * ({@link Message#from()}). The server's {@link RelayPolicy} refuses to relay {@code admin.*} messages, and the
 * sender learns it from a Failure event. Run: {@code ChatDemo}.
 */
public final class ChatDemo {

    private static final Duration T = Duration.ofSeconds(10);

    /** Clients may chat, but not order each other about. */
    static final RelayPolicy NO_ADMIN = (from, to, message) -> !message.type().startsWith("admin.");

    private ChatDemo() {
    }

    /** Returns every line it printed, in order. */
    public static List<String> run(IpcAddress address) throws InterruptedException {
        List<String> transcript = new ArrayList<>();
        IpcServer server = IpcServer.bind(address, IpcConfig.builder().silent(true).relayPolicy(NO_ADMIN).build())
                .block(T);
        IpcConfig config = IpcConfig.builder().retry(100).silent(true).build();
        // each client's own id (node-ipc's ipc.config.id) is the name the others reach it by
        IpcClient alice = IpcClient.connect("chat", address, config.toBuilder().id("alice").build());
        IpcClient bob = IpcClient.connect("chat", address, config.toBuilder().id("bob").build());
        IpcClient carol = IpcClient.connect("chat", address, config.toBuilder().id("carol").build());
        try {
            Inbox toAlice = new Inbox("alice", alice, transcript);
            Inbox toBob = new Inbox("bob", bob, transcript);
            Inbox toCarol = new Inbox("carol", carol, transcript);
            for (String id : List.of("alice", "bob", "carol")) {
                server.connection(id).timeout(T).block(); // routable by name once announced
            }
            say(transcript, "server: alice, bob and carol are connected; relaying anything but admin.*");

            alice.emitTo("bob", "chat", "hi bob, lunch at noon?").block(T);
            toBob.next();
            bob.emitTo("alice", "chat", "sure").block(T);
            toAlice.next();

            carol.broadcast("chat", "can I come too?").block(T);
            toAlice.next();
            toBob.next();

            Mono<IpcEvent.Failure> refused = alice.events().ofType(IpcEvent.Failure.class)
                    .filter(f -> "admin.kick".equals(f.type())).next().cache();
            refused.subscribe();
            alice.emitTo("bob", "admin.kick", "carol").block(T);
            IpcEvent.Failure f = refused.block(T);
            IpcRemoteException why = (IpcRemoteException) f.error();
            say(transcript, "alice: failure for '" + f.type() + "': " + why.code() + ": " + why.remoteMessage());

            // bob's next message is this one, not admin.kick; carol's is this one, not her own broadcast
            alice.broadcast("chat", "of course, see you both at noon").block(T);
            toBob.next();
            toCarol.next();

            server.broadcast("chat", "the server closes at six").block(T);
            toAlice.next();
            toBob.next();
            toCarol.next();
            return transcript;
        } finally {
            for (IpcClient c : List.of(alice, bob, carol)) {
                c.disposeGracefully(T).block(T.plusSeconds(1)); // writes what it queues, then says goodbye
            }
            server.disposeGracefully(T).block(T.plusSeconds(1)); // what clients wrote before the end is delivered
        }
    }

    private static void say(List<String> transcript, String line) {
        System.out.println(line);
        transcript.add(line);
    }

    /** What a client receives, taken one at a time by the main thread, so the output has one order. */
    private static final class Inbox {
        private final String name;
        private final List<String> transcript;
        private final Queue<Message> received = new ConcurrentLinkedQueue<>();
        private final Semaphore arrived = new Semaphore(0);

        Inbox(String name, IpcClient client, List<String> transcript) {
            this.name = name;
            this.transcript = transcript;
            client.inbound().subscribe(m -> {
                received.add(m);
                arrived.release();
            });
        }

        /** Waits for the next message and prints it as {@code [from] text}; from() is null for the server's own. */
        void next() throws InterruptedException {
            if (!arrived.tryAcquire(T.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " received nothing in " + T);
            }
            Message m = received.remove();
            String from = m.from() != null ? m.from() : "server";
            String type = m.isType("chat") ? "" : " (" + m.type() + ")";
            say(transcript, name + ": [" + from + "] " + m.data(String.class) + type);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        try (TempSocket socket = new TempSocket("chat-demo")) {
            run(socket.address());
        }
    }
}
