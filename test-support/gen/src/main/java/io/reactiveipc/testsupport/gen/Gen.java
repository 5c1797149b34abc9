package io.reactiveipc.testsupport.gen;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Inputs for the property tests, from {@link SplittableRandom}: a fixed base seed and one seed per case, so a failure
 * names the seed that replays it ({@code -Dprops.seed=...} changes the base, {@code -Dprops.cases=...} the count).
 * One class for the property tests of reactive-ipc-api, reactive-ipc-test and reactive-ipc-transports (test scope):
 * this module depends on nothing of ours, so the API's own tests can use it too. Not published.
 */
public final class Gen {

    public static final long BASE_SEED = Long.getLong("props.seed", 0x1bc_2026L);

    /** JSON's punctuation, the delimiters and member names: bytes that make noise nearly a frame. */
    public static final byte[] INTERESTING = "{}[]\":,\\ \f\0\r\ntypedatatopicmessage0123-.eE".getBytes(
            StandardCharsets.ISO_8859_1);

    public final SplittableRandom random;

    public Gen(long seed) {
        this.random = new SplittableRandom(seed);
    }

    public int between(int min, int max) {
        return random.nextInt(min, max + 1);
    }

    public boolean oneIn(int n) {
        return random.nextInt(n) == 0;
    }

    public <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** Any UTF-16: ASCII most often, then controls, any BMP char, pairs outside the BMP, lone surrogates. */
    public String string(int maxLength) {
        int n = between(0, maxLength);
        StringBuilder s = new StringBuilder(n + 1);
        while (s.length() < n) {
            switch (random.nextInt(8)) {
                case 0 -> s.append((char) random.nextInt(0x20));
                case 1 -> s.append((char) random.nextInt(0x10000)); // lone surrogates included
                case 2 -> s.appendCodePoint(random.nextInt(0x10000, 0x110000));
                case 3 -> s.append((char) random.nextInt(0xd800, 0xe000));
                default -> s.append((char) random.nextInt(0x20, 0x7f));
            }
        }
        return s.toString();
    }

    public byte[] bytes(int maxLength) {
        byte[] b = new byte[between(0, maxLength)];
        random.nextBytes(b);
        return b;
    }

    /** Three bytes in four from {@link #INTERESTING}, the rest any byte. */
    public byte[] noise(int maxLength) {
        byte[] b = bytes(maxLength);
        for (int i = 0; i < b.length; i++) {
            if (random.nextInt(4) != 0) {
                b[i] = INTERESTING[random.nextInt(INTERESTING.length)];
            }
        }
        return b;
    }

    /** Where a stream is cut into reads (taken modulo its length by the caller): up to {@code max} positions. */
    public List<Integer> cuts(int max) {
        List<Integer> cuts = new ArrayList<>();
        for (int i = between(0, max); i > 0; i--) {
            cuts.add(random.nextInt(100_000));
        }
        return cuts;
    }

    public static int cases(int byDefault) {
        return Integer.getInteger("props.cases", byDefault);
    }

    /**
     * {@code check} on each edge case, then on {@code n} generated ones; the first failure is shrunk by
     * {@code smaller} (candidates tried in order, the first that still fails is kept) and reported with its seed.
     */
    public static <T> void forAll(List<T> edges, int n, Function<Gen, T> generate, Function<T, List<T>> smaller,
            Consumer<T> check) {
        for (int i = 0; i < edges.size(); i++) {
            run(edges.get(i), "edge case " + i, smaller, check);
        }
        for (int i = 0; i < n; i++) {
            long seed = BASE_SEED + i * 0x9e3779b97f4a7c15L;
            T input = generate.apply(new Gen(seed));
            run(input, "case " + i + " (seed " + seed + "L, base -Dprops.seed=" + BASE_SEED + ")", smaller, check);
        }
    }

    private static <T> void run(T input, String name, Function<T, List<T>> smaller, Consumer<T> check) {
        Throwable failure = failure(input, check);
        if (failure == null) {
            return;
        }
        T least = input;
        for (int steps = 0; steps < 200; steps++) {
            T next = null;
            for (T candidate : smaller.apply(least)) {
                Throwable f = failure(candidate, check);
                if (f != null) {
                    next = candidate;
                    failure = f;
                    break;
                }
            }
            if (next == null) {
                break;
            }
            least = next;
        }
        throw new AssertionError(name + " fails on " + input + (least == input ? "" : "\n  shrunk to " + least)
                + "\n  " + failure.getMessage(), failure);
    }

    private static <T> Throwable failure(T input, Consumer<T> check) {
        try {
            check.accept(input);
            return null;
        } catch (AssertionError | RuntimeException e) {
            return e;
        }
    }

    /** {@code list} without one element, for each element: a simple shrink. */
    public static <E> List<List<E>> withoutOne(List<E> list) {
        List<List<E>> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            List<E> less = new ArrayList<>(list);
            less.remove(i);
            out.add(less);
        }
        return out;
    }

    /** Printable: non-ASCII and controls as backslash-u escapes. */
    public static String show(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.append('"').toString();
    }
}
