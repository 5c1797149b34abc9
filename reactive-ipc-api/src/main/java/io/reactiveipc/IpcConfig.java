package io.reactiveipc;

import static java.util.Objects.requireNonNull;

import io.reactiveipc.codec.IpcCodec;
import io.reactiveipc.spi.IpcEngine;
import io.reactiveipc.spi.IpcMetricsRecorder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

/**
 * Immutable configuration: node-ipc's {@code ipc.config} with node-ipc's defaults, plus the limits a JVM
 * service needs. Build one with {@link #builder()}, change one with {@link #toBuilder()}.
 *
 * <pre>{@code
 * IpcConfig config = IpcConfig.builder()
 *         .id("world")
 *         .retry(Duration.ofMillis(1500))
 *         .maxRetries(10)
 *         .build();
 * }</pre>
 *
 * <table>
 * <caption>Options and defaults</caption>
 * <tr><th>option</th><th>default</th><th>meaning</th></tr>
 * <tr><td>appspace</td><td>{@code "app."}</td><td>prefix of the default socket name</td></tr>
 * <tr><td>socketRoot</td><td>{@code "/tmp/"}</td><td>directory of the default socket (node-ipc 10's default;
 * node-ipc 14 uses a per-user directory, so give both sides an explicit path when talking to it)</td></tr>
 * <tr><td>id</td><td>the host name</td><td>this process's id; the default Unix path is
 * {@code socketRoot + appspace + id}</td></tr>
 * <tr><td>networkHost / networkPort</td><td>{@code 127.0.0.1} / 8000</td><td>TCP defaults</td></tr>
 * <tr><td>encoding</td><td>{@code utf8}</td><td>string encoding in raw buffer mode; framed JSON is always UTF-8</td></tr>
 * <tr><td>rawBuffer</td><td>false</td><td>true: node-ipc's raw buffer mode ({@link IpcCodec#raw(String)}): no
 * framing, no JSON; every read arrives as a message of type {@code data} whose data is the bytes
 * ({@code in.data(byte[].class)}); you send bytes or strings ({@code Message.of("data", bytes)}), the type is not
 * written</td></tr>
 * <tr><td>delimiter</td><td>{@code "\f"}</td><td>what ends each JSON frame: one or more characters</td></tr>
 * <tr><td>sync</td><td>false</td><td>true: node-ipc's synchronous mode, on every connection made with this config
 * (node-ipc has it on clients only). A message that asks something of the peer is written alone; the next one
 * waits until any message arrives from the peer (an answer to a request, a message a handler takes, one for
 * {@code inbound()}), one released per message that arrives. Unlike node-ipc, which waits forever, the wait
 * ends after {@code requestTimeout}: the next message goes, and an {@link IpcEvent.Failure} with an
 * {@link IpcTimeoutException} ("no answer to '<i>type</i>' within <i>n</i> ms; sending the next") is published.
 * Frames that answer rather than ask neither wait nor are waited for: answers to the peer's requests and a
 * handler's replies, stream credits and cancels, the client's {@code ipc.hello}. A
 * {@link IpcConnection#request request} in flight takes the next message that carries no envelope of ours (no
 * {@code "re"}: a plain node-ipc peer does not echo the request id) as its answer, before handlers and
 * {@code inbound()}; so, node-ipc's way, any such message that arrives while a request is in flight answers it.
 * Answers with {@code "re"} are routed as usual. A client's new socket starts with nothing awaited; a message not
 * completely written on the socket that died goes first on the next</td></tr>
 * <tr><td>silent</td><td>false</td><td>true: the library logs nothing (it logs through SLF4J, logger {@code io.reactiveipc})</td></tr>
 * <tr><td>maxConnections</td><td>100</td><td>a server closes connections beyond this at once and publishes
 * {@link IpcEvent.Rejected}</td></tr>
 * <tr><td>retry</td><td>500 ms</td><td>delay between reconnect attempts</td></tr>
 * <tr><td>maxRetries</td><td>unlimited</td><td>consecutive failed reconnect attempts per outage, after the first
 * attempt (so {@code maxRetries(3)} makes 4 attempts, as node-ipc does); the count resets on every successful
 * connect, as in node-ipc</td></tr>
 * <tr><td>stopRetrying</td><td>false</td><td>true (or 0): never reconnect; a number: at most that many reconnect
 * attempts over the client's life</td></tr>
 * <tr><td>reconnect</td><td>none</td><td>a {@link Retry} used instead of retry/maxRetries, for backoff with jitter</td></tr>
 * <tr><td>maxFrameSize</td><td>1 MiB (1,048,576 bytes, as node-ipc 14)</td><td>longest frame read or written,
 * delimiter excluded</td></tr>
 * <tr><td>maxQueuedMessages</td><td>8192</td><td>outbound messages held per connection (for a client, also while
 * disconnected); one more is refused with {@link IpcOverflowException}, nothing is dropped</td></tr>
 * <tr><td>connectTimeout</td><td>10 s</td><td>one connect attempt; a timeout counts as a failed attempt</td></tr>
 * <tr><td>socketPermissions</td><td>{@code rw-------}</td><td>mode of a Unix socket file a server creates</td></tr>
 * <tr><td>createDirectories</td><td>false</td><td>true: a server creates the missing parent directories of its Unix
 * socket path, owner only ({@code rwx------}); false: binding under a directory that does not exist fails with
 * "no such directory". node-ipc 14 creates only its own default socket root; ours, {@code /tmp/}, exists</td></tr>
 * <tr><td>requestTimeout</td><td>30 s (node-ipc 14's {@code messageTimeout})</td><td>how long a
 * {@link IpcConnection#request request} waits for its answer before failing with {@link IpcTimeoutException};
 * in sync mode also how long the next message waits for the answer to the one before</td></tr>
 * <tr><td>maxPendingRequests</td><td>65,536</td><td>requests awaiting an answer per connection; one more fails with
 * {@link IpcOverflowException}</td></tr>
 * <tr><td>handlerConcurrency</td><td>256</td><td>handler calls running at once per connection; while that many
 * run, the connection stops reading (back pressure, nothing dropped). A call ends when its publisher ends, when
 * a Reactive IPC requester cancels or times out (its {@code ipc.cancel}), or when the connection closes (the
 * publisher is cancelled; a single call that had not answered is an {@link IpcEvent.Failure} with an
 * {@link IpcClosedException}). A handler that never ends for a peer that never cancels (node-ipc) keeps its
 * place until the connection closes: bound it with your own {@code timeout(...)}</td></tr>
 * <tr><td>identify</td><td>true</td><td>a client announces {@link #id()} (node-ipc's {@code ipc.config.id}, this
 * process's id; the host name unless set) as its first frame on every socket
 * ({@code {"type":"ipc.hello","data":{"id":...}}}), so the server can route to it by that name: give clients
 * that others should reach an id of their own. node-ipc servers ignore the frame (node-ipc 10 even names the
 * socket after it)</td></tr>
 * <tr><td>codec</td><td>{@link IpcCodec#nodeIpc()}</td><td>how frames become messages and back: node-ipc's JSON
 * frames with the library's Jackson 3 mapper; {@link IpcCodec#nodeIpc(JsonMapper)} binds data with yours</td></tr>
 * <tr><td>allowPeers</td><td>everyone</td><td>a server on a Unix socket admits only peers whose
 * {@link PeerCredentials} (uid, gid, pid, read from the kernel) pass: {@link Builder#allowPeers(int...)} for a list of
 * uids, {@link Builder#allowPeers(Predicate)} for any rule. Others are closed at once, before any byte is read or
 * written, and published as {@link IpcEvent.Rejected} ("peer uid=... gid=... pid=... is not allowed"). Needs the
 * native epoll transport: binding with it over NIO or TCP, where the kernel's answer cannot be read, fails</td></tr>
 * <tr><td>relayPolicy</td><td>{@link RelayPolicy#ALLOW_ALL}</td><td>what a server relays between its clients</td></tr>
 * <tr><td>metrics</td><td>{@link IpcMetricsRecorder#NONE}</td><td>where connections, messages, bytes, queue depth,
 * reconnects, protocol errors and request latency are reported ({@code MicrometerIpcMetrics.recorder(registry)} in
 * {@code reactive-ipc-micrometer}); the default records nothing and costs nothing</td></tr>
 * <tr><td>delivery</td><td>{@link Delivery#PLAIN}</td><td>{@link Delivery#ACKNOWLEDGED}: a client holds each message
 * until the server acknowledges it and replays it after a reconnect (bounded; see {@link Delivery}); a server's
 * setting gives its ack batching and session bounds</td></tr>
 * <tr><td>onProtocolError</td><td>{@link OnProtocolError#CLOSE}</td><td>what a server or client does with a peer
 * that sends a frame breaking the protocol (malformed JSON, no string {@code type}, longer than maxFrameSize): tell
 * it with an error frame and close its socket, or skip the frame and read on. Either way an {@link IpcEvent.Failure}
 * is published and the log gets at most 10 lines per 10 s of bad input per server or client (then counts)</td></tr>
 * <tr><td>peerLimits</td><td>{@link PeerLimits#defaults()}</td><td>time limits and slow peers: incomplete-frame
 * timeout (10 s), server-wide partial-frame budget (32 MiB), write timeout (30 s), broadcast's slow-consumer policy
 * (disconnect), idle timeout (off), eviction of quiet connections at maxConnections (after 5 s)</td></tr>
 * </table>
 */
