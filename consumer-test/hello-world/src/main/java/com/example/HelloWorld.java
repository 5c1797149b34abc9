package com.example;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcServer;
import java.nio.file.Path;
import java.time.Duration;
import reactor.core.publisher.Mono;

/** README's "Use it in your project" snippet, compiled and run by the build against the installed artifacts. */
public final class HelloWorld {

    public static void main(String[] args) {
        System.out.println(helloWorld(IpcAddress.unix(Path.of(args.length > 0 ? args[0] : "/tmp/app.world"))));
    }

    static String helloWorld(IpcAddress address) {
        Duration timeout = Duration.ofSeconds(10);
        // the "world" server: answers each "message" with its data + " world!"
        IpcServer world = IpcServer.bindNow(address, IpcConfig.defaults(),
                s -> s.handle("message", in -> Mono.just(in.data(String.class) + " world!")), timeout);
        // the "hello" client: connects (and reconnects) in the background
        IpcClient hello = IpcClient.connect("world", address, IpcConfig.builder().id("hello").build());
        try {
            hello.connected().block(timeout);
            return hello.request("message", "hello").block(timeout).data(String.class);   // "hello world!"
        } finally {
            hello.disposeNow(timeout);
            world.disposeNow(timeout);
        }
    }
}
