package io.reactiveipc.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.IpcDataException;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcServer;
import io.reactiveipc.test.IpcTestAddresses;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The examples do what README says they do. */
class ExamplesTest {

    @Test
    void helloAndWorldTalkOverAUnixSocket() {
        IpcServer server = WorldServer.start(IpcTestAddresses.unix());
        try {
            assertThat(HelloClient.hello(server.address(), "hello")).isEqualTo("hello world!");
            assertThat(HelloClient.hello(server.address(), "again")).isEqualTo("again world!");
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Test
    void aMessageThatDoesNotBindLeavesTheWorldServerAnswering() {
        IpcServer server = WorldServer.start(IpcTestAddresses.unix());
        IpcClient poisoner = IpcClient.connect("poisoner", server.address(), IpcConfig.builder().silent(true).build());
        try {
            Mono<IpcEvent.Failure> failure = server.events().ofType(IpcEvent.Failure.class).next().cache();
            failure.subscribe();
            poisoner.emit("message", Map.of("not", "a string")).block(Duration.ofSeconds(5));
            assertThat(failure.block(Duration.ofSeconds(5)).error()).isInstanceOf(IpcDataException.class);
            assertThat(HelloClient.hello(server.address(), "hello")).isEqualTo("hello world!");
        } finally {
            poisoner.disposeNow(Duration.ofSeconds(5));
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Test
    void helloAndWorldTalkOverTcp() {
        IpcServer server = WorldServer.start(IpcTestAddresses.tcp());
        try {
            assertThat(HelloClient.hello(server.address(), "hello")).isEqualTo("hello world!");
        } finally {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    @Test
    void theQueueDemoDeliversEverythingEmittedBeforeTheServerExisted() {
        assertThat(QueueDemo.run(IpcTestAddresses.unix(), 5))
                .containsExactly("request 1", "request 2", "request 3", "request 4", "request 5");
    }

    @Test
    void theDatabaseDemoAnswersQueuedRequestsThenAnErrorAndGoesOnAnswering() throws Exception {
        DatabaseDemo.Outcome o = DatabaseDemo.run(IpcTestAddresses.unix());
        assertThat(o.queued()).containsExactly(new DatabaseDemo.User(1, "ada", "admin"),
                new DatabaseDemo.User(2, "grace", "dev"));
        assertThat(o.unknown().code()).isEqualTo("E_NOT_FOUND");
        assertThat(o.unknown().remoteMessage()).isEqualTo("no row users/99");
        assertThat(o.afterError()).isEqualTo(new DatabaseDemo.User(3, "linus", "dev"));
    }

    @Test
    void theDeliverDemoGetsTheConsumersAnswerThroughTheServer() {
        DeliverDemo.Outcome o = DeliverDemo.run(IpcTestAddresses.unix());
        assertThat(o.discovery().handlers()).containsExactly("ping");
        assertThat(o.discovery().clients()).containsExactly("consumer", "producer");
        assertThat(o.answer()).isEqualTo(new DatabaseDemo.User(2, "grace", "dev"));
        assertThat(o.noClient().code()).isEqualTo("E_NO_CLIENT");
    }

    @Test
    void theChatDemoRoutesDirectMessagesAndBroadcastsAndRefusesAdmin() throws Exception {
        assertThat(ChatDemo.run(IpcTestAddresses.unix())).containsExactly(
                "server: alice, bob and carol are connected; relaying anything but admin.*",
                "bob: [alice] hi bob, lunch at noon?",
                "alice: [bob] sure",
                "alice: [carol] can I come too?",
                "bob: [carol] can I come too?",
                "alice: failure for 'admin.kick': E_REFUSED: the server refused to relay 'admin.kick' to 'bob'",
                "bob: [alice] of course, see you both at noon",
                "carol: [alice] of course, see you both at noon",
                "alice: [server] the server closes at six",
                "bob: [server] the server closes at six",
                "carol: [server] the server closes at six");
    }

    @Test
    void argumentsFollowNodeIpcDefaults() {
        assertThat(Args.address(new String[0], "world")).isEqualTo(IpcAddress.unix(java.nio.file.Path.of(
                "/tmp/app.world")));
        assertThat(Args.address(new String[] {"tcp"}, "world")).isEqualTo(IpcAddress.tcp("127.0.0.1", 8000));
    }
}
