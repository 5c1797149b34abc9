package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.Message;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Sinks;

/** handlerConcurrency: how many calls run at once on a connection, and what becomes of the others. */
class HandlerConcurrencyTest {

    private static final MessageAccess ACCESS = MessageAccess.get();
    private IpcClient client;

    @AfterEach
    void cleanUp() {
        if (client != null) {
            client.dispose();
        }
    }

    /**
     * With 2 allowed, 6 requests: 2 calls run, the others wait and start oldest first as places free up; every
     * request is answered once, in the order the calls finished.
     */
    @Test
    void atMostTheBoundRunAndTheOthersStartOldestFirstAsCallsFinish() {
        ScriptedTransport t = new ScriptedTransport().then(true);
        client = Transports.connectClient(t, "c", ReconnectTest.ADDRESS, IpcConfig.builder().silent(true)
                .identify(false).handlerConcurrency(2).build());
        List<Integer> started = new ArrayList<>();
        List<Sinks.One<Object>> calls = new ArrayList<>();
        client.handle("job", in -> {
            started.add(in.message().data(Integer.class));
            Sinks.One<Object> answer = Sinks.one();
            calls.add(answer);
            return answer.asMono();
        });
        ScriptedTransport.FakeLink link = t.last();
        for (int i = 1; i <= 6; i++) {
            link.in.tryEmitNext(ACCESS.withEnvelope(Message.of("job", i), Envelope.of(Envelope.REQUEST, i)));
        }
        assertThat(started).containsExactly(1, 2);

        calls.get(1).tryEmitValue("done 2"); // the second finishes first: its place goes to the oldest waiting
        assertThat(started).containsExactly(1, 2, 3);
        calls.get(0).tryEmitEmpty();
        assertThat(started).containsExactly(1, 2, 3, 4);
        calls.get(3).tryEmitValue("done 4");
        calls.get(2).tryEmitValue("done 3");
        assertThat(started).containsExactly(1, 2, 3, 4, 5, 6);
        calls.get(4).tryEmitValue("done 5");
        calls.get(5).tryEmitValue("done 6");

        List<String> answers = new ArrayList<>();
        for (Message m : link.written) {
            Envelope e = ACCESS.envelope(m);
            if (e != null && e.isAnswer()) {
                answers.add(e.id() + (e.kind() == Envelope.END ? ":end" : ":" + m.data(String.class)));
            }
        }
        assertThat(answers).containsExactly("2:done 2", "1:end", "4:done 4", "3:done 3", "5:done 5", "6:done 6");

        // all places free again: the next call runs at once
        link.in.tryEmitNext(ACCESS.withEnvelope(Message.of("job", 7), Envelope.of(Envelope.REQUEST, 7)));
        link.in.tryEmitNext(ACCESS.withEnvelope(Message.of("job", 8), Envelope.of(Envelope.REQUEST, 8)));
        assertThat(started).endsWith(7, 8);
    }
}
