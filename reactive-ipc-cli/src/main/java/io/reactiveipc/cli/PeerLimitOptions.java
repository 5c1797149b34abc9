package io.reactiveipc.cli;

import io.reactiveipc.PeerLimits;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * {@link PeerLimits} on the command line. The limits every connection has, client or server, are here; the ones
 * only a server has ({@link Server}) are options of {@code serve} alone. Unset, each keeps the library's default.
 */
final class PeerLimitOptions {

    @Option(names = "--frame-timeout", converter = IpcOptions.DurationConverter.class, description = "A frame begun "
            + "and not finished this long (while reading) is refused: the peer gets an error frame with reason "
            + "FRAME_TIMEOUT and its connection is closed. Default: 10s.")
    @Nullable Duration frameTimeout;

    @Option(names = "--write-timeout", converter = IpcOptions.DurationConverter.class, description = "A peer that "
            + "takes no byte this long while bytes wait for it is disconnected; what it was sent fails. "
            + "Default: 30s.")
    @Nullable Duration writeTimeout;

    @Option(names = "--idle-timeout", converter = IpcOptions.DurationConverter.class, description = "Close a "
            + "connection that sent no byte this long. Default: 0s, off (node-ipc has no heartbeat).")
    @Nullable Duration idleTimeout;

    PeerLimits applyTo(PeerLimits limits) {
        PeerLimits l = set(limits, frameTimeout, PeerLimits::frameTimeout, "--frame-timeout");
        l = set(l, writeTimeout, PeerLimits::writeTimeout, "--write-timeout");
        return set(l, idleTimeout, PeerLimits::idleTimeout, "--idle-timeout");
    }

    /** The limits only a server has: {@code serve}'s options. */
    static final class Server {

        @Option(names = "--partial-frame-budget", converter = SizeConverter.class, description = "Bytes of "
                + "unfinished frames all connections may hold together (1048576, 512KiB, 32MiB); the connection "
                + "whose read passes it is refused with PARTIAL_FRAME_BUDGET. Default: 32MiB.")
        @Nullable Long partialFrameBudget;

        @Option(names = "--slow-consumer", description = "What a broadcast does with a client whose queue is full "
                + "(--max-queued): disconnect (default) or skip the message for it.")
        PeerLimits.@Nullable SlowConsumer slowConsumer;

        @Option(names = "--evict-quiet-after", converter = IpcOptions.DurationConverter.class, description = "When "
                + "every connection slot is taken, a newcomer evicts the connection that sent nothing for longest, if "
                + "that is at least this long; otherwise it is refused. Default: 5s.")
        @Nullable Duration evictQuietAfter;

        PeerLimits applyTo(PeerLimits limits) {
            PeerLimits l = set(limits, partialFrameBudget, PeerLimits::partialFrameBudget, "--partial-frame-budget");
            l = set(l, slowConsumer, PeerLimits::slowConsumer, "--slow-consumer");
            return set(l, evictQuietAfter, PeerLimits::evictQuietAfter, "--evict-quiet-after");
        }
    }

    /** The library's refusal of a value, as a usage error naming the option. */
    private static <T> PeerLimits set(PeerLimits limits, @Nullable T value, BiFunction<PeerLimits, T, PeerLimits> with,
            String option) {
        if (value == null) {
            return limits;
        }
        try {
            return with.apply(limits, value);
        } catch (IllegalArgumentException e) {
            throw new IpcCli.CliExit(IpcCli.USAGE, option + ": " + e.getMessage());
        }
    }

    /** Bytes: 1048576, or with B, KiB, MiB, GiB (KB, MB, GB: the same, 1024-based, as Spring's DataSize). */
    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim().toUpperCase(Locale.ROOT);
            int unit = 0;
            while (unit < v.length() && (Character.isDigit(v.charAt(unit)) || v.charAt(unit) == '-')) {
                unit++;
            }
            long shift = switch (v.substring(unit)) {
                case "", "B" -> 0;
                case "K", "KB", "KIB" -> 10;
                case "M", "MB", "MIB" -> 20;
                case "G", "GB", "GIB" -> 30;
                default -> -1;
            };
            try {
                if (shift >= 0 && unit > 0) {
                    return Math.multiplyExact(Long.parseLong(v.substring(0, unit)), 1L << shift);
                }
            } catch (ArithmeticException | NumberFormatException e) {
                // below
            }
            throw new IllegalArgumentException("'" + value + "' is not a size (1048576, 512KiB, 32MiB)");
        }
    }
}
