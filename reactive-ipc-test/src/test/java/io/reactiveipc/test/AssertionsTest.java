package io.reactiveipc.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcEvent;
import io.reactiveipc.IpcProtocolException;
import io.reactiveipc.Message;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The helpers pass what they should and fail what they should. */
class AssertionsTest {

    record Job(String name, int priority) {
    }

    @Test
    void messageAssertPassesOnMatchesAndFailsWithAClearMessage() {
        Message m = Message.ofJson("job", "{\"name\":\"build\",\"priority\":2.0}");
        MessageAssert.assertThat(m).hasType("job").hasData(Map.of("name", "build", "priority", 2))
                .hasJsonData("{\"priority\":2,\"name\":\"build\"}")
                .hasDataSatisfying(Job.class, j -> assertThat(j.priority()).isEqualTo(2));
        assertThatThrownBy(() -> MessageAssert.assertThat(m).hasType("other"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("<other>").hasMessageContaining("<job>");
        assertThatThrownBy(() -> MessageAssert.assertThat(m).hasData(Map.of("name", "build", "priority", 3)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("expected data");
        assertThatThrownBy(() -> MessageAssert.assertThat(m).hasDataSatisfying(Job.class,
                j -> assertThat(j.name()).isEqualTo("test"))).isInstanceOf(AssertionError.class);
    }

    @Test
    void predicatesMatchTypeAndData() {
        Message m = Message.of("sum", 5);
        assertThat(IpcExpect.message("sum").test(m)).isTrue();
        assertThat(IpcExpect.message("sum", 5).test(m)).isTrue();
        assertThat(IpcExpect.message("sum", 5.0).test(m)).as("numbers by value").isTrue();
        assertThat(IpcExpect.message("sum", 6).test(m)).isFalse();
        assertThat(IpcExpect.message("sum", Integer.class, n -> n > 4).test(m)).isTrue();
        assertThat(IpcExpect.message("product", Integer.class, n -> n > 4).test(m)).isFalse();
        assertThat(IpcExpect.event(IpcEvent.Started.class)
                .test(new IpcEvent.Started(IpcAddress.local("x")))).isTrue();
        assertThat(IpcExpect.protocolFailure(IpcProtocolException.Reason.MALFORMED_JSON).test(new IpcEvent.Destroyed(
                null))).isFalse();
    }
}