public final class IpcConfig {

    /** Encodings node-ipc accepts for raw buffer mode. */
    private static final Set<String> NODE_ENCODINGS =
            Set.of("utf8", "utf-8", "ascii", "utf16le", "utf-16le", "ucs2", "ucs-2", "base64", "base64url",
                    "latin1", "binary", "hex");

    private static final IpcConfig DEFAULTS = new Builder().build();

    private final String appspace;
    private final String socketRoot;
    private final String id;
    private final String networkHost;
    private final int networkPort;
    private final String encoding;
    private final boolean rawBuffer;
    private final boolean sync;
    private final boolean silent;
    private final int maxConnections;
    private final Duration retry;
    private final long maxRetries;
    private final long stopRetrying;
    private final @Nullable Retry reconnect;
    private final int maxFrameSize;
    private final int maxQueuedMessages;
    private final Duration connectTimeout;
    private final Set<PosixFilePermission> socketPermissions;
    private final boolean createDirectories;
    private final @Nullable Predicate<PeerCredentials> allowPeers;
    private final Duration requestTimeout;
    private final int maxPendingRequests;
    private final int handlerConcurrency;
    private final boolean identify;
    private final Delivery delivery;
    private final RelayPolicy relayPolicy;
    private final OnProtocolError onProtocolError;
    private final PeerLimits peerLimits;
    private final String delimiter;
    private final IpcMetricsRecorder metrics;
    /** As given to the builder; null: derived from rawBuffer, encoding and delimiter. */
    private final @Nullable IpcCodec explicitCodec;
    private final IpcCodec codec;

