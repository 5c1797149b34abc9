package io.reactiveipc.examples;

import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcServer;
import io.reactiveipc.test.IpcExpect;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcFixtures;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The README's "Testing your code" example, kept compiling and passing here. */
class TestingYourCodeTest {

    // README:start
    record Add(int a, int b) {
    }

    /** The code under test: a handler that answers "add" with the sum. */
    static void calculator(IpcServer server) {
        server.handle("add", in -> {
            Add add = in.data(Add.class);
            return Mono.just(add.a() + add.b());
        });
    }

    @RegisterExtension
    static final IpcExtension ipc = IpcExtension.inJvm(); // no sockets; IpcExtension() for Unix sockets

    @Test
    void answersAddWithSum(IpcFixtures fx) {
        IpcServer server = fx.server();
        calculator(server);
        IpcClient client = fx.client(server);

        StepVerifier.create(client.request("add", new Add(2, 3)))
                .expectNextMatches(IpcExpect.message("add", 5))
                .expectComplete()
                .verify(Duration.ofSeconds(5));
    }
    // README:end

    @Test
    void theSameTestPassesOverARealUnixSocket() {
        try (IpcFixtures fx = new IpcFixtures(null, io.reactiveipc.test.IpcTestAddresses::unix)) {
            answersAddWithSum(fx);
        }
    }
}
