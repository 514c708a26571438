package io.varshift.agent.it;

import static io.varshift.agent.it.Faults.MODEL;
import static io.varshift.agent.it.Faults.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.varshift.stack.KafkaBrokerExtension;

/**
 * SIGTERM while a window is open and traffic keeps arriving: the agent commits exactly the end of its
 * last published window, abandons the open one, and after a restart every record is in exactly one window.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SigtermUnderLoadFaultTest {

    static final int RECORDS = 600;

    @Test
    void aTerminatedAgentCommitsTheEndOfItsLastPublishedWindowAndAReplacementGoesOnFromThere() throws Exception {
        Faults.Run run = Faults.Run.withTopics(KafkaBrokerExtension.bootstrapServers(), "sigterm", 1);
        TopicPartition p0 = new TopicPartition(run.traffic(), 0);

        try (TrafficClient traffic = new TrafficClient(run.bootstrap())) {
            Faults.Agent agent = run.startAgent();
            agent.awaitHealthy(WAIT);
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                for (int sent = 0; sent < RECORDS; sent += 10) {
                    traffic.imagesTo(run.traffic(), 0, MODEL, 10);
                    sleep(25);
                }
            });
            Awaitility.await().atMost(WAIT).until(() -> run.windows().size() >= 2);
            agent.terminate();
            List<ObjectNode> published = run.windows();
            long lastPublished = published.stream().mapToLong(w -> w.get("offsets").get(0)
                    .get("last").asLong()).max().orElseThrow();
            assertThat(run.committed()).containsEntry(p0, lastPublished + 1);
            load.get();

            try (Faults.Agent replacement = run.startAgent()) {
                Faults.assertEveryRecordAccountedFor(run, new Faults.Expected().valid(p0, 0, RECORDS));
                assertThat(run.windows()).hasSize(RECORDS / Faults.WINDOW);
                replacement.awaitHealthy(WAIT);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
