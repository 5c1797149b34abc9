package io.reactiveipc.examples;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import java.nio.file.Path;

/** {@code unix [path]} or {@code tcp [host] [port]}, with node-ipc's defaults. */
final class Args {

    private Args() {
    }

    static IpcAddress address(String[] args, String serverId) {
        String kind = args.length > 0 ? args[0] : "unix";
        IpcConfig defaults = IpcConfig.defaults();
        return switch (kind) {
            case "unix" -> args.length > 1 ? IpcAddress.unix(Path.of(args[1])) : IpcAddress.unix(defaults, serverId);
            case "tcp" -> IpcAddress.tcp(args.length > 1 ? args[1] : defaults.networkHost(),
                    args.length > 2 ? Integer.parseInt(args[2]) : defaults.networkPort());
            default -> throw new IllegalArgumentException("usage: unix [path] | tcp [host] [port]; got " + kind);
        };
    }
}
