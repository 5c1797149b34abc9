package io.reactiveipc;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Where a server listens and a client connects. The kind of address picks the transport: a
 * {@link Unix} address is served by the Unix domain socket transport, a {@link Tcp} address by TCP, a
 * {@link Local} address by the in-JVM transport of {@code reactive-ipc-test} (for unit tests: no sockets). A
 * {@link Udp} address is bound by {@link IpcDatagramSocket#bind}: UDP has no servers and clients, only sockets.
 *
 * <pre>{@code
 * IpcAddress local = IpcAddress.unix(Path.of("/tmp/app.world"));
 * IpcAddress net = IpcAddress.tcp("127.0.0.1", 8000);
 * IpcAddress.Udp udp = IpcAddress.udp4("127.0.0.1", 8000);   // node-ipc's serveNet('127.0.0.1', 8000, 'udp4')
 * }</pre>
 */
public sealed interface IpcAddress {

    static Unix unix(Path path) {
        return new Unix(path);
    }

    /** The node-ipc default path for a server named {@code id}: {@code socketRoot + appspace + id}. */
    static Unix unix(IpcConfig config, String id) {
        requireNonNull(config, "config");
        requireNonNull(id, "id");
        return new Unix(Path.of(config.socketRoot() + config.appspace() + id));
    }

    static Tcp tcp(String host, int port) {
        return new Tcp(host, port);
    }

    /** node-ipc's {@code serveNet(host, port, 'udp4')}: an IPv4 UDP socket. Port 0 binds a free port. */
    static Udp udp4(String host, int port) {
        return new Udp(host, port, false);
    }

    /** node-ipc's {@code serveNet(host, port, 'udp6')}: an IPv6 UDP socket. Port 0 binds a free port. */
    static Udp udp6(String host, int port) {
        return new Udp(host, port, true);
    }

    /** A name inside this JVM; needs {@code reactive-ipc-test} on the class path. */
    static Local local(String name) {
        return new Local(name);
    }

    /** A Unix domain socket at a file system path (Linux limits the path to 107 bytes). */
    record Unix(Path path) implements IpcAddress {
        public Unix {
            requireNonNull(path, "path");
        }

        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    /** A server inside this JVM, found by name: the in-JVM transport of {@code reactive-ipc-test}. */
    record Local(String name) implements IpcAddress {
        public Local {
            requireNonNull(name, "name");
        }

        @Override
        public String toString() {
            return "local:" + name;
        }
    }

    /** A TCP host and port. Port 0 binds a free port; {@link IpcServer#address()} tells which. */
    record Tcp(String host, int port) implements IpcAddress {
        public Tcp {
            requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535, was " + port);
            }
        }

        @Override
        public String toString() {
            return "tcp:" + host + ":" + port;
        }
    }

    /**
     * A UDP host and port, IPv4 ({@code udp4}) or IPv6 ({@code udp6}). The host is a literal or a name resolved when
     * the socket is bound, to an address of that family. Port 0 binds a free port;
     * {@link IpcDatagramSocket#address()} tells which.
     */
    record Udp(String host, int port, boolean ipv6) implements IpcAddress {
        public Udp {
            requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535, was " + port);
            }
        }

        /** node-ipc's name for the family: {@code "udp4"} or {@code "udp6"}. */
        public String family() {
            return ipv6 ? "udp6" : "udp4";
        }

        @Override
        public String toString() {
            return family() + ":" + (ipv6 && host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }
}
