package io.reactiveipc.examples;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import java.time.Duration;

/**
 * node-ipc's basic "hello" client: sends {@code message: "hello"} to the world server and prints the answer.
 * Run: {@code HelloClient unix [path]} or {@code HelloClient tcp [host] [port]}.
 */
public final class HelloClient {

    private HelloClient() {
    }

    /** Connects, says hello, returns the answer. */
    public static String hello(IpcAddress address, String text) {
        // As node-ipc: connectTo("world") names the server; this process's own id (ipc.config.id, announced to the
        // server) is "hello", so the world server sees "hello".
        IpcClient world = IpcClient.connect("world", address, IpcConfig.builder().id("hello").build());
        try {
            return world.on("message")
                    .next()
                    .doOnSubscribe(s -> world.emit("message", text).subscribe())
                    .map(m -> m.data(String.class))
                    .block(Duration.ofSeconds(10));
        } finally {
            world.disposeNow(Duration.ofSeconds(5));
        }
    }

    public static void main(String[] args) {
        IpcAddress address = Args.address(args, "world");
        System.out.println("hello: sending 'hello' to " + address);
        System.out.println("hello: got '" + hello(address, "hello") + "'");
    }
}
