package io.reactiveipc;

/**
 * Who is at the other end of a Unix socket, as the kernel saw it when the socket connected ({@code SO_PEERCRED}):
 * the peer process's user id, group id and process id. Read from {@link IpcConnection#peerCredentials()}; a server
 * can admit only some peers with {@link IpcConfig.Builder#allowPeers(int...)}.
 *
 * <pre>{@code
 * server.connections().subscribe(c -> c.peerCredentials()
 *         .ifPresent(p -> log.info("uid {} pid {} connected", p.uid(), p.pid())));
 * }</pre>
 *
 * Only the native epoll transport can read them; over NIO and TCP there are none.
 *
 * @param uid the peer's effective user id
 * @param gid the peer's effective group id
 * @param pid the peer's process id (of the process that connected; a socket passed on to another process keeps
 *            it)
 */
public record PeerCredentials(int uid, int gid, int pid) {

    @Override
    public String toString() {
        return "uid=" + uid + " gid=" + gid + " pid=" + pid;
    }
}
