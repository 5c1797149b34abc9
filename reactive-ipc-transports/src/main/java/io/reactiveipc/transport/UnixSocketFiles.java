package io.reactiveipc.transport;

import io.reactiveipc.IpcException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * What happens to the file at a Unix socket path. Blocking file calls: run on a blocking-capable scheduler.
 *
 * <p>node-ipc 10 deletes whatever is at the path before binding, node-ipc 14 deletes any socket there, live or not.
 * We delete only a socket that nobody answers on (left by a dead process). On close, Netty's server channels
 * (epoll and NIO alike, measured) unlink the path they bound, so the file goes away with the server.
 */
final class UnixSocketFiles {

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSocketFiles() {
    }

    /** Makes {@code path} free to bind: creates missing parent directories (owner only), reclaims a stale socket. */
    static void prepare(Path path) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            if (!isSocket(path)) {
                throw new IpcException("cannot listen on " + path + ": it exists and is not a socket;"
                        + " it was left untouched (remove it or choose another path)");
            }
            if (answers(path)) {
                throw new IpcException("cannot listen on " + path + ": a live server is listening there");
            }
            Files.deleteIfExists(path); // stale: its process is gone
        } catch (IOException e) {
            throw new IpcException("cannot prepare " + path + " for listening: " + e, e);
        }
    }

    static boolean isSocket(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & S_IFMT) == S_IFSOCK;
    }

    /** True if a server accepts on {@code path}; false if the socket is dead (connection refused). */
    private static boolean answers(Path path) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            throw new IOException("cannot tell whether a server listens on it: " + e, e);
        }
    }

    /** Applies the configured mode to the socket file just bound. */
    static void secure(Path path, Set<PosixFilePermission> permissions) {
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (IOException e) {
            throw new IpcException("cannot set permissions " + PosixFilePermissions.toString(permissions)
                    + " on " + path + ": " + e, e);
        }
    }
}
