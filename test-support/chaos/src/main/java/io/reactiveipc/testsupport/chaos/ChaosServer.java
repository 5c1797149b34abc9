package io.reactiveipc.testsupport.chaos;

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
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * A receiving application with durable state, run in its own JVM ({@link ChaosServerProcess}) by the transports'
 * {@code AckChaosTest} and the benchmark's chaos cells, and SIGKILLed there. Each message it is handed is recorded
 * in a memory-mapped file (stores into the page cache: they survive a SIGKILL of this process, and block no event
 * loop) with its sequence number; on start it tells acknowledged delivery where it stands ({@link Delivery#resume}),
 * so what the client replays and it already has is dropped: exactly-once across its own crashes.
 *
 * <p>File layout ({@link ChaosRecords} reads it): bytes 0-7 the number of records, 8-71 the sender's session (ASCII,
 * one sender), then 16 bytes a record: the sequence number (0 for a plain message) and the message's data (a long).
 * Arguments: {@code unix <path> <file> <capacity> <every>} or {@code tcp <port> <file> <capacity> <every>} (the port
 * on 127.0.0.1). Prints {@code ready <records so far>} once bound, {@code n <count>} every {@code <every>} records,
 * and {@code end <count>} for a message of type {@code end} (not recorded).
 */
public final class ChaosServer {

    static final int HEADER = 72;
    static final int RECORD = 16;

    private ChaosServer() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        IpcAddress address = args[0].equals("unix") ? IpcAddress.unix(Path.of(args[1]))
                : IpcAddress.tcp("127.0.0.1", Integer.parseInt(args[1]));
        int capacity = Integer.parseInt(args[3]);
        int every = Integer.parseInt(args[4]);
        MappedByteBuffer log;
        try (FileChannel ch = FileChannel.open(Path.of(args[2]), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            log = ch.map(FileChannel.MapMode.READ_WRITE, 0, HEADER + (long) RECORD * capacity);
        }
        IpcConfig config = IpcConfig.builder().silent(true)
                .delivery(Delivery.ACKNOWLEDGED.resume(session -> session.equals(session(log)) ? lastSeq(log) : 0))
                .build();
        IpcServer server = IpcServer.bindNow(address, config, Duration.ofSeconds(30));
        server.inbound().subscribe(in -> record(log, in.message(), every));
        System.out.println("ready " + log.getLong(0));
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
        server.dispose();
    }

    /** On the connection's I/O thread, before the ack can be sent: the application's "handled". */
    private static void record(MappedByteBuffer log, Message m, int every) {
        int count = (int) log.getLong(0);
        if (m.isType("end")) {
            System.out.println("end " + count);
            System.out.flush();
            return;
        }
        String session = m.session();
        if (session != null && !session.equals(session(log))) {
            log.put(8, pad(session));
        }
        log.putLong(HEADER + RECORD * count, m.sequence());
        log.putLong(HEADER + RECORD * count + 8, m.data(Long.class));
        log.putLong(0, count + 1); // last: a record counts once complete
        if ((count + 1) % every == 0) {
            System.out.println("n " + (count + 1));
            System.out.flush();
        }
    }

    private static String session(MappedByteBuffer log) {
        byte[] b = new byte[64];
        log.get(8, b);
        return new String(b, StandardCharsets.US_ASCII).trim();
    }

    private static byte[] pad(String s) {
        byte[] b = new byte[64];
        Arrays.fill(b, (byte) ' ');
        byte[] t = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, b, 0, Math.min(64, t.length));
        return b;
    }

    private static long lastSeq(MappedByteBuffer log) {
        int count = (int) log.getLong(0);
        return count == 0 ? 0 : log.getLong(HEADER + RECORD * (count - 1));
    }
}
