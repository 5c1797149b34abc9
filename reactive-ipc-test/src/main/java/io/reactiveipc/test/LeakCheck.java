package io.reactiveipc.test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class if a Netty buffer leaked while it ran (or, rarely, in the class before it: leaks surface at
 * garbage collection). After the class: collect garbage, allocate tracked buffers (Netty looks for leaks when it
 * tracks a new one), and fail with Netty's leak records if any were reported.
 */
public final class LeakCheck implements AfterAllCallback {

    private static final int ROUNDS = 5;

    @Override
    public void afterAll(ExtensionContext context) {
        if (!LeakRecorder.isInstalled()) {
            poke(); // the first tracked buffer creates the detector
        }
        if (!LeakRecorder.isInstalled() || ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new AssertionError("the buffer-leak check is not active: run the test JVM with"
                    + " -Dio.netty.leakDetection.level=paranoid"
                    + " -Dio.netty.customResourceLeakDetector=io.reactiveipc.test.LeakRecorder");
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

    private static void poke() {
        for (int i = 0; i < 64; i++) {
            ByteBuf a = UnpooledByteBufAllocator.DEFAULT.buffer(1);
            a.release();
            ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(1);
            b.release();
        }
    }
}