    private IpcConfig(Builder b, IpcCodec codec) {
        this.appspace = b.appspace;
        this.socketRoot = b.socketRoot;
        this.id = b.id;
        this.networkHost = b.networkHost;
        this.networkPort = b.networkPort;
        this.encoding = b.encoding;
        this.rawBuffer = b.rawBuffer;
        this.sync = b.sync;
        this.silent = b.silent;
        this.maxConnections = b.maxConnections;
        this.retry = b.retry;
        this.maxRetries = b.maxRetries;
        this.stopRetrying = b.stopRetrying;
        this.reconnect = b.reconnect;
        this.maxFrameSize = b.maxFrameSize;
        this.maxQueuedMessages = b.maxQueuedMessages;
        this.connectTimeout = b.connectTimeout;
        this.socketPermissions = Set.copyOf(b.socketPermissions);
        this.createDirectories = b.createDirectories;
        this.allowPeers = b.allowPeers;
        this.requestTimeout = b.requestTimeout;
        this.maxPendingRequests = b.maxPendingRequests;
        this.handlerConcurrency = b.handlerConcurrency;
        this.identify = b.identify;
        this.delivery = b.delivery;
        this.relayPolicy = b.relayPolicy;
        this.onProtocolError = b.onProtocolError;
        this.peerLimits = b.peerLimits;
        this.delimiter = b.delimiter;
        this.metrics = b.metrics;
        this.explicitCodec = b.codec;
        this.codec = codec;
    }

