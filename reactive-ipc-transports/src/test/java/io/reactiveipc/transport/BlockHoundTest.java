package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Guards the guard: if BlockHound were not installed in this JVM, every "nothing blocks" claim would be empty. */
class BlockHoundTest {

    @Test
    void blockingOnANonBlockingThreadFails() {
        assertThatThrownBy(() -> Mono.fromCallable(() -> {
            Thread.sleep(1);
            return 1;
        }).subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(5)))
                .hasCauseInstanceOf(reactor.blockhound.BlockingOperationError.class);
    }
}
