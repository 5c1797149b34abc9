package io.reactiveipc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcAddress;
import io.reactiveipc.IpcClient;
import io.reactiveipc.IpcConfig;
import io.reactiveipc.internal.Transports;
import io.reactiveipc.test.IpcTestAddresses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Servers in separate JVMs, epoll and NIO mixed, told to bind one stale path at the same moment: exactly one binds
 * and answers, every other one fails saying the path is in use. Without the lock file 5 of 20 tries left two
 * "bound" servers, one of them unreachable.
 */
class ReclaimAcrossProcessesTest {

    static final Duration T = Duration.ofSeconds(20);

    @Test
    void ofServersInSeveralProcessesExactlyOneBindsAStalePath() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<Process> contenders = new ArrayList<>();
        List<BufferedReader> outs = new ArrayList<>();
        IpcConfig quiet = IpcConfig.builder().silent(true).build();
        try {
            for (int i = 0; i < 4; i++) {
                Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                        BindContender.class.getName(), String.valueOf(i % 2 == 0))
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                contenders.add(p);
                outs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
            }
            for (BufferedReader out : outs) {
                assertThat(out.readLine()).isEqualTo("ready");
            }
            for (int round = 0; round < 10; round++) {
                Path path = IpcTestAddresses.unix().path();
                UnixSocketFileTest.leaveStaleSocket(path);
                tellAll(contenders, "bind " + path);
                List<String> results = new ArrayList<>();
                for (BufferedReader out : outs) {
                    results.add(out.readLine());
                }
                assertThat(results).as("round %d", round).filteredOn("bound"::equals).hasSize(1);
                assertThat(results).filteredOn(r -> !"bound".equals(r)).hasSize(3).allSatisfy(r -> assertThat(r)
                        .startsWith("failed cannot listen on unix:" + path + ": address in use"));
                long winner = contenders.get(results.indexOf("bound")).pid();
                IpcClient client = Transports.connectClient(new NettyTransport(true), "c", IpcAddress.unix(path), quiet);
                assertThat(client.request("ping", null).block(T).data(String.class)).isEqualTo("pong from " + winner);
                client.disposeNow(T);
                tellAll(contenders, "close");
                for (BufferedReader out : outs) {
                    assertThat(out.readLine()).isEqualTo("closed");
                }
            }
        } finally {
            for (Process p : contenders) {
                try {
                    p.getOutputStream().close();
                } catch (IOException ignored) {
                    // it exited already
                }
            }
            for (Process p : contenders) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** One line to every contender, as close to "at once" as four pipes allow. */
    private static void tellAll(List<Process> contenders, String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        for (Process p : contenders) {
            OutputStream in = p.getOutputStream();
            in.write(bytes);
            in.flush();
        }
    }
}
