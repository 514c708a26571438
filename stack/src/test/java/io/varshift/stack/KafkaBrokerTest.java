package io.varshift.stack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(KafkaBrokerExtension.class)
class KafkaBrokerTest {

    @Test
    void extensionBrokerCarriesARecordFromProducerToConsumer() {
        KafkaBrokerExtension.createTopic("stack-test-topic", 2);
        assertThat(KafkaBrokerExtension.topics()).contains("stack-test-topic");
        RoundTrip.check(KafkaBrokerExtension.bootstrapServers(), Duration.ofSeconds(30));
    }

    @Test
    void brokerOnATakenPortFailsFastWithAMessageNamingThePort(@TempDir Path dir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> KafkaBroker.start(dir, port, Processes.freePort(), Duration.ofSeconds(30)))
                    .isInstanceOf(StackException.class)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("already in use");
        }
    }

    @Test
    void brokerWithAnUnusableDataDirFailsWithANonHangingError(@TempDir Path dir) throws IOException {
        Path notADir = dir.resolve("file");
        Files.writeString(notADir, "not a directory");
        assertThatThrownBy(() -> KafkaBroker.start(notADir, Processes.freePort(), Processes.freePort(), Duration.ofSeconds(60)))
                .isInstanceOf(StackException.class)
                .hasMessageContaining(notADir.toString());
    }

    @Test
    void stackDownWithNothingRunningSaysSoAndSucceeds(@TempDir Path dir) {
        assertThat(StackMain.run("--dir", dir.toString(), "down")).isZero();
        assertThat(StackMain.run("--dir", dir.toString(), "status")).isZero();
    }

    @Test
    void stackWithAnUnknownSubcommandIsABadUsage() {
        assertThat(StackMain.run("sideways")).isEqualTo(2);
    }
}
