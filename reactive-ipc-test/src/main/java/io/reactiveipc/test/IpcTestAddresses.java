package io.reactiveipc.test;

import io.reactiveipc.IpcAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Fresh addresses for tests. Unix socket paths are kept short: Linux allows 107 bytes. */
public final class IpcTestAddresses {

    private IpcTestAddresses() {
    }

    /** A socket path in a new private directory under the system temp dir (or /tmp if that one is long). */
    public static IpcAddress.Unix unix() {
        return IpcAddress.unix(freshDirectory().resolve("s.sock"));
    }

    /** A new empty directory, owner only, with a short path. */
    public static Path freshDirectory() {
        try {
            String tmp = System.getProperty("java.io.tmpdir");
            Path root = Path.of(tmp.length() > 40 ? "/tmp" : tmp);
            return Files.createTempDirectory(root, "ripc",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * TCP on loopback at a port that is free now, for a server that must come up (again) at a known address.
     * Taken below the ephemeral range: a client retrying against a port in that range can be given that same port
     * by the kernel (TCP self-connect) and hold it.
     */
    public static IpcAddress.Tcp freeTcpPort() {
        java.util.Random random = new java.util.Random();
        for (int i = 0; i < 1000; i++) {
            int port = 20_000 + random.nextInt(12_000);
            try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1,
                    java.net.InetAddress.getLoopbackAddress())) {
                return IpcAddress.tcp("127.0.0.1", s.getLocalPort());
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free TCP port in 20000-31999");
    }

    /** TCP on loopback, port 0: the server picks a free port, {@code IpcServer.address()} tells which. */
    public static IpcAddress.Tcp tcp() {
        return IpcAddress.tcp("127.0.0.1", 0);
    }
}
