package io.reactiveipc.examples;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import java.time.Duration;

/**
 * node-ipc's basic "world" server: answers each {@code message} with its data + " world!".
 * Run: {@code WorldServer unix [path]} (default /tmp/app.world) or {@code WorldServer tcp [host] [port]}.
 */
public final class WorldServer {

    private WorldServer() {
    }

    /** Binds and starts answering; the caller disposes the server. */
    public static IpcServer start(IpcAddress address) {
        IpcServer server = IpcServer.bind(address, IpcConfig.builder().id("world").build())
                .block(Duration.ofSeconds(10));
        server.events().subscribe(e -> {
            if (e instanceof IpcEvent.Connected c) {
                System.out.println("world: client " + c.connection().id() + " connected");
            } else if (e instanceof IpcEvent.Disconnected d) {
                System.out.println("world: client " + d.connection().id() + " disconnected");
            }
        });
        server.on("message")
                .flatMap(in -> {
                    String text = in.message().data(String.class);
                    System.out.println("world: got '" + text + "' from client " + in.connection().id());
                    return in.reply("message", text + " world!");
                })
                .subscribe();
        return server;
    }

    public static void main(String[] args) {
        IpcServer server = start(Args.address(args, "world"));
        System.out.println("world: listening on " + server.address());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.disposeNow(Duration.ofSeconds(5))));
        server.onDispose().block();
    }
}
