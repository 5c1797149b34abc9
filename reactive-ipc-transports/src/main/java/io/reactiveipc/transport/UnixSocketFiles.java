package io.reactiveipc.transport;

import io.reactiveipc.IpcException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * What happens to the file at a Unix socket path. Blocking file calls: run on a blocking-capable scheduler.
 *
 * <p>node-ipc 10 deletes whatever is at the path before binding, node-ipc 14 deletes any socket there, live or not.
 * We delete only a socket that nobody answers on (left by a dead process). On close, Netty's server channels
 * (epoll and NIO alike, measured) unlink the path they bound, so the file goes away with the server.
 *
 * <p>Checking for a live server, deleting a stale socket and binding happen under an advisory lock (POSIX
 * {@code fcntl}, through {@link FileChannel#lock()}) on a lock file beside the socket, {@code <path>.lock}, held
 * from the check until the bind succeeded or failed (milliseconds). Of servers started at once on one stale path,
 * the first to hold the lock reclaims and binds; each later one finds a live server and fails. Threads of one JVM
 * queue on a semaphore first, since the JVM holds {@code fcntl} locks per process. The lock file is created with
 * the socket's permissions, stays empty and is left in place after close: deleting it would let a server that
 * waits on the old file and one that creates a new file both hold "the" lock. It is harmless and reused by the
 * next server on the path.
 */
final class UnixSocketFiles {

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** One per path being bound in this JVM; removed when nobody uses it. */
    private static final Map<Path, Gate> GATES = new ConcurrentHashMap<>();

    private UnixSocketFiles() {
    }

    /** The lock file of {@code socket}: {@code <socket>.lock}, in the same directory. */
    static Path lockFile(Path socket) {
        return socket.resolveSibling(socket.getFileName() + ".lock");
    }

    /**
     * Takes the path's lock (waiting while another server in this JVM or another process binds there), then makes
     * {@code path} free to bind: reclaims a stale socket; creates missing parent directories (owner only) only if
     * {@code createDirectories}. The caller binds, then {@link Claim#release() releases}.
     *
     * @throws IpcException with the reason first: no such directory, in use by a live server, not a socket
     */
    static Claim claim(Path path, boolean createDirectories, Set<PosixFilePermission> permissions) {
        Path absolute = path.toAbsolutePath().normalize();
        try {
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !isSocket(path)) {
                throw notASocket(path); // before making a lock file beside something that is no socket
            }
        } catch (NoSuchFileException gone) {
            // a server reclaiming it just deleted it: the check under the lock decides
        } catch (IOException e) {
            throw new IpcException("cannot listen on unix:" + path + ": " + reason(e), e);
        }
        Path parent = absolute.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            if (!createDirectories) {
                throw new IpcException("cannot listen on unix:" + path + ": no such directory " + parent
                        + " (it is not created unless IpcConfig.createDirectories(true))");
            }
            try {
                Files.createDirectories(parent,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new IpcException("cannot listen on unix:" + path + ": cannot create directory " + parent
                        + ": " + reason(e), e);
            }
        }
        Gate gate = GATES.compute(absolute, (p, g) -> {
            Gate held = g != null ? g : new Gate();
            held.users++;
            return held;
        });
        gate.permit.acquireUninterruptibly();
        FileChannel channel = null;
        try {
            Set<PosixFilePermission> lockMode = EnumSet.copyOf(permissions);
            lockMode.add(PosixFilePermission.OWNER_READ);
            lockMode.add(PosixFilePermission.OWNER_WRITE);
            Path lockFile = lockFile(absolute);
            try {
                channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(lockMode));
            } catch (IOException e) {
                throw new IpcException("cannot listen on unix:" + path + ": cannot open its lock file " + lockFile
                        + ": " + reason(e), e);
            }
            FileLock lock;
            try {
                lock = channel.lock();
            } catch (IOException e) {
                throw new IpcException("cannot listen on unix:" + path + ": cannot lock " + lockFile + ": "
                        + reason(e), e);
            }
            reclaim(path);
            return new Claim(absolute, gate, channel, lock);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            leave(absolute, gate);
            throw e;
        }
    }

    private static void reclaim(Path path) {
        try {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            if (!isSocket(path)) {
                throw notASocket(path);
            }
            if (answers(path)) {
                throw new IpcException("cannot listen on unix:" + path + ": address in use:"
                        + " a live server is listening there");
            }
            Files.deleteIfExists(path); // stale: its process is gone, and nobody else binds while we hold the lock
        } catch (NoSuchFileException gone) {
            // its server closed (and unlinked it) while we looked: free
        } catch (IOException e) {
            throw new IpcException("cannot listen on unix:" + path + ": " + reason(e), e);
        }
    }

    private static IpcException notASocket(Path path) {
        return new IpcException("cannot listen on unix:" + path + ": it exists and is not a socket;"
                + " it was left untouched (remove it or choose another path)");
    }

    private static void leave(Path absolute, Gate gate) {
        gate.permit.release();
        GATES.computeIfPresent(absolute, (p, g) -> --g.users == 0 ? null : g);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close(); // releases the lock
            } catch (IOException ignored) {
                // nothing held any more either way
            }
        }
    }

    /** The reason of a file error in words: "no such file", "permission denied", else the JDK's message. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String m = e.getMessage();
        return m != null ? m : e.getClass().getSimpleName();
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
            throw new IOException("cannot tell whether a server listens on it: " + reason(e), e);
        }
    }

    /** Releases {@code claim} on a blocking-capable thread (a file call), whatever thread the bind ended on. */
    static Mono<Void> released(Claim claim) {
        return Mono.<Void>fromRunnable(claim::release).subscribeOn(Schedulers.boundedElastic());
    }

    /** Applies the configured mode to the socket file just bound. */
    static void secure(Path path, Set<PosixFilePermission> permissions) {
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (IOException e) {
            throw new IpcException("cannot set permissions " + PosixFilePermissions.toString(permissions)
                    + " on " + path + ": " + reason(e), e);
        }
    }

    /** Threads of this JVM binding one path, one at a time. */
    private static final class Gate {
        final Semaphore permit = new Semaphore(1);
        int users; // guarded by GATES.compute
    }

    /** The lock on a path, held from the check until the bind is done. */
    static final class Claim {
        private final Path absolute;
        private final Gate gate;
        private final FileChannel channel;
        private final FileLock lock;
        private boolean released;

        private Claim(Path absolute, Gate gate, FileChannel channel, FileLock lock) {
            this.absolute = absolute;
            this.gate = gate;
            this.channel = channel;
            this.lock = lock;
        }

        /** Lets the next server on the path check it. Blocking (a file call); idempotent. */
        synchronized void release() {
            if (released) {
                return;
            }
            released = true;
            try {
                lock.release();
            } catch (IOException ignored) {
                // closing the channel releases it too
            }
            closeQuietly(channel);
            leave(absolute, gate);
        }
    }
}
