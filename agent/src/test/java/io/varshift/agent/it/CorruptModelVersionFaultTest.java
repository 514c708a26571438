package io.varshift.agent.it;

import static io.varshift.agent.it.Faults.MODEL;
import static io.varshift.agent.it.Faults.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;

import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.varshift.core.artifact.ArtifactContents;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.json.Json;
import io.varshift.core.model.ModelLoader;
import io.varshift.stack.KafkaBrokerExtension;

/** A corrupt new model version appears in the store mid-run: it is refused and v1 keeps monitoring. */
@ExtendWith(KafkaBrokerExtension.class)
class CorruptModelVersionFaultTest {

    @Test
    void aCorruptNewVersionIsRefusedAndTheRunningVersionKeepsEveryRecordInExactlyOneWindow() throws Exception {
        Faults.Run run = Faults.Run.withTopics(KafkaBrokerExtension.bootstrapServers(), "corrupt", 1);
        TopicPartition p0 = new TopicPartition(run.traffic(), 0);

        try (TrafficClient traffic = new TrafficClient(run.bootstrap()); Faults.Agent agent = run.startAgent()) {
            agent.awaitHealthy(WAIT);
            traffic.imagesTo(run.traffic(), 0, MODEL, 120);
            new ModelStore(run.store()).write(MODEL, ArtifactContents.builder()
                    .setModelJson(TinyFashionModel.shared().spec().toJson())
                    .setReferenceJson(Json.object())
                    .addParams(ModelLoader.PARAMS_FILE, new byte[] {1, 2, 3, 4})
                    .build());
            Awaitility.await().atMost(WAIT).until(() -> Files.readString(agent.log).contains("v2 refused"));
            traffic.imagesTo(run.traffic(), 0, MODEL, 130);

            Faults.assertEveryRecordAccountedFor(run, new Faults.Expected().valid(p0, 0, 250));
            assertThat(run.windows()).extracting(w -> w.get("version").asText()).containsOnly("1");
            agent.awaitHealthy(WAIT);
        }
    }
}
