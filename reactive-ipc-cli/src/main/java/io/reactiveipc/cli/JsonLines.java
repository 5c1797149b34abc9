package io.reactiveipc.cli;

import io.reactiveipc.IpcConfig;
import io.reactiveipc.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Messages as JSON lines: {@code {"type":...,"data":...}} plus, where it applies, {@code "from"} (who sent it) on
 * stdout and {@code "to"} (where it goes) on stdin. In raw-buffer mode the data is the bytes as a string in the
 * configured encoding (hex, base64, utf8, ...), as node's {@code buffer.toString(encoding)} writes it.
 */
final class JsonLines {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** A message read from stdin, with its {@code "to"} member, if any. */
    record Line(Message message, @Nullable String to) {
    }

    private final IpcConfig config;

    JsonLines(IpcConfig config) {
        this.config = config;
    }

    String write(Message m, @Nullable String from) {
        ObjectNode line = JSON.createObjectNode();
        line.put("type", m.type());
        if (config.rawBuffer()) {
            byte[] bytes = m.data(byte[].class);
            line.put("data", bytes == null ? "" : decode(bytes, config.encoding()));
        } else {
            JsonNode data = m.data();
            if (!data.isMissingNode()) {
                line.set("data", data);
            }
        }
        String sender = from != null ? from : m.from();
        if (sender != null) {
            line.put("from", sender);
        }
        return JSON.writeValueAsString(line);
    }

    /** The data as its JSON text, for {@code tail --data}. */
    String writeData(Message m) {
        if (config.rawBuffer()) {
            byte[] bytes = m.data(byte[].class);
            return JSON.writeValueAsString(bytes == null ? "" : decode(bytes, config.encoding()));
        }
        return JSON.writeValueAsString(m.data().isMissingNode() ? JSON.nullNode() : m.data());
    }

    /**
     * One line to a message.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    Line read(String text) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("not a JSON object; a message is {\"type\":...,\"data\":...}");
        }
        JsonNode type = object.get("type");
        if (type == null || !type.isString()) {
            throw new IllegalArgumentException("no string \"type\"; a message is {\"type\":...,\"data\":...}");
        }
        JsonNode to = object.get("to");
        if (to != null && !to.isString()) {
            throw new IllegalArgumentException("\"to\" is not a string");
        }
        return new Line(message(type.asString(), object.get("data")), to == null ? null : to.asString());
    }

    /** A message of {@code type}; data given on the command line is JSON if it parses, else that string. */
    Message message(String type, @Nullable String data) {
        if (data == null) {
            return config.rawBuffer() ? Message.of(type, "") : Message.of(type);
        }
        JsonNode node;
        try {
            node = JSON.readTree(data);
        } catch (JacksonException notJson) {
            node = JSON.getNodeFactory().stringNode(data);
        }
        return message(type, node.isMissingNode() ? JSON.getNodeFactory().stringNode(data) : node);
    }

    private Message message(String type, @Nullable JsonNode data) {
        if (config.rawBuffer()) {
            // node-ipc writes a string as Buffer.from(s, encoding); the library does the same with a String
            return Message.of(type, data == null ? "" : data.isString() ? data.asString() : JSON.writeValueAsString(data));
        }
        return data == null ? Message.of(type) : Message.of(type, data);
    }

    /**
     * Stdin's lines as messages, read on a bounded-elastic thread (reading blocks) as fast as the subscriber asks.
     * A line that is not a message is reported on {@code reports} (line number and reason), counted in {@code bad}
     * and skipped; blank lines are skipped silently.
     */
    Flux<Line> stdin(InputStream in, Reports reports, AtomicInteger bad) {
        return Flux.<Line, BufferedReader>generate(
                () -> new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)),
                (reader, sink) -> {
                    try {
                        for (;;) {
                            String text = reader.readLine();
                            if (text == null) {
                                sink.complete();
                                return reader;
                            }
                            int number = lineNumber.incrementAndGet();
                            if (text.isBlank()) {
                                continue;
                            }
                            try {
                                sink.next(read(text));
                                return reader;
                            } catch (IllegalArgumentException e) {
                                bad.incrementAndGet();
                                reports.report(("stdin line " + number + " skipped: "
                                        + e.getMessage()));
                            }
                        }
                    } catch (IOException e) {
                        sink.error(new UncheckedIOException("reading stdin", e));
                        return reader;
                    }
                })
                .subscribeOn(Schedulers.boundedElastic());
    }

    private final AtomicInteger lineNumber = new AtomicInteger();

    private static String decode(byte[] bytes, String encoding) {
        switch (encoding.toLowerCase(Locale.ROOT)) {
            case "hex":
                return HexFormat.of().formatHex(bytes);
            case "base64":
                return Base64.getEncoder().encodeToString(bytes);
            default:
                return new String(bytes, charset(encoding));
        }
    }

    private static Charset charset(String encoding) {
        switch (encoding.toLowerCase(Locale.ROOT)) {
            case "ascii":
                return StandardCharsets.US_ASCII;
            case "latin1":
            case "binary":
                return StandardCharsets.ISO_8859_1;
            case "utf16le":
            case "utf-16le":
            case "ucs2":
            case "ucs-2":
                return StandardCharsets.UTF_16LE;
            default:
                return StandardCharsets.UTF_8;
        }
    }
}
