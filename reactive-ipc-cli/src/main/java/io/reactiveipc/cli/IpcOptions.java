package io.reactiveipc.cli;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.transport.NettyTransport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The options every command shares: node-ipc's config, TLS, and how long to wait. */
final class IpcOptions {

    enum Codec { NODE_IPC, SOCKET_IPC }

    @Option(names = "--id", description = "This process's id (node-ipc's ipc.config.id), announced to our servers. "
            + "Default: reactive-ipc-cli.")
    String id = "reactive-ipc-cli";

    @Option(names = "--raw-buffer", description = "node-ipc's rawBuffer mode: no framing; every read is a message of "
            + "type data whose data is the bytes as a string in --encoding.")
    boolean rawBuffer;

    @Option(names = "--encoding", description = "With --raw-buffer: utf8, ascii, utf16le, base64, hex, latin1. "
            + "Default: utf8.")
    String encoding = "utf8";

    @Option(names = "--delimiter", description = "What ends each JSON frame (node-ipc's delimiter). Default: \\f.")
    @Nullable String delimiter;

    @Option(names = "--codec", description = "node-ipc (default) or socket-ipc (frames {\"topic\",\"message\"} + \\0\\0).")
    Codec codec = Codec.NODE_IPC;

    @Option(names = "--sync", description = "node-ipc's sync mode: one message at a time; a request takes the next "
            + "plain message as its answer (for node-ipc peers that cannot echo a request id).")
    boolean sync;

    @Option(names = "--tls-key", description = "TLS: this end's private key, PKCS#8 PEM (node-ipc's tls.private).")
    @Nullable Path tlsKey;

    @Option(names = "--tls-cert", description = "TLS: this end's certificate chain, PEM (node-ipc's tls.public).")
    @Nullable Path tlsCert;

    @Option(names = "--tls-ca", description = "TLS: trusted CAs, PEM (node-ipc's tls.trustedConnections); repeat "
            + "for several.")
    List<Path> tlsCa = new ArrayList<>();

    @Option(names = "--tls-server-name", description = "TLS client: the name the server's certificate must carry "
            + "(default: the host connected to; localhost over a Unix socket).")
    @Nullable String tlsServerName;

    @Option(names = "--tls", description = "TLS with the JDK's trusted CAs and no key of our own.")
    boolean tls;

    @Option(names = "--timeout", converter = DurationConverter.class, description = "How long the command may take "
            + "(5s, 500ms, 2m). send/request/bench: default 30s, then exit 3. serve/listen/tail: with --count, "
            + "exit 3 if fewer arrived by then; without, how long to run (exit 0). Default for them: no limit.")
    @Nullable Duration timeout;

    @Option(names = "--connect-timeout", converter = DurationConverter.class, description = "How long to keep "
            + "trying to connect or bind before exit 2. Default: 5s.")
    Duration connectTimeout = Duration.ofSeconds(5);

    @Option(names = "--retry", converter = DurationConverter.class, description = "Between connection attempts "
            + "(node-ipc's retry). Default: 500ms.")
    Duration retry = Duration.ofMillis(500);

    @Option(names = "--max-queued", description = "Messages queued per connection (maxQueuedMessages); a full "
            + "queue fails the send. Default: 8192.")
    int maxQueued = 8192;

    /** Set by {@code send --acknowledged}. */
    boolean acknowledged;

    @Option(names = "--lenient", description = "Skip a frame that breaks the protocol (malformed JSON, no string "
            + "type, too long) and read on, instead of telling the peer and closing its connection (the default). "
            + "Either way it is logged with -v.")
    boolean lenient;

    @Option(names = {"-v", "--verbose"}, description = "The library's log on stderr (silent otherwise).")
    boolean verbose;

    @Mixin
    PeerLimitOptions limits = new PeerLimitOptions();

    IpcConfig config() {
        IpcConfig.Builder b = IpcConfig.builder().id(id).silent(!verbose).retry(retry).sync(sync)
                .maxQueuedMessages(maxQueued).peerLimits(limits::applyTo);
        if (lenient) {
            b.onProtocolError(IpcConfig.OnProtocolError.SKIP);
        }
        if (acknowledged) {
            b.delivery(Delivery.ACKNOWLEDGED);
        }
        if (codec == Codec.SOCKET_IPC) {
            b.codec(IpcCodec.socketIpc());
        }
        if (rawBuffer) {
            b.rawBuffer(true).encoding(encoding);
        }
        if (delimiter != null) {
            b.delimiter(unescape(delimiter));
        }
        return b.build();
    }

    /** A TLS transport when any TLS option is given, else null (the default transport). */
    @Nullable NettyTransport transport() {
        if (!tls && tlsKey == null && tlsCert == null && tlsCa.isEmpty()) {
            return null;
        }
        return NettyTransport.builder().tls(t -> {
            if (tlsKey != null) {
                t.privateKey(tlsKey);
            }
            if (tlsCert != null) {
                t.publicCert(tlsCert);
            }
            if (!tlsCa.isEmpty()) {
                t.trustedConnections(tlsCa.toArray(Path[]::new));
            }
            if (tlsServerName != null) {
                t.serverName(tlsServerName);
            }
        }).build();
    }

