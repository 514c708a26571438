package io.varshift.agent.it;

import static io.varshift.agent.it.Faults.MODEL;
import static io.varshift.agent.it.Faults.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.varshift.stack.KafkaBrokerExtension;

/**
 * A 2 MiB malformed record on a traffic topic that allows 5 MiB, with a dead-letter topic that allows
 * the broker's default 1 MiB: the dead letter cannot be written whole, goes in bounded form, and
 * monitoring goes on (the loop used to stop on it for good).
 */
@ExtendWith(KafkaBrokerExtension.class)
class OversizeRecordFaultTest {

    @Test
    void aTwoMebibyteMalformedRecordIsDeadLetteredInBoundedFormAndMonitoringGoesOn() throws Exception {
        Faults.Run run = Faults.Run.fresh(KafkaBrokerExtension.bootstrapServers(), "oversize");
        run.createTopics(1, Map.of("max.message.bytes", Integer.toString(5 << 20)));
        run.createDeadLetterTopic();
        TopicPartition p0 = new TopicPartition(run.traffic(), 0);
        byte[] poison = new byte[2 << 20];
        new Random(13).nextBytes(poison);

        try (TrafficClient traffic = new TrafficClient(run.bootstrap()); Faults.Agent agent = run.startAgent()) {
            agent.awaitHealthy(WAIT);
            traffic.imagesTo(run.traffic(), 0, MODEL, 120);
            traffic.send(run.traffic(), 0, MODEL, "application/x-npy", poison);
            traffic.flush();
            traffic.imagesTo(run.traffic(), 0, MODEL, 130);

            Faults.assertEveryRecordAccountedFor(run, new Faults.Expected().valid(p0, 0, 120).bad(p0, 120)
                    .valid(p0, 121, 251));
            Map<String, String> dead = run.deadLetters().get(run.traffic() + "-0@120");
            assertThat(dead.get("varshift-dead-letter-truncated")).contains("first 4096 bytes", "broker refused it whole");
            assertThat(dead.get("varshift-original-size")).isEqualTo(Integer.toString(2 << 20));
            assertThat(dead.get("varshift-original-sha256"))
                    .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(poison)));
            assertThat(dead.get("varshift-reject-reason")).isEqualTo("bad_magic");
            assertThat(run.windows()).hasSize(5);
            agent.awaitHealthy(WAIT);
        }
    }
}