    /** node-ipc's defaults. */
    public static IpcConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public String appspace() {
        return appspace;
    }

    public String socketRoot() {
        return socketRoot;
    }

    public String id() {
        return id;
    }

    public String networkHost() {
        return networkHost;
    }

    public int networkPort() {
        return networkPort;
    }

    public String encoding() {
        return encoding;
    }

    public boolean rawBuffer() {
        return rawBuffer;
    }

    /** node-ipc's synchronous mode, with {@link #requestTimeout()} as its limit: see the options table above. */
    public boolean sync() {
        return sync;
    }

    public boolean silent() {
        return silent;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public Duration retry() {
        return retry;
    }

    /** Consecutive failed attempts allowed per outage; {@link Long#MAX_VALUE} when unlimited. */
    public long maxRetries() {
        return maxRetries;
    }

    /** Reconnect attempts allowed over the client's life: 0 never, {@link Long#MAX_VALUE} unlimited. */
    public long stopRetrying() {
        return stopRetrying;
    }

    /**
     * The reconnect policy: the {@link Retry} given to {@link Builder#reconnect(Retry)}, else a fixed delay of
     * {@link #retry()} for at most {@link #maxRetries()} consecutive failures. A client signals each successful
     * connect as progress, so {@code transientErrors(true)} specs (like this default) start counting afresh after
     * it. {@link #stopRetrying()} applies on top of either.
     */
    public Retry reconnect() {
        return reconnect != null ? reconnect : Retry.fixedDelay(maxRetries, retry).transientErrors(true);
    }

    public int maxFrameSize() {
        return maxFrameSize;
    }

    public int maxQueuedMessages() {
        return maxQueuedMessages;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Set<PosixFilePermission> socketPermissions() {
        return socketPermissions;
    }

    /** Whether a server creates the missing parent directories of its Unix socket path (default false). */
    public boolean createDirectories() {
        return createDirectories;
    }

    /** Which Unix socket peers a server admits; null: everyone (the default). */
    public @Nullable Predicate<PeerCredentials> allowPeers() {
        return allowPeers;
    }

    /** How long a request waits for its answer; in sync mode, also how long the next message waits for one. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Requests awaiting an answer per connection. */
    public int maxPendingRequests() {
        return maxPendingRequests;
    }

    /** Handler calls running at once per connection. */
    public int handlerConcurrency() {
        return handlerConcurrency;
    }

    /**
     * Whether a client announces its id to the server on every socket: as set, and only with node-ipc's JSON
     * frames (raw buffers and other dialects have no room for the announcement).
     */
    public boolean identify() {
        return identify && IpcEngine.get().announcesId(codec);
    }

    /** How a client's messages are delivered: plain (written is sent) or acknowledged. */
    public Delivery delivery() {
        return delivery;
    }

    /** What a server relays between its clients. */
    public RelayPolicy relayPolicy() {
        return relayPolicy;
    }

    /** What is done with a peer that breaks the protocol; {@link OnProtocolError#CLOSE} unless set. */
    public OnProtocolError onProtocolError() {
        return onProtocolError;
    }

    /** Time limits and slow peers: see {@link PeerLimits}. */
    public PeerLimits peerLimits() {
        return peerLimits;
    }

    /**
     * How frames become messages and back on every connection made with this config: the one given to the
     * builder, else node-ipc's raw buffers ({@link #rawBuffer()}, {@link #encoding()}) or node-ipc's JSON frames
     * with {@link #delimiter()}.
     */
    public IpcCodec codec() {
        return codec;
    }

    /** node-ipc's {@code delimiter}: what ends each JSON frame. */
    public String delimiter() {
        return delimiter;
    }

    /** Where metrics go; {@link IpcMetricsRecorder#NONE} unless set. */
    public IpcMetricsRecorder metrics() {
        return metrics;
    }

    @Override
    public String toString() {
        return "IpcConfig{appspace=" + appspace + ", socketRoot=" + socketRoot + ", id=" + id
                + ", networkHost=" + networkHost + ", networkPort=" + networkPort + ", encoding=" + encoding
                + (sync ? ", sync=true" : "")
                + ", silent=" + silent + ", maxConnections=" + maxConnections + ", retry=" + retry
                + ", maxRetries=" + (maxRetries == Long.MAX_VALUE ? "unlimited" : maxRetries)
                + ", stopRetrying=" + (stopRetrying == Long.MAX_VALUE ? "false" : stopRetrying)
                + (reconnect != null ? ", reconnect=" + reconnect : "")
                + ", maxFrameSize=" + maxFrameSize + ", maxQueuedMessages=" + maxQueuedMessages
                + ", connectTimeout=" + connectTimeout
                + ", socketPermissions=" + PosixFilePermissions.toString(socketPermissions)
                + (createDirectories ? ", createDirectories=true" : "")
                + (allowPeers != null ? ", allowPeers=" + allowPeers : "")
                + ", requestTimeout=" + requestTimeout + ", maxPendingRequests=" + maxPendingRequests
                + ", handlerConcurrency=" + handlerConcurrency + ", identify=" + identify + ", codec=" + codec
                + (metrics != IpcMetricsRecorder.NONE ? ", metrics=" + metrics : "") 
                + (onProtocolError != OnProtocolError.CLOSE ? ", onProtocolError=" + onProtocolError : "")
                + (peerLimits != PeerLimits.DEFAULTS ? ", " + peerLimits : "") + "}";
    }

    /** Host name without a DNS lookup, as node's {@code os.hostname()} (gethostname). */
    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fall through
        }
        return "localhost";
    }

