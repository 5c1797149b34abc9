package io.reactiveipc.interop;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.test.IpcTestAddresses;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The matrix axes and what both directions share. */
final class Interop {

    static final Duration T = Duration.ofSeconds(30);
    /** A node process is up in well under a second; a peer that is not ready by then is broken. */
    static final Duration START = Duration.ofSeconds(10);

    /**
     * JSON trees equal as JavaScript sees them: numbers by value. JS has one number type, so node-ipc sends
     * {@code -2.5e3} back as {@code -2500}, which Jackson reads as an int, not a double.
     */
    static final java.util.Comparator<com.fasterxml.jackson.databind.JsonNode> JS_NUMBERS = (a, b) -> {
        if (a.equals(b)) {
            return 0;
        }
        if (a.isNumber() && b.isNumber()) {
            return Double.compare(a.asDouble(), b.asDouble());
        }
        return 1;
    };
    static final IpcConfig QUIET = IpcConfig.builder().silent(true).retry(50).build();

    /** A string with everything JSON has to escape or carry: non-ASCII, astral, controls, the delimiter itself. */
    static final String UNICODE = "é✓ 😀 Ωμέγα 漢字 \f form feed \n\r\t \" quote \\ backslash / slash \u0001\u001f"
            + " \u2028\u2029 end";

    private Interop() {
    }

    enum Transport {
        UNIX, TCP;

        IpcAddress address() {
            return this == UNIX ? IpcTestAddresses.unix() : IpcTestAddresses.freeTcpPort();
        }

        String arg() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static String nodeAddress(IpcAddress address) {
        return address instanceof IpcAddress.Unix u ? u.path().toString()
                : ((IpcAddress.Tcp) address).host() + ":" + ((IpcAddress.Tcp) address).port();
    }

    /** node-ipc 14 and 10 over a Unix socket and TCP. */
    static Stream<Arguments> matrix() {
        return Stream.of("14", "10").flatMap(v -> Stream.of(Transport.values()).map(t -> Arguments.of(v, t)));
    }
}
