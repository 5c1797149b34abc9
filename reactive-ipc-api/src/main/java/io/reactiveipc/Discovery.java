package io.reactiveipc;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** What a server tells a client about itself ({@link IpcClient#discover()}, ipcio's {@code discover}). */
public record Discovery(List<String> handlers, List<String> clients) {
    public Discovery {
        handlers = List.copyOf(requireNonNull(handlers, "handlers"));
        clients = List.copyOf(requireNonNull(clients, "clients"));
    }
}
