package io.reactiveipc.examples;

import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcServer;
import io.reactiveipc.test.IpcExpect;
import io.reactiveipc.test.IpcExtension;
import io.reactiveipc.test.IpcFixtures;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

/** The README's "Testing your code" example, kept compiling and passing here. */
class TestingYourCodeTest {

    // README:start
    record Add(int a, int b) {
    }

    /** The code under test: a handler that answers "add" with "sum". */
    static void calculator(IpcServer server) {
        server.on("add")
              .flatMap(in -> {
                  Add add = in.message().data(Add.class);
                  return in.reply("sum", add.a() + add.b());
              })
              .subscribe();
    }

    @RegisterExtension
    static final IpcExtension ipc = IpcExtension.inJvm(); // no sockets; IpcExtension() for Unix sockets

    @Test
    void answersAddWithSum(IpcFixtures fx) {
        IpcServer server = fx.server();
        calculator(server);
        IpcClient client = fx.client(server);

        StepVerifier.create(client.inbound())
                .then(() -> client.emit("add", new Add(2, 3)).subscribe())
                .expectNextMatches(IpcExpect.message("sum", 5))
                .thenCancel()
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
