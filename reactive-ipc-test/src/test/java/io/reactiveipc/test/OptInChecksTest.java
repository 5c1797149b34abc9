package io.reactiveipc.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.ResourceLeakDetector;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** The two checks a user opts into say which JVM flag is missing, and are quiet when nothing is. */
class OptInChecksTest {

    @Test
    void blockHoundCheckNamesTheMissingFlag() {
        String problem = BlockHoundCheck.problem(17, Map.of("AllowRedefinitionToAddDeleteMethods", "false")::get);

        assertThat(problem).contains("-XX:+AllowRedefinitionToAddDeleteMethods").contains("<argLine>");
    }

    @Test
    void blockHoundCheckIsQuietWhenTheFlagIsSetOrNotNeeded() {
        assertThat(BlockHoundCheck.problem(17, Map.of("AllowRedefinitionToAddDeleteMethods", "true")::get)).isNull();
        assertThat(BlockHoundCheck.problem(11, Map.of("AllowRedefinitionToAddDeleteMethods", "false")::get)).isNull();
        assertThat(BlockHoundCheck.problem(17, name -> null)).isNull(); // not HotSpot: BlockHound decides
    }

    @Test
    void thisBuildOptsIntoBlockHoundForEveryClass() {
        // src/test/resources/META-INF/services registers BlockHoundCheck; nothing in this class asks for it
        assertThatThrownBy(() -> Mono.fromCallable(() -> {
            Thread.sleep(1);
            return 1;
        }).subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(5)))
                .hasCauseInstanceOf(BlockingOperationError.class);
    }

    @Test
    void leakCheckNamesEachMissingProperty() {
        assertThat(LeakCheck.missing(false, ResourceLeakDetector.Level.SIMPLE))
                .isEqualTo("-Dio.netty.leakDetection.level=paranoid"
                        + " -Dio.netty.customResourceLeakDetector=io.reactiveipc.test.LeakRecorder");
        assertThat(LeakCheck.missing(true, ResourceLeakDetector.Level.SIMPLE))
                .isEqualTo("-Dio.netty.leakDetection.level=paranoid");
        assertThat(LeakCheck.missing(false, ResourceLeakDetector.Level.PARANOID))
                .isEqualTo("-Dio.netty.customResourceLeakDetector=io.reactiveipc.test.LeakRecorder");
        assertThat(LeakCheck.missing(true, ResourceLeakDetector.Level.PARANOID)).isNull();
    }
}
