package io.varshift.trainer.adjust;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.codec.NpyWriter;
import io.varshift.core.codec.TrafficHeaders;
import io.varshift.core.data.BatchFeeder;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.model.ModelLoader;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.probe.BnMomentsCollector;
import io.varshift.core.probe.BnProbes;
import io.varshift.stack.KafkaBrokerExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Recalibration from a Kafka topic range on a real broker: the statistics of the new version are
 * re-estimated from exactly the valid records of the range, and the rejects are counted by reason.
 */
@QuarkusMainTest
@ExtendWith(KafkaBrokerExtension.class)
class KafkaRecalibrationTest {

    private static final String MODEL = "kafka-recal";
    private static final String TOPIC = "recal-traffic";
    private static final int IMAGES = 600;
    private static boolean trained;

    /** 600 held-out images at half brightness (a covariate shift), alternating over two partitions. */
    private static ImageSet shiftedImages() {
        ImageSet images = FashionMnist.installed().test().slice(0, IMAGES);
        float[] values = new float[IMAGES * 784];
        for (int i = 0; i < values.length; i++) {
            values[i] = images.value(i / 784, i % 784) * 0.5f;
        }
        return ImageSet.ofFloats(values, null, 1, 28, 28);
    }

    /** Trains the tiny model and fills the topic once per test JVM. */
    private static synchronized void prepare(QuarkusMainLauncher launcher) throws Exception {
        if (trained) {
            return;
        }
        LaunchResult train = launcher.launch("train", "--model", MODEL, "--width", "4", "--limit", "1000",
                "--held-out", "300", "--window-size", "64", "--replicates", "200");
        assertThat(train.exitCode()).as(train.getErrorOutput()).isZero();

        KafkaBrokerExtension.createTopic(TOPIC, 2);
        ImageSet images = shiftedImages();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerExtension.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            float[] sample = new float[784];
            for (int i = 0; i < IMAGES; i++) {
                for (int j = 0; j < 784; j++) {
                    sample[j] = images.value(i, j);
                }
                producer.send(record(i % 2, MODEL, NpyWriter.float32(sample, 1, 28, 28)));
            }
            byte[] garbage = "not a tensor".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 3; i++) {
                producer.send(record(i % 2, MODEL, garbage));
            }
            producer.send(record(0, null, NpyWriter.float32(sample, 1, 28, 28)));
            producer.send(record(1, null, NpyWriter.float32(sample, 1, 28, 28)));
            producer.send(record(0, "another-model", NpyWriter.float32(sample, 1, 28, 28)));
            producer.send(record(1, MODEL, NpyWriter.float32(new float[10], 10)));
            producer.flush();
        }
        trained = true;
    }

    private static ProducerRecord<byte[], byte[]> record(int partition, String model, byte[] value) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(TOPIC, partition, null, value);
        if (model != null) {
            r.headers().add(TrafficHeaders.MODEL, model.getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    private static ModelStore store() {
        return new ModelStore(Path.of(System.getProperty("varshift.trainer.model-store")));
    }

    @Test
    void recalibratingFromATopicRangeReestimatesTheStatisticsFromTheValidRecordsAndNotesTheSource(
            QuarkusMainLauncher launcher) throws Exception {
        prepare(launcher);
        int before = store().latestVersion(MODEL).getAsInt();

        LaunchResult recal = launcher.launch("recalibrate", "--model", MODEL, "--kafka-bootstrap",
                KafkaBrokerExtension.bootstrapServers(), "--topic", TOPIC, "--from-offset", "0");
        assertThat(recal.exitCode()).as(recal.getErrorOutput()).isZero();

        ModelArtifact recalibrated = store().loadLatest(MODEL);
        assertThat(recalibrated.version()).isEqualTo(before + 1);
        JsonNode provenance = recalibrated.modelJson().get("provenance");
        assertThat(provenance.get("method").asText()).isEqualTo("recalibrate");
        assertThat(provenance.get("samples").asInt()).isEqualTo(IMAGES);
        JsonNode source = provenance.get("source");
        assertThat(source.get("topic").asText()).isEqualTo(TOPIC);
        assertThat(source.get("records").asLong()).isEqualTo(IMAGES + 7);
        JsonNode partitions = source.get("partitions");
        assertThat(partitions).hasSize(2);
        long recordsInPartitions = 0;
        for (JsonNode range : partitions) {
            assertThat(range.get("fromOffset").asLong()).isZero();
            assertThat(range.get("toOffset").asLong()).isEqualTo(range.get("records").asLong());
            assertThat(range.get("lastOffsetRead").asLong()).isEqualTo(range.get("toOffset").asLong() - 1);
            recordsInPartitions += range.get("records").asLong();
        }
        assertThat(recordsInPartitions).isEqualTo(IMAGES + 7);
        JsonNode rejects = source.get("rejects");
        assertThat(rejects.fieldNames()).toIterable().containsExactlyInAnyOrder("bad_magic", "missing_model_header",
                "unknown_model", "shape_mismatch");
        assertThat(rejects.get("bad_magic").asInt()).isEqualTo(3);
        assertThat(rejects.get("missing_model_header").asInt()).isEqualTo(2);
        assertThat(rejects.get("unknown_model").asInt()).isEqualTo(1);
        assertThat(rejects.get("shape_mismatch").asInt()).isEqualTo(1);

        assertRunningStatisticsAreTheEvalModeMomentsOf(recalibrated, shiftedImages());
    }

    /**
     * With every layer re-estimated, one eval-mode pass measures each BN input with the layers before it
     * already adjusted, which is what the layer-by-layer re-estimation measured: the stored running mean
     * and (population) variance must equal these moments.
     */
    private static void assertRunningStatisticsAreTheEvalModeMomentsOf(ModelArtifact artifact, ImageSet images) {
        try (LoadedModel loaded = ModelLoader.load(artifact)) {
            BnProbes probes = loaded.probes();
            BnMomentsCollector collector = BnMomentsCollector.attach(probes, false);
            NDManager manager = loaded.model().getNDManager();
            BatchFeeder feeder = new BatchFeeder(256, images.sampleShape());
            ParameterStore params = new ParameterStore(manager, false);
            for (int from = 0; from < images.size(); from += 256) {
                try (NDManager batch = manager.newSubManager()) {
                    loaded.block().forward(params,
                            new NDList(feeder.images(batch, images, from, Math.min(images.size(), from + 256))), false);
                }
            }
            probes.setListener(null);
            assertThat(probes.layerCount()).isGreaterThan(1);
            for (int layer = 0; layer < probes.layerCount(); layer++) {
                ChannelMoments m = collector.moments(layer);
                assertThat(m.count()).isEqualTo(IMAGES * collector.positions(layer));
                double[] mean = probes.runningMean(layer);
                double[] var = probes.runningVar(layer);
                for (int c = 0; c < m.channels(); c++) {
                    assertThat(mean[c]).as("layer %d channel %d mean", layer, c)
                            .isCloseTo(m.mean(c), within(1e-4 * Math.sqrt(var[c]) + 1e-6));
                    assertThat(var[c]).as("layer %d channel %d variance", layer, c)
                            .isCloseTo(m.variance(c), within(1e-3 * var[c] + 1e-7));
                }
            }
        }
    }

    @Test
    void theLastNRecordsOfOnePartitionAreTheRangeRead(QuarkusMainLauncher launcher) throws Exception {
        prepare(launcher);
        LaunchResult recal = launcher.launch("recalibrate", "--model", MODEL, "--kafka-bootstrap",
                KafkaBrokerExtension.bootstrapServers(), "--topic", TOPIC, "--partition", "1", "--last", "150");
        assertThat(recal.exitCode()).as(recal.getErrorOutput()).isZero();
        JsonNode source = store().loadLatest(MODEL).modelJson().get("provenance")
                .get("source");
        assertThat(source.get("range").asText()).isEqualTo("last 150");
        JsonNode partitions = source.get("partitions");
        assertThat(partitions).hasSize(1);
        JsonNode p1 = partitions.get(0);
        assertThat(p1.get("partition").asInt()).isEqualTo(1);
        assertThat(p1.get("toOffset").asLong() - p1.get("fromOffset").asLong()).isEqualTo(150);
        assertThat(p1.get("records").asLong()).isEqualTo(150);
        // Partition 1's tail holds one garbage, one header-less and one wrong-shape record.
        assertThat(source.get("samples").asInt()).isEqualTo(147);
    }

    @Test
    void aTimeRangeIsResolvedToOffsetsWithOffsetsForTimes(QuarkusMainLauncher launcher) throws Exception {
        prepare(launcher);
        LaunchResult recal = launcher.launch("recalibrate", "--model", MODEL, "--kafka-bootstrap",
                KafkaBrokerExtension.bootstrapServers(), "--topic", TOPIC, "--partition", "0",
                "--from-time", "2000-01-01T00:00:00Z", "--to-time", "2100-01-01T00:00:00Z");
        assertThat(recal.exitCode()).as(recal.getErrorOutput()).isZero();
        JsonNode source = store().loadLatest(MODEL).modelJson().get("provenance")
                .get("source");
        JsonNode p0 = source.get("partitions").get(0);
        assertThat(p0.get("fromOffset").asLong()).isZero();
        assertThat(p0.get("records").asLong()).isEqualTo(304);
        assertThat(source.get("samples").asInt()).isEqualTo(300);
    }

    @Test
    void aMissingTopicFailsWithAMessageNamingIt(QuarkusMainLauncher launcher) throws Exception {
        prepare(launcher);
        LaunchResult r = launcher.launch("recalibrate", "--model", MODEL, "--kafka-bootstrap",
                KafkaBrokerExtension.bootstrapServers(), "--topic", "no-such-topic", "--last", "10");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.getErrorOutput()).contains("topic 'no-such-topic' does not exist");
    }

    @Test
    void anUnreachableBrokerFailsWithinTheTimeoutWithAMessage(QuarkusMainLauncher launcher) throws Exception {
        prepare(launcher);
        LaunchResult r = launcher.launch("recalibrate", "--model", MODEL, "--kafka-bootstrap", "127.0.0.1:1",
                "--topic", TOPIC, "--last", "10", "--kafka-timeout", "3");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.getErrorOutput()).contains("trainer recalibrate: failed: Kafka broker at 127.0.0.1:1 did not"
                + " answer within 3 s");
    }

    @Test
    @Launch(value = {"recalibrate", "--model", "m", "some-dir", "--kafka-bootstrap", "localhost:9092", "--topic", "t",
            "--last", "5"}, exitCode = 2)
    void anNpyDirectoryAndAKafkaRangeTogetherAreAUsageError(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("give either NPY_DIR or a Kafka topic range");
    }

    @Test
    @Launch(value = {"recalibrate", "--model", "m", "--kafka-bootstrap", "localhost:9092", "--topic", "t",
            "--from-offset", "10", "--to-offset", "5"}, exitCode = 2)
    void anEmptyOffsetRangeIsAUsageErrorNamingTheOption(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("--to-offset: 5 must be greater than fromOffset 10");
    }

    @Test
    @Launch(value = {"recalibrate", "--model", "m", "--kafka-bootstrap", "localhost:9092", "--topic", "t",
            "--from-time", "yesterday"}, exitCode = 2)
    void aBadInstantIsAUsageErrorNamingTheOption(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("--from-time: 'yesterday' is not an ISO-8601 instant");
    }

    @Test
    @Launch(value = {"recalibrate", "--model", "m", "--kafka-bootstrap", "localhost:9092", "--topic", "t",
            "--last", "5", "--from-offset", "0"}, exitCode = 2)
    void twoRangeKindsAreAUsageError(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("mutually exclusive");
    }

    @Test
    @Launch(value = {"recalibrate", "--model", "m", "--kafka-bootstrap", "localhost:9092", "--topic", "t"},
            exitCode = 2)
    void aKafkaSourceWithoutARangeIsAUsageError(LaunchResult result) {
        assertThat(result.getErrorOutput()).contains("--last");
    }
}
