package io.reactiveipc.cli;

import io.reactiveipc.IpcAddress;
import java.nio.file.Path;

/** {@code unix:/path}, {@code tcp:host:port}, {@code udp4:host:port}, {@code udp6:[host]:port}. */
final class Addresses {

    static final String FORMS = "unix:/path, tcp:host:port, udp4:host:port or udp6:[host]:port";

    private Addresses() {
    }

    static IpcAddress parse(String text) {
        int colon = text.indexOf(':');
        String scheme = colon < 0 ? "" : text.substring(0, colon);
        String rest = colon < 0 ? "" : text.substring(colon + 1);
        switch (scheme) {
            case "unix":
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException("no path in '" + text + "': expected " + FORMS);
                }
                return IpcAddress.unix(Path.of(rest));
            case "tcp":
                return IpcAddress.tcp(host(text, rest), port(text, rest));
            case "udp4":
                return IpcAddress.udp4(host(text, rest), port(text, rest));
            case "udp6":
                return IpcAddress.udp6(host(text, rest), port(text, rest));
            default:
                throw new IllegalArgumentException("'" + text + "' is not an address: expected " + FORMS);
        }
    }

    private static String host(String text, String rest) {
        int last = rest.lastIndexOf(':');
        if (last <= 0) {
            throw new IllegalArgumentException("no host:port in '" + text + "': expected " + FORMS);
        }
        String host = rest.substring(0, last);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int port(String text, String rest) {
        String port = rest.substring(rest.lastIndexOf(':') + 1);
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + port + "' in '" + text + "' is not a port (0-65535)");
        }
    }
}
