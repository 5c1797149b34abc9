package io.reactiveipc.spring;

import io.reactiveipc.IpcServer;

/**
 * Sets up the auto-configured {@link IpcServer} before it accepts its first connection: register handlers here,
 * so that a client already waiting never meets a server without them. Every bean of this type is applied, in
 * {@link org.springframework.core.Ordered} order.
 *
 * <pre>{@code
 * @Bean
 * IpcServerCustomizer upper() {
 *     return server -> server.handle("upper", in -> Mono.just(in.data(String.class).toUpperCase(Locale.ROOT)));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface IpcServerCustomizer {

    /** Called once, on the thread that binds the server, before it accepts. */
    void customize(IpcServer server);
}
