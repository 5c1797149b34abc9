package io.reactiveipc.examples;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * ipcio's queue demo: the client emits before any server exists; the server starts later; every message arrives,
 * in order. Run: {@code QueueDemo [socket path]}.
 */
public final class QueueDemo {

    private QueueDemo() {
    }

    /** Returns the messages the server received, in order. */
    public static List<String> run(IpcAddress address, int count) {
        IpcConfig config = IpcConfig.builder().retry(200).silent(true).build();
        IpcClient client = IpcClient.connect("queue-demo", address, config);
        try {
            for (int i = 1; i <= count; i++) {
                client.outbound().emitNext(Message.of("databaseRequest", "request " + i),
                        (signal, result) -> false);
            }
            System.out.println("queue: emitted " + count + " messages, no server yet");
            client.events().filter(e -> e instanceof IpcEvent.Disconnected).blockFirst(Duration.ofSeconds(10));
            System.out.println("queue: the client's connect attempt failed, as expected; starting the server");

            IpcServer server = IpcServer.bind(address, config).block(Duration.ofSeconds(10));
            try {
                return server.on("databaseRequest")
                        .map(in -> in.message().data(String.class))
                        .doOnNext(text -> System.out.println("queue: server received '" + text + "'"))
                        .take(count)
                        .collectList()
                        .block(Duration.ofSeconds(10));
            } finally {
                server.disposeGracefully(Duration.ofSeconds(5)).block(Duration.ofSeconds(6)); // what clients wrote is delivered
            }
        } finally {
            client.disposeNow(Duration.ofSeconds(5));
        }
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            report(run(IpcAddress.unix(Path.of(args[0])), 5));
            return;
        }
        try (TempSocket socket = new TempSocket("queue-demo")) {
            report(run(socket.address(), 5));
        }
    }

    private static void report(List<String> got) {
        System.out.println("queue: all " + got.size() + " arrived, in order: " + got);
    }
}
