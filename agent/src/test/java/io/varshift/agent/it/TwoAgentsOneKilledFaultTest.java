package io.varshift.agent.it;

import static io.varshift.agent.it.Faults.MODEL;
import static io.varshift.agent.it.Faults.WAIT;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.varshift.stack.KafkaBrokerExtension;

/**
 * Two agents in one group share a two-partition topic; one is killed with SIGKILL mid-window. The
 * other takes its partition over from the last commit and every record is in exactly one window.
 */
@ExtendWith(KafkaBrokerExtension.class)
class TwoAgentsOneKilledFaultTest {

    @Test
    void theSurvivorTakesOverTheKilledAgentsPartitionFromItsLastCommit() throws Exception {
        Faults.Run run = Faults.Run.withTopics(KafkaBrokerExtension.bootstrapServers(), "two", 2);
        TopicPartition p0 = new TopicPartition(run.traffic(), 0);
        TopicPartition p1 = new TopicPartition(run.traffic(), 1);

        try (TrafficClient traffic = new TrafficClient(run.bootstrap()); Faults.Agent first = run.startAgent();
                Faults.Agent second = run.startAgent()) {
            first.awaitHealthy(WAIT);
            second.awaitHealthy(WAIT);
            traffic.imagesTo(run.traffic(), 0, MODEL, 120);
            traffic.imagesTo(run.traffic(), 1, MODEL, 120);
            // Kill only when every published window is committed, so that the kill falls inside a window.
            Awaitility.await().atMost(WAIT).until(() -> run.windows().size() >= 4 && publishedAreCommitted(run));
            first.kill();

            traffic.imagesTo(run.traffic(), 0, MODEL, 130);
            traffic.imagesTo(run.traffic(), 1, MODEL, 130);
            Faults.assertEveryRecordAccountedFor(run, new Faults.Expected().valid(p0, 0, 250).valid(p1, 0, 250));
            second.awaitHealthy(WAIT);
        }
    }

    private static boolean publishedAreCommitted(Faults.Run run) throws Exception {
        Map<TopicPartition, Long> committed = run.committed();
        List<ObjectNode> windows = run.windows();
        for (ObjectNode w : windows) {
            for (JsonNode r : w.get("offsets")) {
                TopicPartition tp = new TopicPartition(r.get("topic").asText(), r.get("partition").asInt());
                if (committed.getOrDefault(tp, 0L) <= r.get("last").asLong()) {
                    return false;
                }
            }
        }
        return true;
    }
}