    /**
     * What a server or client does when its peer sends a frame that breaks the protocol ({@link IpcProtocolException}:
     * malformed JSON, a frame without a string {@code type}, a frame longer than {@link #maxFrameSize()}). Both
     * publish the error as an {@link IpcEvent.Failure} of that connection; no other connection notices. Raw buffer
     * mode has no protocol to break (every byte is data). A peer that closes in the middle of a frame
     * ({@code TRUNCATED_FRAME}) is not answered: it is gone.
     *
     * <pre>{@code
     * IpcConfig lenient = IpcConfig.builder().onProtocolError(IpcConfig.OnProtocolError.SKIP).build();
     * }</pre>
     */
    public enum OnProtocolError {
        /**
         * The default: the peer is told, then its socket is closed. Messages decoded before the bad frame are
         * delivered; reading stops at the bad frame, and what the peer sent after it is dropped unread. The answer
         * is one frame in the connection's codec, node-ipc style:
         * {@code {"type":"error","data":{"code":"E_PROTOCOL","reason":"MALFORMED_JSON","message":"..."}}}
         * (socket-ipc: {@code {"topic":"error","message":{...}}}); it goes after the frame being written, and the
         * socket closes once it is flushed, or after 2 s if the peer does not read. A node-ipc peer receives it as
         * its {@code error} event with the data object as argument. A frame longer than the limit is refused as
         * soon as maxFrameSize + 1 bytes of it arrived, and never held past that. A client reconnects afterwards
         * as after any lost connection (its retry policy).
         */
        CLOSE,
        /**
         * node-ipc 10's way: the bad frame is skipped and the connection reads on; the peer is not told. An
         * oversized frame's bytes are skipped, not held, up to its delimiter. A frame that does not finish
         * ({@code FRAME_TIMEOUT}, {@code PARTIAL_FRAME_BUDGET}, see {@link PeerLimits}) is answered and closed as
         * with {@link #CLOSE} all the same: its end may never come, so there is nothing to skip to.
         */
        SKIP
    }

