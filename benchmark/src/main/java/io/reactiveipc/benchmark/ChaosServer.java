package io.reactiveipc.benchmark;

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
 * The chaos cells' receiving application, SIGKILLed by {@link AckBench}: it records each message it is handed
 * (sequence number and data) in a memory-mapped file, which survives a SIGKILL of this process and blocks no event
 * loop, and on start tells acknowledged delivery where it stands ({@link Delivery#resume}). The same program as
 * the transports module's {@code AckChaosServer} test fixture. Arguments: {@code unix <path> <file> <capacity>} or
 * {@code tcp <host:port> <file> <capacity>}. Prints {@code ready <records so far>}, then {@code n <count>} every 1,000 records and
 * {@code end <count>} for a message of type {@code end}.
 */
public final class ChaosServer {

    static final int HEADER = 72;
    static final int RECORD = 16;

    private ChaosServer() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        IpcAddress address = args[0].equals("unix") ? IpcAddress.unix(Path.of(args[1]))
                : IpcAddress.tcp(args[1].split(":")[0], Integer.parseInt(args[1].split(":")[1]));
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
        System.out.println("ready " + log.getLong(0));
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
        server.dispose();
    }

    private static void record(MappedByteBuffer log, Message m) {
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
        if ((count + 1) % 1000 == 0) {
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
