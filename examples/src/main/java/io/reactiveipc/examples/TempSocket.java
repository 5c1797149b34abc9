package io.reactiveipc.examples;

import io.reactiveipc.IpcAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A Unix socket path in a new private directory under /tmp, which {@link #close()} removes. */
final class TempSocket implements AutoCloseable {

    private final Path dir;
    private final IpcAddress.Unix address;

    TempSocket(String name) {
        try {
            dir = Files.createTempDirectory(Path.of("/tmp"), name + ".");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        address = IpcAddress.unix(dir.resolve("s.sock"));
    }

    IpcAddress.Unix address() {
        return address;
    }

    /** The server removes its socket file on dispose; this removes anything left, then the directory. */
    @Override
    public void close() {
        try {
            // the socket if still there, and the server's <socket>.lock (left after disposeGracefully)
            try (var left = Files.list(dir)) {
                for (java.nio.file.Path p : left.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