    /** Mutable builder; {@link #build()} checks every value and refuses what is not implemented yet. */
    public static final class Builder {
        private String appspace = "app.";
        private String socketRoot = "/tmp/";
        private String id = HostName.VALUE;
        private String networkHost = "127.0.0.1";
        private int networkPort = 8000;
        private String encoding = "utf8";
        private boolean rawBuffer;
        private boolean sync;
        private boolean silent;
        private int maxConnections = 100;
        private Duration retry = Duration.ofMillis(500);
        private long maxRetries = Long.MAX_VALUE;
        private long stopRetrying = Long.MAX_VALUE;
        private @Nullable Retry reconnect;
        private int maxFrameSize = 1 << 20;
        private int maxQueuedMessages = 8192;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Set<PosixFilePermission> socketPermissions = PosixFilePermissions.fromString("rw-------");
        private boolean createDirectories;
        private @Nullable Predicate<PeerCredentials> allowPeers;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private int maxPendingRequests = 65_536;
        private int handlerConcurrency = 256;
        private boolean identify = true;
        private Delivery delivery = Delivery.PLAIN;
        private RelayPolicy relayPolicy = RelayPolicy.ALLOW_ALL;
        private OnProtocolError onProtocolError = OnProtocolError.CLOSE;
        private PeerLimits peerLimits = PeerLimits.DEFAULTS;
        private @Nullable IpcCodec codec;
        private String delimiter = "\f";
        private IpcMetricsRecorder metrics = IpcMetricsRecorder.NONE;

        private Builder() {
        }

        private Builder(IpcConfig c) {
            appspace = c.appspace;
            socketRoot = c.socketRoot;
            id = c.id;
            networkHost = c.networkHost;
            networkPort = c.networkPort;
            encoding = c.encoding;
            rawBuffer = c.rawBuffer;
            sync = c.sync;
            silent = c.silent;
            maxConnections = c.maxConnections;
            retry = c.retry;
            maxRetries = c.maxRetries;
            stopRetrying = c.stopRetrying;
            reconnect = c.reconnect;
            maxFrameSize = c.maxFrameSize;
            maxQueuedMessages = c.maxQueuedMessages;
            connectTimeout = c.connectTimeout;
            socketPermissions = c.socketPermissions;
            createDirectories = c.createDirectories;
            allowPeers = c.allowPeers;
            requestTimeout = c.requestTimeout;
            maxPendingRequests = c.maxPendingRequests;
            handlerConcurrency = c.handlerConcurrency;
            identify = c.identify;
            metrics = c.metrics;
            delivery = c.delivery;
            codec = c.explicitCodec;
            delimiter = c.delimiter;
            relayPolicy = c.relayPolicy;
            onProtocolError = c.onProtocolError;
            peerLimits = c.peerLimits;
        }

        /** Time limits and slow peers, changed from the current ones: {@code limits -> limits.writeTimeout(...)}. */
        public Builder peerLimits(java.util.function.UnaryOperator<PeerLimits> change) {
            this.peerLimits = requireNonNull(requireNonNull(change, "change").apply(peerLimits), "peerLimits");
            return this;
        }

        /**
         * Reports what happens on connections made with this config to {@code recorder}
         * ({@code MicrometerIpcMetrics.recorder(registry)}); {@link IpcMetricsRecorder#NONE} turns it off again.
         */
        public Builder metrics(IpcMetricsRecorder recorder) {
            this.metrics = requireNonNull(recorder, "recorder");
            return this;
        }

        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requireNonNull(requestTimeout, "requestTimeout");
            return this;
        }

        public Builder maxPendingRequests(int requests) {
            this.maxPendingRequests = requests;
            return this;
        }

        public Builder handlerConcurrency(int calls) {
            this.handlerConcurrency = calls;
            return this;
        }

        /**
         * {@link Delivery#ACKNOWLEDGED} for a client that must lose nothing across reconnects and server crashes
         * (needs node-ipc's JSON frames, {@code identify(true)}, no {@code sync}); default {@link Delivery#PLAIN}.
         */
        public Builder delivery(Delivery delivery) {
            this.delivery = requireNonNull(delivery, "delivery");
            return this;
        }

