package io.reactiveipc.transport;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcServer;
import io.reactiveipc.internal.Transports;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * A second JVM that binds Unix socket paths when told: {@code BindContender <native:true|false>}. Prints
 * {@code ready}; then for each line {@code bind <path>} binds and prints {@code bound} (and answers {@code ping})
 * or {@code failed <message>}; for each line {@code close} disposes its server, if any, and prints {@code closed};
 * exits when its stdin closes.
 */
public final class BindContender {

    private BindContender() {
    }

    public static void main(String[] args) throws Exception {
        NettyTransport transport = new NettyTransport(Boolean.parseBoolean(args[0]));
        IpcConfig config = IpcConfig.builder().silent(true).build();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        IpcServer server = null;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith("bind ")) {
                try {
                    server = Transports.bindServer(transport, IpcAddress.unix(Path.of(line.substring(5))), config,
                            s -> s.handle("ping", m -> Mono.just("pong from " + ProcessHandle.current().pid())))
                            .block(Duration.ofSeconds(30));
                    System.out.println("bound");
                } catch (RuntimeException e) {
                    System.out.println("failed " + e.getMessage());
                }
            } else if (line.equals("close")) {
                if (server != null) {
                    server.disposeNow(Duration.ofSeconds(10));
                    server = null;
                }
                System.out.println("closed");
            }
            System.out.flush();
        }
        if (server != null) {
            server.disposeNow(Duration.ofSeconds(10));
        }
    }
}
