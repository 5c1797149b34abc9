package io.reactiveipc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.Message;
import io.reactiveipc.spi.IpcEngine;
import io.reactiveipc.spi.MessageParts;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

class MessageAccessTest {

    @Test
    void nobodyButMessageInstallsItsParts() {
        MessageAccess real = MessageAccess.get();
        MessageParts fake = (MessageParts) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MessageParts.class}, (proxy, method, args) -> {
                    throw new AssertionError("a forged MessageParts was used: " + method);
                });
        // through the public engine (what any class could call) and directly: refused either way
        assertThatThrownBy(() -> IpcEngine.get().install(fake)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> MessageAccess.install(fake)).isInstanceOf(IllegalStateException.class);
        assertThat(MessageAccess.get()).isSameAs(real);
        assertThat(real.envelope(Message.of("still", 1))).isNull();
    }

    @Test
    void theEngineIsTheOneThisJarProvides() {
        assertThat(IpcEngine.get()).isInstanceOf(DefaultEngine.class);
    }
}
