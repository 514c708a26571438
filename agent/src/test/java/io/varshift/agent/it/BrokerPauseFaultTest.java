package io.varshift.agent.it;

import static io.varshift.agent.it.Faults.MODEL;
import static io.varshift.agent.it.Faults.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

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
 * The broker frozen (SIGSTOP) for 150 s mid-window, then let go (SIGCONT): readiness goes DOWN while
 * the broker does not answer, the agent stays alive and recovers by itself, and no record is lost or
 * published twice.
 */
class BrokerPauseFaultTest {

    static final Duration PAUSE = Duration.ofSeconds(150);
    static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.startDedicated(Files.createTempDirectory("varshift-pause-kafka-"), Map.of(),
                Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopBroker() {
        broker.resume();
        broker.close();
    }

    @Test
    void aBrokerFrozenFor150SecondsMakesTheAgentUnreadyAndItRecoversWithoutLossOrDuplicates() throws Exception {
        Faults.Run run = Faults.Run.withTopics(broker.bootstrapServers(), "pause", 1);
        TopicPartition p0 = new TopicPartition(run.traffic(), 0);

        try (TrafficClient traffic = new TrafficClient(run.bootstrap()); Faults.Agent agent = run.startAgent()) {
            agent.awaitHealthy(WAIT);
            run.twoWindowsAndAnOpenOne(traffic);

            long pausedAt = System.nanoTime();
            broker.pause();
            try {
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> agent.health("ready") == 503);
                Thread.sleep(Math.max(0, PAUSE.toMillis() - (System.nanoTime() - pausedAt) / 1_000_000));
                assertThat(agent.health("live")).as("liveness during the pause; log:\n" + agent.tail()).isEqualTo(200);
            } finally {
                broker.resume();
            }

            traffic.imagesTo(run.traffic(), 0, MODEL, 130);
            Faults.assertEveryRecordAccountedFor(run, new Faults.Expected().valid(p0, 0, 250));
            agent.awaitHealthy(WAIT);
        }
    }
}