        public Builder identify(boolean identify) {
            this.identify = identify;
            return this;
        }

        /** What is done with a peer that sends a frame breaking the protocol; see {@link OnProtocolError}. */
        public Builder onProtocolError(OnProtocolError policy) {
            this.onProtocolError = requireNonNull(policy, "policy");
            return this;
        }

        public Builder relayPolicy(RelayPolicy relayPolicy) {
            this.relayPolicy = requireNonNull(relayPolicy, "relayPolicy");
            return this;
        }

        public Builder appspace(String appspace) {
            this.appspace = requireNonNull(appspace, "appspace");
            return this;
        }

        public Builder socketRoot(String socketRoot) {
            this.socketRoot = requireNonNull(socketRoot, "socketRoot");
            return this;
        }

        public Builder id(String id) {
            this.id = requireNonNull(id, "id");
            return this;
        }

        public Builder networkHost(String networkHost) {
            this.networkHost = requireNonNull(networkHost, "networkHost");
            return this;
        }

        public Builder networkPort(int networkPort) {
            this.networkPort = networkPort;
            return this;
        }

        /**
         * How frames become messages: {@link IpcCodec#nodeIpc()} by default; {@link IpcCodec#nodeIpc(JsonMapper)}
         * to bind data with your own mapper (Spring's, say). Replaces rawBuffer, encoding and delimiter, which
         * must then be left at their defaults.
         */
        public Builder codec(IpcCodec codec) {
            this.codec = requireNonNull(codec, "codec");
            return this;
        }

        /**
         * node-ipc's {@code delimiter}, {@code "\f"} by default: one or more characters, written as UTF-8 after
         * every JSON frame. node-ipc 10 reads only one-character delimiters.
         */
        public Builder delimiter(String delimiter) {
            this.delimiter = requireNonNull(delimiter, "delimiter");
            return this;
        }

        public Builder encoding(String encoding) {
            this.encoding = requireNonNull(encoding, "encoding");
            return this;
        }

        public Builder rawBuffer(boolean rawBuffer) {
            this.rawBuffer = rawBuffer;
            return this;
        }

        public Builder sync(boolean sync) {
            this.sync = sync;
            return this;
        }

