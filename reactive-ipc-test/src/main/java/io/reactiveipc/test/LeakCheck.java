package io.reactiveipc.test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class if a Netty buffer leaked while it ran (or, rarely, in the class before it: leaks surface at
 * garbage collection). After the class: collect garbage, allocate tracked buffers (Netty looks for leaks when it
 * tracks a new one), and fail with Netty's leak records if any were reported. Opt in per class, or for every class
 * through JUnit's extension autodetection:
 *
 * <pre>{@code
 * @ExtendWith(LeakCheck.class)
 * class MyServerTest { ... }
 * }</pre>
 *
 * <p>It needs Netty's leak detector at its most thorough, with this kit's recorder, set before Netty loads: run the
 * test JVM with {@code -Dio.netty.leakDetection.level=paranoid
 * -Dio.netty.customResourceLeakDetector=io.reactiveipc.test.LeakRecorder}. Without them the class fails after its
 * tests with an {@link ExtensionConfigurationException} naming the missing property, since a check that cannot see
 * leaks would pass for nothing.
 */
public final class LeakCheck implements AfterAllCallback {

    private static final int ROUNDS = 5;

    @Override
    public void afterAll(ExtensionContext context) {
        if (!LeakRecorder.isInstalled()) {
            poke(); // the first tracked buffer creates the detector
        }
        String missing = missing(LeakRecorder.isInstalled(), ResourceLeakDetector.getLevel());
        if (missing != null) {
            throw new ExtensionConfigurationException("LeakCheck cannot see leaks: run the test JVM with "
                    + missing + " (Maven Surefire's <argLine>, Gradle's test { jvmArgs ... })");
        }
        for (int i = 0; i < ROUNDS; i++) {
            System.gc();
            System.runFinalization();
            poke();
        }
        List<String> leaks = LeakRecorder.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer(s) leaked during "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }

    /** The JVM flags the check lacks, or null when it is active. */
    static @Nullable String missing(boolean recorderInstalled, ResourceLeakDetector.Level level) {
        List<String> flags = new ArrayList<>();
        if (level != ResourceLeakDetector.Level.PARANOID) {
            flags.add("-Dio.netty.leakDetection.level=paranoid");
        }
        if (!recorderInstalled) {
            flags.add("-Dio.netty.customResourceLeakDetector=" + LeakRecorder.class.getName());
        }
        return flags.isEmpty() ? null : String.join(" ", flags);
    }

    private static void poke() {
        for (int i = 0; i < 64; i++) {
            ByteBuf a = UnpooledByteBufAllocator.DEFAULT.buffer(1);
            a.release();
            ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(1);
            b.release();
        }
    }
}
