package io.reactiveipc.transport;

import io.reactiveipc.Delivery;
import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcServer;
import io.reactiveipc.Message;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A receiving application with durable state, run in its own JVM by {@link AckChaosTest} and by the bench's chaos
 * cell, and SIGKILLed there. Each message it is handed is recorded in a memory-mapped file (stores into the page
 * cache: they survive a SIGKILL of this process, and block no event loop) together with its sequence number; on
 * start it tells acknowledged delivery where it stands ({@link Delivery#resume}), so what the client replays and
 * it already has is dropped: exactly-once across its own crashes.
 *
 * <p>File layout: bytes 0-7 the number of records, 8-71 the sender's session (ASCII, one sender), then 16 bytes a
 * record: the sequence number and the message's data (a long). Arguments: {@code unix <path> <file> <capacity>} or
 * {@code tcp <port> <file> <capacity>}. Prints {@code ready} once bound, then {@code n <count>} every 100 records.
 */
public final class AckChaosServer {

    static final int HEADER = 72;
    static final int RECORD = 16;

    private AckChaosServer() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        IpcAddress address = args[0].equals("unix") ? IpcAddress.unix(Path.of(args[1]))
                : IpcAddress.tcp("127.0.0.1", Integer.parseInt(args[1]));
        int capacity = Integer.parseInt(args[3]);
        MappedByteBuffer log;
        try (FileChannel ch = FileChannel.open(Path.of(args[2]), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            log = ch.map(FileChannel.MapMode.READ_WRITE, 0, HEADER + (long) RECORD * capacity);
        }
        IpcConfig config = IpcConfig.builder().silent(true)
                .delivery(Delivery.ACKNOWLEDGED.resume(session -> session.equals(session(log)) ? lastSeq(log) : 0))
                .build();
        IpcServer server = IpcServer.bindNow(address, config, Duration.ofSeconds(30));
        server.inbound().subscribe(in -> record(log, in.message()));
        System.out.println("ready");
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
        server.dispose();
    }

    /** On the connection's I/O thread, before the ack can be sent: the application's "handled". */
    private static void record(MappedByteBuffer log, Message m) {
        long seq = m.sequence();
        if (seq == 0) {
            return;
        }
        String session = m.session();
        if (!session.equals(session(log))) {
            log.put(8, pad(session));
        }
        int count = (int) log.getLong(0);
        log.putLong(HEADER + RECORD * count, seq);
        log.putLong(HEADER + RECORD * count + 8, m.data(Long.class));
        log.putLong(0, count + 1); // last: a record counts once complete
        if ((count + 1) % 100 == 0) {
            System.out.println("n " + (count + 1));
            System.out.flush();
        }
    }

    static String session(MappedByteBuffer log) {
        byte[] b = new byte[64];
        log.get(8, b);
        return new String(b, StandardCharsets.US_ASCII).trim();
    }

    private static byte[] pad(String s) {
        byte[] b = new byte[64];
        java.util.Arrays.fill(b, (byte) ' ');
        byte[] t = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, b, 0, Math.min(64, t.length));
        return b;
    }

    static long lastSeq(MappedByteBuffer log) {
        int count = (int) log.getLong(0);
        return count == 0 ? 0 : log.getLong(HEADER + RECORD * (count - 1));
    }
}
