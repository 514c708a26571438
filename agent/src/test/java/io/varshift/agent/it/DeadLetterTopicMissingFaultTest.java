package io.varshift.agent.it;

import static io.varshift.agent.it.Faults.MODEL;
import static io.varshift.agent.it.Faults.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.varshift.stack.KafkaBroker;

/**
 * The dead-letter topic does not exist (and the broker does not create topics): writing a dead letter
 * fails, the loop restarts and replays without committing past the bad record, and once the topic
 * exists the bad record is dead-lettered and every valid one is in exactly one window.
 */
class DeadLetterTopicMissingFaultTest {

    static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.startDedicated(Files.createTempDirectory("varshift-nodlq-kafka-"),
                Map.of("auto.create.topics.enable", "false"), Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void aMissingDeadLetterTopicStallsOnlyUntilItExistsAndNothingIsLostOrCommittedPastIt() throws Exception {
        Faults.Run run = Faults.Run.fresh(broker.bootstrapServers(), "nodlq");
        run.createTopics(1, Map.of());
        TopicPartition p0 = new TopicPartition(run.traffic(), 0);

        try (TrafficClient traffic = new TrafficClient(run.bootstrap()); Faults.Agent agent = run.startAgent()) {
            agent.awaitHealthy(WAIT);
            traffic.imagesTo(run.traffic(), 0, MODEL, 60);
            traffic.send(run.traffic(), 0, MODEL, "application/x-npy", "not an image".getBytes(StandardCharsets.UTF_8));
            traffic.flush();
            traffic.imagesTo(run.traffic(), 0, MODEL, 60);

            Awaitility.await().atMost(WAIT).until(() -> Files.readString(agent.log).contains("the agent loop failed"));
            assertThat(run.committed().getOrDefault(p0, 0L)).as("nothing committed past the bad record").isLessThanOrEqualTo(60L);
            run.createDeadLetterTopic();

            Faults.assertEveryRecordAccountedFor(run, new Faults.Expected().valid(p0, 0, 60).bad(p0, 60)
                    .valid(p0, 61, 121));
            agent.awaitHealthy(WAIT);
        }
    }
}
