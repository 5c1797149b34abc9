package io.reactiveipc.test;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockHound;

/**
 * Installs <a href="https://github.com/reactor/BlockHound">BlockHound</a> in the test JVM before the class's tests
 * run (once per JVM; it stays installed): from then on a blocking call on an event loop or a Reactor non-blocking
 * thread fails with {@code BlockingOperationError}. Opt in per class, or (better, when other classes of the same JVM
 * use Reactor) for every class through JUnit's extension autodetection: installed after Reactor's scheduler threads
 * have started, BlockHound's rewriting of JDK classes has broken those threads' timers
 * ({@code IllegalMonitorStateException} in {@code ScheduledThreadPoolExecutor}); installed before the first test,
 * it cannot:
 *
 * <pre>{@code
 * @ExtendWith({BlockHoundCheck.class, LeakCheck.class})
 * class MyServerTest { ... }
 * }</pre>
 *
 * <p>On JDK 13 and later BlockHound needs the JVM flag {@code -XX:+AllowRedefinitionToAddDeleteMethods} (Surefire:
 * {@code <argLine>}). Without it the class's tests do not run: they fail with an
 * {@link ExtensionConfigurationException} naming the flag, rather than BlockHound's own error.
 */
public final class BlockHoundCheck implements BeforeAllCallback {

    static final String FLAG = "-XX:+AllowRedefinitionToAddDeleteMethods";

    private static volatile boolean installed;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (installed) {
            return;
        }
        String problem = problem(Runtime.version().feature(), BlockHoundCheck::vmOption);
        if (problem != null) {
            throw new ExtensionConfigurationException(problem);
        }
        try {
            BlockHound.install();
        } catch (RuntimeException | LinkageError e) {
            throw new ExtensionConfigurationException("BlockHound could not be installed (" + e
                    + "); on JDK 13+ run the test JVM with " + FLAG, e);
        }
        installed = true;
    }

    /** Why BlockHound cannot install in a JVM of {@code feature} whose VM options {@code option} reads, or null. */
    static @Nullable String problem(int feature, Function<String, @Nullable String> option) {
        if (feature < 13) {
            return null;
        }
        String value = option.apply("AllowRedefinitionToAddDeleteMethods");
        if (value == null || Boolean.parseBoolean(value)) {
            return null; // not a HotSpot JVM: let BlockHound try
        }
        return "BlockHoundCheck needs the JVM flag " + FLAG + " on JDK 13 and later (this is JDK " + feature
                + "): add it to the test JVM's arguments, e.g. Maven Surefire's <argLine>" + FLAG
                + "</argLine> or Gradle's test { jvmArgs '" + FLAG + "' }";
    }

    private static @Nullable String vmOption(String name) {
        try {
            HotSpotDiagnosticMXBean bean = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (bean == null) {
                return null;
            }
            VMOption option = bean.getVMOption(name);
            return option.getValue();
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            return null;
        }
    }
}
