package com.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcServer;
import io.reactiveipc.test.BlockHoundCheck;
import io.reactiveipc.test.IpcExpect;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcFixtures;
import io.reactiveipc.test.LeakCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * A user's tests, run without any JVM flag: the README snippet works, the test kit's fixtures work, and the
 * checks a user did not ask for stay out of the way while the ones asked for name the flag they miss.
 */
class HelloWorldTest {

    @RegisterExtension
    static final IpcExtension ipc = IpcExtension.inJvm();

    @Test
    void theReadmeSnippetSaysHelloWorld(@TempDir Path dir) {
        assertThat(HelloWorld.helloWorld(IpcAddress.unix(dir.resolve("app.world")))).isEqualTo("hello world!");
    }

    @Test
    void theTestKitWorksWithoutFlags(IpcFixtures fx) {
        IpcServer server = fx.server();
        server.handle("message", in -> Mono.just(in.data(String.class) + " world!"));
        IpcClient client = fx.client(server);

        StepVerifier.create(client.request("message", "hello"))
                .expectNextMatches(IpcExpect.message("message", "hello world!"))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void blockHoundCheckNamesTheFlagItMisses() {
        assertThat(failuresOf(UsesBlockHound.class)).singleElement().asString()
                .contains("-XX:+AllowRedefinitionToAddDeleteMethods");
    }

    @Test
    void leakCheckNamesThePropertiesItMisses() {
        assertThat(failuresOf(UsesLeakCheck.class)).singleElement().asString()
                .contains("-Dio.netty.leakDetection.level=paranoid")
                .contains("-Dio.netty.customResourceLeakDetector=io.reactiveipc.test.LeakRecorder");
    }

    private static List<String> failuresOf(Class<?> testClass) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(
                LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(), listener);
        return listener.getSummary().getFailures().stream()
                .map(TestExecutionSummary.Failure::getException)
                .map(Throwable::getMessage)
                .collect(Collectors.toList());
    }

    /** Run only through {@link #failuresOf} (Surefire skips nested classes). */
    @ExtendWith(BlockHoundCheck.class)
    static class UsesBlockHound {
        @Test
        void anything() {
        }
    }

    @ExtendWith(LeakCheck.class)
    static class UsesLeakCheck {
        @Test
        void anything() {
        }
    }
}
