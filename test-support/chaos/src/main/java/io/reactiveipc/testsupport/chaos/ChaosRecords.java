package io.reactiveipc.testsupport.chaos;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a {@link ChaosServer} recorded, in the order it was handed the messages. */
public final class ChaosRecords {

    /** One message as the server recorded it: its sequence number (0 for a plain message) and its data. */
    public record Entry(long sequence, long data) {
    }

    private ChaosRecords() {
    }

    /** Reads the server's file; call it once no server runs on it. */
    public static List<Entry> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        int count = (int) b.getLong(0);
        List<Entry> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = ChaosServer.HEADER + ChaosServer.RECORD * i;
            records.add(new Entry(b.getLong(at), b.getLong(at + 8)));
        }
        return records;
    }
}
