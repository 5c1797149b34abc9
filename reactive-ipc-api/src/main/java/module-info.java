/**
 * Reactive IPC's API and engine. Users see {@code io.reactiveipc} and the codec SPI; transport implementors the
 * {@code spi}. The engine ({@code io.reactiveipc.internal}) is exported only to this project's own modules (the
 * Netty transports, the test kit, the benchmark): on the module path nothing else can reach it. The API never
 * names the engine: its static factories find it as the {@code IpcEngine} service this module provides. (On the class path every public class is reachable, as always;
 * the engine's classes are package-private where no other package needs them.)
 */
module io.reactiveipc {
    requires transitive reactor.core;
    requires transitive org.reactivestreams;
    requires transitive tools.jackson.databind;
    requires static transitive org.jspecify;
    requires org.slf4j;

    exports io.reactiveipc;
    exports io.reactiveipc.codec;
    exports io.reactiveipc.spi;
    exports io.reactiveipc.internal to
            io.reactiveipc.transport,
            io.reactiveipc.test,
            io.reactiveipc.benchmark;

    uses io.reactiveipc.spi.IpcEngine;
    uses io.reactiveipc.spi.IpcTransport;
    uses io.reactiveipc.spi.IpcDatagramTransport;

    provides io.reactiveipc.spi.IpcEngine with io.reactiveipc.internal.DefaultEngine;
}