    IpcAddress address(String text) {
        try {
            return Addresses.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IpcCli.CliExit(IpcCli.USAGE, e.getMessage());
        }
    }

    /**
     * Connects a client and waits, in this thread, until it is connected. Not connected within --connect-timeout:
     * exit 2 with the last reason an attempt failed.
     */
    IpcClient connect(IpcCli cli, IpcAddress address) {
        IpcClient client = open(cli, address);
        awaitConnected(client, address);
        return client;
    }

    /** A client that connects in the background; subscribe to what it receives, then {@link #awaitConnected}. */
    IpcClient open(IpcCli cli, IpcAddress address) {
        IpcConfig config = config();
        NettyTransport transport = transport();
        IpcClient client = transport == null ? IpcClient.connect(address.toString(), address, config)
                : IpcClient.connect(transport, address.toString(), address, config);
        cli.open.add(client);
        return client;
    }

    /** Waits in this thread for {@code client}'s first connection; none within --connect-timeout: exit 2. */
    void awaitConnected(IpcClient client, IpcAddress address) {
        List<IpcEvent> seen = client.events()
                .takeUntil(e -> e instanceof IpcEvent.Connected || e instanceof IpcEvent.Destroyed)
                .take(connectTimeout)
                .collectList()
                .block();
        if (seen != null && !seen.isEmpty() && seen.get(seen.size() - 1) instanceof IpcEvent.Connected) {
            return;
        }
        client.dispose();
        String why = "nothing answered within " + connectTimeout.toMillis() + " ms";
        for (IpcEvent e : seen == null ? List.<IpcEvent>of() : seen) {
            if (e instanceof IpcEvent.Failure f) {
                why = String.valueOf(f.error().getMessage());
            } else if (e instanceof IpcEvent.Disconnected d && d.cause() != null) {
                why = String.valueOf(d.cause().getMessage());
            }
        }
        throw new IpcCli.CliExit(IpcCli.CONNECTION, why.startsWith("cannot connect to ") ? why
                : "cannot connect to " + address + ": " + why);
    }

    /** Blocks this thread on {@code mono} for at most --connect-timeout; a failure is exit 2. */
    <T> T bound(Mono<T> mono, IpcAddress address) {
        try {
            T value = mono.block(connectTimeout);
            if (value == null) {
                throw new IpcCli.CliExit(IpcCli.CONNECTION, "cannot bind " + address);
            }
            return value;
        } catch (IpcCli.CliExit e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IpcCli.CliExit(IpcCli.CONNECTION, "cannot bind " + address + ": " + e.getMessage());
        }
    }

    /** --timeout, or {@code otherwise}. */
    Duration timeoutOr(Duration otherwise) {
        return timeout != null ? timeout : otherwise;
    }

    /**
     * Prints {@code lines} in this (the main) thread, as the library hands them over: at most 256 wait, then the
     * connection is read no faster than stdout takes them. Stops after {@code count} messages (when positive), at
     * --timeout, or when {@code lines} ends.
     *
     * @return the exit code: OK; TIMEOUT if --count was given and not reached by --timeout; CONNECTION if the
     *         lines ended (the peer went away) before --count
     */
    int print(Flux<Printed> lines, long count, PrintWriter out, PrintWriter err) {
        AtomicLong printed = new AtomicLong();
        AtomicBoolean timedOut = new AtomicBoolean();
        Flux<Printed> f = count > 0
                ? lines.takeUntil(p -> !p.error() && printed.incrementAndGet() >= count)
                : lines.doOnNext(p -> printed.incrementAndGet());
        if (timeout != null) {
            f = f.takeUntilOther(Mono.delay(timeout).doOnNext(x -> timedOut.set(true)));
        }
        long outLines = 0;
        for (Printed p : f.toIterable(256)) {
            if (p.error()) {
                err.println(p.text());
            } else {
                out.println(p.text());
                out.flush();
                outLines++;
            }
        }
        if (count <= 0 || outLines >= count) {
            return IpcCli.OK;
        }
        if (timedOut.get()) {
            err.println("timed out after " + timeout.toMillis() + " ms: " + outLines + " of " + count
                    + " messages arrived");
            return IpcCli.TIMEOUT;
        }
        err.println("the connection ended: " + outLines + " of " + count + " messages arrived");
        return IpcCli.CONNECTION;
    }

    /** {@code \f}, {@code \n}, {@code \r}, {@code \t}, {@code \0} and {@code \\} as the characters they name. */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(switch (n) {
                    case 'f' -> '\f';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case '0' -> '\0';
                    default -> n;
                });
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** 5s, 500ms, 2m, 1h, or ISO-8601 (PT5S). */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                if (v.startsWith("pt")) {
                    return Duration.parse(value);
                }
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                }
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                switch (v.charAt(v.length() - 1)) {
                    case 's':
                        return Duration.ofSeconds(n);
                    case 'm':
                        return Duration.ofMinutes(n);
                    case 'h':
                        return Duration.ofHours(n);
                    default:
                        break;
                }
            } catch (RuntimeException e) {
                // below
            }
            throw new IllegalArgumentException("'" + value + "' is not a duration (5s, 500ms, 2m, PT5S)");
        }
    }
}
