package io.reactiveipc.benchmark;

import io.reactiveipc.IpcAddress;
import java.nio.file.Path;

/**
 * One process of the benchmark: {@code <ipc|netty> server <unix|tcp|tls> <address>} or
 * {@code <ipc|netty> client <unix|tcp> <address> <throughput|rtt> <count> <warmup>}, or
 * {@code ... fanout <count> <warmup> <clients>}, or {@code ... idle <connections> 0}, or ({@code ipc} only) {@code ... soak <seconds> <sample seconds>}. Prints one
 * JSON line (soak: one per sample, then one). Request/response: {@code <ipc|netty|rsocket> client <unix|tcp>
 * <address> rr-rtt <count> <warmup>} or {@code ... rr <count> <warmup> <in flight>}; {@code rsocket} has only
 * these (and its server). UDP: {@code ipc server udp4 <host:port>}, {@code ipc client udp4 <host:port> udp <count>
 * <warmup>} ({@link UdpWorker}).
 */
public final class Worker {

    /** True in the TLS cells: both implementations wrap TCP in TLS with {@link BenchTls}'s settings. */
    static boolean TLS;

    private Worker() {
    }

    public static void main(String[] args) {
        if (args[2].equals("udp4")) {
            UdpWorker.run(args);
            System.exit(0);
        }
        String impl = args[0];
        String role = args[1];
        IpcAddress address = args[2].equals("unix") ? IpcAddress.unix(Path.of(args[3]))
                : IpcAddress.tcp(args[3].split(":")[0], Integer.parseInt(args[3].split(":")[1]));
        TLS = args[2].equals("tls"); // TCP in mutual TLS, certificates in -Dbench.tls
        boolean ipc = impl.equals("ipc");
        if (impl.equals("rsocket")) {
            rsocket(role, address, args);
        } else if (role.equals("server")) {
            if (ipc) {
                IpcWorker.server(address);
            } else {
                NettyWorker.server(address);
            }
        } else {
            int count = Integer.parseInt(args[5]);
            int warmup = Integer.parseInt(args[6]);
            if (args[4].equals("soak")) {
                IpcWorker.soak(address, count, warmup);
            } else if (args[4].equals("idle")) {
                if (ipc) {
                    IpcWorker.idle(address, count);
                } else {
                    NettyWorker.idle(address, count);
                }
            } else if (args[4].equals("fanout")) {
                int clients = Integer.parseInt(args[7]);
                if (ipc) {
                    IpcWorker.fanout(address, count, warmup, clients);
                } else {
                    NettyWorker.fanout(address, count, warmup, clients);
                }
            } else if (args[4].startsWith("rr")) {
                int inFlight = args.length > 7 ? Integer.parseInt(args[7]) : 1;
                if (ipc) {
                    IpcWorker.rr(address, args[4], count, warmup, inFlight);
                } else {
                    NettyWorker.rr(address, args[4], count, warmup, inFlight);
                }
            } else if (ipc) {
                IpcWorker.client(address, args[4], count, warmup);
            } else {
                NettyWorker.client(address, args[4], count, warmup);
            }
        }
        System.exit(0);
    }

    /** RSocket takes part in the request/response scenarios only. */
    private static void rsocket(String role, IpcAddress address, String[] args) {
        if (role.equals("server")) {
            RSocketWorker.server(address);
        } else {
            RSocketWorker.client(address, args[4], Integer.parseInt(args[5]), Integer.parseInt(args[6]),
                    args.length > 7 ? Integer.parseInt(args[7]) : 1);
        }
    }
}
