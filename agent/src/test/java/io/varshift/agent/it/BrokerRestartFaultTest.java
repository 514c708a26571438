package io.varshift.agent.it;

import static io.varshift.agent.it.Faults.MODEL;
import static io.varshift.agent.it.Faults.WAIT;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.varshift.stack.KafkaBroker;

/** The broker stopped and started again on the same port and data dir while a window is open. */
class BrokerRestartFaultTest {

    static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.startDedicated(Files.createTempDirectory("varshift-restart-kafka-"), Map.of(),
                Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void afterABrokerRestartTheAgentGoesOnWithoutLossOrDuplicates() throws Exception {
        Faults.Run run = Faults.Run.withTopics(broker.bootstrapServers(), "restart", 1);
        TopicPartition p0 = new TopicPartition(run.traffic(), 0);

        try (TrafficClient traffic = new TrafficClient(run.bootstrap()); Faults.Agent agent = run.startAgent()) {
            agent.awaitHealthy(WAIT);
            run.twoWindowsAndAnOpenOne(traffic);

            broker = broker.restart(Duration.ofSeconds(90));

            traffic.imagesTo(run.traffic(), 0, MODEL, 130);
            Faults.assertEveryRecordAccountedFor(run, new Faults.Expected().valid(p0, 0, 250));
            agent.awaitHealthy(WAIT);
        }
    }
}
