package io.reactiveipc.examples.webflux;

import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import io.reactiveipc.spring.IpcServerCustomizer;
import java.time.Duration;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A Spring Boot 4 WebFlux application in front of an IPC hub. The hub is an {@link IpcServer} this application binds
 * itself ({@code reactive-ipc.server.address}), so the example runs alone; any node-ipc or Reactive IPC process can
 * connect to the same socket and take part. The web side is an {@link io.reactiveipc.IpcClient} of the hub
 * ({@code reactive-ipc.client.address}), used by {@link NewsController}.
 *
 * <p>The hub: {@code news} from any client goes to every client (the sender too); {@code upper} answers its text in
 * upper case; a ticker broadcasts {@code news} every {@code example.ticker-interval} (2 s; 0 turns it off), so the
 * page has live traffic.
 *
 * <p>Run it: {@code ./mvnw -B -ntp -pl examples/spring-webflux -am package -DskipTests}, then
 * {@code java -cp 'examples/spring-webflux/target/classes:examples/spring-webflux/target/lib/*'
 * io.reactiveipc.examples.webflux.WebfluxApplication}; open http://localhost:8080/.
 */
@SpringBootApplication
public class WebfluxApplication {

    public static void main(String[] args) {
        SpringApplication.run(WebfluxApplication.class, args);
    }

    /** The hub's handlers, registered before it accepts (reactive-ipc-spring applies every customizer). */
    @Bean
    IpcServerCustomizer hub(@Value("${example.ticker-interval:2s}") Duration tick) {
        return server -> {
            server.handle("upper", in -> Mono.just(in.data(String.class).toUpperCase(Locale.ROOT)));
            // relay: one news message in, the same to every client; ends with the server
            server.on("news")
                    .concatMap(in -> server.broadcast(Message.of("news", in.message().data())))
                    .subscribe();
            if (!tick.isZero()) {
                Flux.interval(tick)
                        .onBackpressureDrop()
                        .concatMap(n -> server.broadcast("news", new News("ticker", "tick " + n)))
                        .takeUntilOther(server.onDispose())
                        .subscribe();
            }
        };
    }

    /** What a news message carries. */
    public record News(String from, String text) {
    }
}
