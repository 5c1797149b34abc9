package io.reactiveipc.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the public packages ({@code io.reactiveipc}, {@code .codec}, {@code .spi}) reference in the engine
 * ({@code io.reactiveipc.internal}), read from the compiled classes' constant pools (every class, field and method
 * type a class names). The engine depends on the API and the SPI; a reference back would make a package cycle, and
 * there is none: the static factories reach the engine through {@code spi.IpcEngine}, found by ServiceLoader.
 */
class PackageCycleTest {

    private static final Pattern CLASS_NAME = Pattern.compile("io/reactiveipc/[A-Za-z0-9_/$]+");
    private static final String ENGINE = "io/reactiveipc/internal/";

    @Test
    void thePublicPackagesNeverReachIntoTheEngine() throws IOException {
        Map<String, Set<String>> references = references(Path.of("target/classes"));
        assertThat(references).as("classes read").containsKey("io/reactiveipc/Message")
                .containsKey("io/reactiveipc/internal/DefaultEngine");
        Set<String> back = new TreeSet<>();
        references.forEach((from, tos) -> {
            if (!from.startsWith(ENGINE)) {
                tos.stream().filter(to -> to.startsWith(ENGINE)).forEach(to -> back.add(from + " -> " + to));
            }
        });
        assertThat(back).as("references from the API to the engine (a package cycle)").isEmpty();
    }

    @Test
    void theReaderSeesFieldAndMethodTypesNotOnlyClassConstants() throws IOException {
        // DefaultIpcServer names MessageStream only as a superclass of a nested class, and MessageAccess names
        // MessageParts only as field and parameter types: a reader of class constants alone would miss them
        Map<String, Set<String>> references = references(Path.of("target/classes"));
        assertThat(references.get("io/reactiveipc/internal/MessageAccess")).contains("io/reactiveipc/spi/MessageParts");
        assertThat(references.get("io/reactiveipc/internal/DefaultIpcServer"))
                .contains("io/reactiveipc/spi/MessageStream");
    }

    /** Each class (nested ones folded into their outer class) to the project classes its constant pool names. */
    static Map<String, Set<String>> references(Path root) throws IOException {
        Map<String, Set<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                String name = outer(root.relativize(f).toString().replace('\\', '/').replaceAll("\\.class$", ""));
                if (name.equals("module-info")) {
                    continue;
                }
                Set<String> tos = out.computeIfAbsent(name, k -> new TreeSet<>());
                try (InputStream in = Files.newInputStream(f)) {
                    for (String s : utf8Constants(new DataInputStream(in))) {
                        Matcher m = CLASS_NAME.matcher(s);
                        while (m.find()) {
                            String to = outer(m.group());
                            if (!to.equals(name)) {
                                tos.add(to);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static String outer(String binaryName) {
        int dollar = binaryName.indexOf('$');
        return dollar < 0 ? binaryName : binaryName.substring(0, dollar);
    }

    /** The UTF-8 entries of a class file's constant pool (JVMS 4.4): class names, descriptors, signatures. */
    static Set<String> utf8Constants(DataInputStream in) throws IOException {
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        Set<String> strings = new TreeSet<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> strings.add(in.readUTF());
                case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
                case 15 -> in.skipNBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 5, 6 -> {
                    in.skipNBytes(8);
                    i++; // a long or double takes two slots
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        return strings;
    }
}
