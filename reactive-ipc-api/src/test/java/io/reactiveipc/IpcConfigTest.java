package io.reactiveipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reactiveipc.codec.IpcCodec;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IpcConfigTest {

    @Test
    void defaultsAreNodeIpcs() {
        IpcConfig c = IpcConfig.defaults();
        assertThat(c.appspace()).isEqualTo("app.");
        assertThat(c.socketRoot()).isEqualTo("/tmp/");
        assertThat(c.id()).isNotBlank();
        assertThat(c.networkHost()).isEqualTo("127.0.0.1");
        assertThat(c.networkPort()).isEqualTo(8000);
        assertThat(c.encoding()).isEqualTo("utf8");
        assertThat(c.rawBuffer()).isFalse();
        assertThat(c.sync()).isFalse();
        assertThat(c.silent()).isFalse();
        assertThat(c.maxConnections()).isEqualTo(100);
        assertThat(c.retry()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.maxRetries()).isEqualTo(Long.MAX_VALUE);
        assertThat(c.stopRetrying()).isEqualTo(Long.MAX_VALUE);
        assertThat(c.maxFrameSize()).isEqualTo(1_048_576);
    }

    @Test
    void theDefaultUnixPathIsSocketRootAppspaceId() {
        IpcConfig c = IpcConfig.builder().id("world").build();
        assertThat(IpcAddress.unix(c, "world").path()).isEqualTo(Path.of("/tmp/app.world"));
        IpcConfig d = c.toBuilder().socketRoot("/run/x/").appspace("svc.").build();
        assertThat(IpcAddress.unix(d, "db").path()).isEqualTo(Path.of("/run/x/svc.db"));
    }

    @Test
    void theCodecFollowsNodeIpcsOptionsAndContradictionsAreRefused() {
        assertThat(IpcConfig.defaults().codec()).isSameAs(IpcCodec.nodeIpc());
        IpcConfig raw = IpcConfig.builder().rawBuffer(true).encoding("hex").build();
        assertThat(raw.codec().delimiter()).isEmpty();
        assertThat(raw.codec().toString()).contains("hex");
        assertThat(raw.identify()).as("a raw socket has no room for the id announcement").isFalse();
        assertThat(raw.toBuilder().rawBuffer(false).encoding("utf8").build().identify()).isTrue();
        assertThat(IpcConfig.builder().delimiter("\r\n").build().codec().delimiter()).containsExactly('\r', '\n');
        assertThatThrownBy(() -> IpcConfig.builder().encoding("hex").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("raw buffer");
        assertThatThrownBy(() -> IpcConfig.builder().encoding("klingon").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpcConfig.builder().delimiter("").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delimiter");
        assertThatThrownBy(() -> IpcConfig.builder().codec(IpcCodec.nodeIpc()).rawBuffer(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("codec");
        assertThat(IpcConfig.builder().encoding("UTF-8").build().encoding()).isEqualTo("UTF-8");
    }

    @Test
    void syncIsAccepted() {
        IpcConfig c = IpcConfig.builder().sync(true).build();
        assertThat(c.sync()).isTrue();
        assertThat(c.toBuilder().build().sync()).isTrue();
        assertThat(c.toString()).contains("sync=true");
    }

    @Test
    void outOfRangeValuesAreRefused() {
        assertThatThrownBy(() -> IpcConfig.builder().maxConnections(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpcConfig.builder().networkPort(70000).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpcConfig.builder().maxFrameSize(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpcConfig.builder().retry(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stopRetryingTakesABooleanOrACount() {
        assertThat(IpcConfig.builder().stopRetrying(true).build().stopRetrying()).isZero();
        assertThat(IpcConfig.builder().stopRetrying(3).build().stopRetrying()).isEqualTo(3);
        assertThat(IpcConfig.builder().stopRetrying(3).stopRetrying(false).build().stopRetrying())
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void toBuilderCopiesEverything() {
        IpcConfig c = IpcConfig.builder().id("x").retry(42).maxRetries(7).silent(true).maxQueuedMessages(3)
                .socketPermissions("rw-rw----").build();
        assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString());
    }
}
