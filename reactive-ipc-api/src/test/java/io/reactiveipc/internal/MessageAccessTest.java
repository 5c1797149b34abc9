package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.Message;
import org.junit.jupiter.api.Test;

class MessageAccessTest {

    @Test
    void nobodyButMessageInstallsTheAccessor() {
        MessageAccess real = MessageAccess.get();
        assertThatThrownBy(() -> MessageAccess.install(real)).isInstanceOf(IllegalStateException.class);
        assertThat(MessageAccess.get()).isSameAs(real);
        assertThat(real.envelope(Message.of("still", 1))).isNull();
    }
}