        public Builder silent(boolean silent) {
            this.silent = silent;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder retry(Duration retry) {
            this.retry = requireNonNull(retry, "retry");
            return this;
        }

        /** node-ipc style: milliseconds. */
        public Builder retry(long millis) {
            return retry(Duration.ofMillis(millis));
        }

        public Builder maxRetries(long maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /** true: never reconnect (same as 0); false: no lifetime limit. */
        public Builder stopRetrying(boolean stop) {
            this.stopRetrying = stop ? 0 : Long.MAX_VALUE;
            return this;
        }

        /** At most {@code attempts} reconnect attempts over the client's life; 0 never reconnects. */
        public Builder stopRetrying(long attempts) {
            this.stopRetrying = attempts;
            return this;
        }

        /** Replace retry/maxRetries with any Reactor {@link Retry}, e.g. {@code Retry.backoff(10, ofMillis(100)).jitter(0.5)}. */
        public Builder reconnect(Retry reconnect) {
            this.reconnect = requireNonNull(reconnect, "reconnect");
            return this;
        }

        public Builder maxFrameSize(int bytes) {
            this.maxFrameSize = bytes;
            return this;
        }

        public Builder maxQueuedMessages(int messages) {
            this.maxQueuedMessages = messages;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        public Builder socketPermissions(Set<PosixFilePermission> permissions) {
            this.socketPermissions = Set.copyOf(requireNonNull(permissions, "permissions"));
            return this;
        }

        /**
         * True: a server creates the missing parent directories of its Unix socket path, owner only. Default
         * false: it fails with "no such directory" instead of guessing that a mistyped path was meant.
         */
        public Builder createDirectories(boolean create) {
            this.createDirectories = create;
            return this;
        }

        /**
         * A server on a Unix socket admits only peers running as one of {@code uids}; others are closed at once
         * and published as {@link IpcEvent.Rejected}. Needs the native epoll transport.
         *
         * <pre>{@code
         * long me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
         * IpcConfig.builder().allowPeers((int) me).build();
         * }</pre>
         */
        public Builder allowPeers(int... uids) {
            int[] allowed = requireNonNull(uids, "uids").clone();
            String text = "uids " + java.util.Arrays.toString(allowed);
            return allowPeers(new Predicate<>() {
                @Override
                public boolean test(PeerCredentials peer) {
                    for (int uid : allowed) {
                        if (peer.uid() == uid) {
                            return true;
                        }
                    }
                    return false;
                }

                @Override
                public String toString() {
                    return text;
                }
            });
        }

        /**
         * A server on a Unix socket admits only peers for which {@code allow} is true. It runs on an I/O thread
         * at each accept: it must not block. One that throws refuses the peer.
         */
        public Builder allowPeers(Predicate<PeerCredentials> allow) {
            this.allowPeers = requireNonNull(allow, "allow");
            return this;
        }

        /** {@code "rw-rw----"} style. */
        public Builder socketPermissions(String permissions) {
            return socketPermissions(PosixFilePermissions.fromString(requireNonNull(permissions, "permissions")));
        }

        /**
         * @throws IllegalArgumentException for a value out of range
         * @throws UnsupportedOperationException for an option whose feature is not implemented yet
         */
        public IpcConfig build() {
            String enc = encoding.toLowerCase(Locale.ROOT);
            if (!NODE_ENCODINGS.contains(enc)) {
                throw new IllegalArgumentException("encoding: unknown encoding '" + encoding + "', node-ipc knows "
                        + NODE_ENCODINGS);
            }
            boolean utf8 = enc.equals("utf8") || enc.equals("utf-8");
            check(utf8 || rawBuffer, "encoding: '" + encoding + "' applies only to raw buffer mode (rawBuffer(true));"
                    + " framed JSON is always UTF-8");
            check(!delimiter.isEmpty(), "delimiter must not be empty (raw buffer mode has none: rawBuffer(true))");
            check(codec == null || (!rawBuffer && utf8 && delimiter.equals("\f")),
                    "codec replaces rawBuffer, encoding and delimiter: set one or the others");
            check(networkPort >= 0 && networkPort <= 65535, "networkPort must be 0-65535, was " + networkPort);
            check(maxConnections > 0, "maxConnections must be positive, was " + maxConnections);
            check(!retry.isNegative(), "retry must not be negative, was " + retry);
            check(maxRetries >= 0, "maxRetries must not be negative, was " + maxRetries);
            check(stopRetrying >= 0, "stopRetrying must not be negative, was " + stopRetrying);
            check(maxFrameSize > 0, "maxFrameSize must be positive, was " + maxFrameSize);
            check(maxQueuedMessages > 0, "maxQueuedMessages must be positive, was " + maxQueuedMessages);
            check(!connectTimeout.isNegative() && !connectTimeout.isZero(), "connectTimeout must be positive");
            check(!requestTimeout.isNegative() && !requestTimeout.isZero(), "requestTimeout must be positive");
            check(maxPendingRequests > 0, "maxPendingRequests must be positive, was " + maxPendingRequests);
            check(handlerConcurrency > 0, "handlerConcurrency must be positive, was " + handlerConcurrency);
            IpcCodec c = codec != null ? codec
                    : rawBuffer ? IpcCodec.raw(encoding)
                    : delimiter.equals("\f") ? IpcCodec.nodeIpc()
                    : IpcCodec.nodeIpc(IpcEngine.get().defaultMapper(), delimiter);
            check(!delivery.isAcknowledged() || (IpcEngine.get().announcesId(c) && identify && !sync),
                    "delivery: acknowledged delivery needs node-ipc's JSON frames, identify(true) and sync(false)");
            return new IpcConfig(this, c);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /** Computed once, on first use of a builder. */
    private static final class HostName {
        static final String VALUE = hostName();
    }
}
