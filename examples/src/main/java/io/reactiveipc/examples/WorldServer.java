package io.reactiveipc.examples;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * node-ipc's basic "world" server: answers each {@code message} with its data + " world!".
 * Run: {@code WorldServer unix [path]} (default /tmp/app.world) or {@code WorldServer tcp [host] [port]}.
 */
public final class WorldServer {

    private WorldServer() {
    }

    /** Binds and starts answering; the caller disposes the server. */
    public static IpcServer start(IpcAddress address) {
        // A handler, not on("message").flatMap(...): a message whose data does not bind is one failed call (an
        // IpcEvent.Failure), and the server keeps answering; the value it returns goes back as a "message".
        // Registered before the server accepts, so no early client finds it without.
        IpcServer server = IpcServer.bind(address, IpcConfig.builder().id("world").build(),
                s -> s.handle("message", in -> {
                    String text = in.data(String.class);
                    System.out.println("world: got '" + text + "' from client " + in.connection().id());
                    return Mono.just(text + " world!");
                }))
                .block(Duration.ofSeconds(10));
        server.events().subscribe(e -> {
            if (e instanceof IpcEvent.Connected c) {
                System.out.println("world: client " + c.connection().id() + " connected");
            } else if (e instanceof IpcEvent.Disconnected d) {
                System.out.println("world: client " + d.connection().id() + " disconnected");
            }
        });
        return server;
    }

    public static void main(String[] args) {
        IpcServer server = start(Args.address(args, "world"));
        System.out.println("world: listening on " + server.address());
        // SIGTERM: stop accepting, answer and deliver what the clients already sent, then close (5 s at most).
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
                server.disposeGracefully(Duration.ofSeconds(5)).block(Duration.ofSeconds(6))));
        server.onDispose().block();
    }
}
