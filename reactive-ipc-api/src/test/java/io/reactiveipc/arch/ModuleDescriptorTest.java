package io.reactiveipc.arch;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The compiled module descriptor: on the module path, users reach the API and the SPI, never the engine. */
class ModuleDescriptorTest {

    static ModuleDescriptor descriptor() {
        return ModuleFinder.of(Path.of("target/classes")).find("io.reactiveipc").orElseThrow().descriptor();
    }

    @Test
    void theEngineIsExportedOnlyToTheProjectsOwnModules() {
        Map<String, Set<String>> exports = descriptor().exports().stream()
                .collect(Collectors.toMap(ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::targets));
        assertThat(exports).containsOnlyKeys("io.reactiveipc", "io.reactiveipc.codec", "io.reactiveipc.spi",
                "io.reactiveipc.internal");
        assertThat(exports.get("io.reactiveipc")).as("unqualified").isEmpty();
        assertThat(exports.get("io.reactiveipc.spi")).as("unqualified").isEmpty();
        assertThat(exports.get("io.reactiveipc.internal")).containsExactlyInAnyOrder("io.reactiveipc.transport",
                "io.reactiveipc.test", "io.reactiveipc.benchmark");
        assertThat(descriptor().opens()).as("nothing opened to reflection").isEmpty();
    }

    @Test
    void theEngineAndTransportsAreFoundWithTheServiceLoader() {
        assertThat(descriptor().uses()).containsExactlyInAnyOrder("io.reactiveipc.spi.IpcEngine",
                "io.reactiveipc.spi.IpcTransport", "io.reactiveipc.spi.IpcDatagramTransport");
        assertThat(descriptor().provides()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo("io.reactiveipc.spi.IpcEngine");
            assertThat(p.providers()).containsExactly("io.reactiveipc.internal.DefaultEngine");
        });
    }
}
