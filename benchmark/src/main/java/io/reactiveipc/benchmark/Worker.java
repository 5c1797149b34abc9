package io.reactiveipc.benchmark;

import io.reactiveipc.IpcAddress;
import java.nio.file.Path;

/**
 * One process of the benchmark: {@code <ipc|netty> server <unix|tcp> <address>} or
 * {@code <ipc|netty> client <unix|tcp> <address> <throughput|rtt> <count> <warmup>}, or
 * {@code ... fanout <count> <warmup> <clients>}, or {@code ... idle <connections> 0}, or ({@code ipc} only) {@code ... soak <seconds> <sample seconds>}. Prints one
 * JSON line (soak: one per sample, then one).
 */
public final class Worker {

    private Worker() {
    }

    public static void main(String[] args) {
        String impl = args[0];
        String role = args[1];
        IpcAddress address = args[2].equals("unix") ? IpcAddress.unix(Path.of(args[3]))
                : IpcAddress.tcp(args[3].split(":")[0], Integer.parseInt(args[3].split(":")[1]));
        boolean ipc = impl.equals("ipc");
        if (role.equals("server")) {
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
            } else if (ipc) {
                IpcWorker.client(address, args[4], count, warmup);
            } else {
                NettyWorker.client(address, args[4], count, warmup);
            }
        }
        System.exit(0);
    }
}
