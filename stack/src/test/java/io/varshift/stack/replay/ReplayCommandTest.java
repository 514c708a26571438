package io.varshift.stack.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.varshift.core.codec.DecodeLimits;
import io.varshift.core.codec.DecodeResult;
import io.varshift.core.codec.DecodeTarget;
import io.varshift.core.codec.RecordDecoders;
import io.varshift.core.codec.TrafficHeaders;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.stack.KafkaBrokerExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The command as users run it: real Fashion-MNIST files, a real broker, records read back by a consumer. */
@ExtendWith(KafkaBrokerExtension.class)
class ReplayCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int replay(String... args) {
        return Replay.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void publishesFashionMnistTestImagesThenInvertedOnesAfterTheOnset() {
        String topic = "replay-test-invert";
        KafkaBrokerExtension.createTopic(topic, 1);
        int code = replay("--bootstrap", KafkaBrokerExtension.bootstrapServers(), "--topic", topic, "--model", "fmnist",
                "--count", "30", "--rate", "0", "--shift", "INVERT", "--severity", "1", "--shift-after", "20");
        assertThat(code).as(stderr()).isZero();
        assertThat(stdout()).contains("replay done: records=30 samples=30").contains("shift=invert@1.00 shift_onset_record=20");

        List<ConsumerRecord<byte[], byte[]>> records = readAll(topic, 30);
        ImageSet test = FashionMnist.installed().test();
        RecordDecoders decoders = new RecordDecoders(new int[] {1, 28, 28}, DecodeLimits.DEFAULT);
        DecodeTarget target = new DecodeTarget();
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            assertThat(header(record, TrafficHeaders.MODEL)).isEqualTo("fmnist");
            assertThat(header(record, TrafficHeaders.CONTENT_TYPE)).isEqualTo(TrafficHeaders.NPY);
            DecodeResult result = decoders.decode(header(record, TrafficHeaders.CONTENT_TYPE), record.value(), target);
            assertThat(result.isOk()).as(result.toString()).isTrue();
            for (int j = 0; j < 28 * 28; j++) {
                float pixel = test.value(i, j);
                assertThat(target.get(j)).as("record %d pixel %d", i, j).isCloseTo(i < 20 ? pixel : 1 - pixel, within(1e-6f));
            }
        }
    }

    @Test
    void jsonFormatCarriesTheJsonContentType() {
        String topic = "replay-test-json";
        KafkaBrokerExtension.createTopic(topic, 1);
        assertThat(replay("--bootstrap", KafkaBrokerExtension.bootstrapServers(), "--topic", topic, "--format", "json",
                "--count", "3", "--batch", "2", "--rate", "0")).as(stderr()).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = readAll(topic, 3);
        RecordDecoders decoders = new RecordDecoders(new int[] {1, 28, 28}, DecodeLimits.DEFAULT);
        for (ConsumerRecord<byte[], byte[]> record : records) {
            assertThat(header(record, TrafficHeaders.CONTENT_TYPE)).isEqualTo(TrafficHeaders.JSON);
            assertThat(decoders.decode(null, record.value(), new DecodeTarget()).samples()).isEqualTo(2);
        }
    }

    @Test
    void anUnreachableBrokerFailsWithExitOneAndSaysWhy() {
        int code = replay("--bootstrap", "127.0.0.1:1", "--count", "2", "--rate", "0", "--timeout-seconds", "2");
        assertThat(code).isEqualTo(1);
        assertThat(stderr()).contains("replay: ").contains("127.0.0.1:1").contains("./varshift stack up");
    }

    @Test
    void missingDataFilesFailWithExitOneNamingTheDebianPackage(@TempDir Path empty) {
        int code = replay("--data-dir", empty.toString(), "--count", "1");
        assertThat(code).isEqualTo(1);
        assertThat(stderr()).contains("dataset-fashion-mnist");
    }

    @Test
    void badUsageExitsTwoWithAMessage() {
        assertThat(replay("--shift", "sideways")).isEqualTo(2);
        assertThat(stderr()).contains("sideways");
        assertThat(replay("--shift", "blur", "--severity", "1.5")).isEqualTo(2);
        assertThat(stderr()).contains("severity 1.5 is outside [0, 1]");
        assertThat(replay("--shift-after", "10")).isEqualTo(2);
        assertThat(stderr()).contains("need a --shift");
        assertThat(replay("--count", "many")).isEqualTo(2);
    }

    @Test
    void helpExitsZero() {
        assertThat(replay("--help")).isZero();
        assertThat(stdout().replaceAll("\\s+", " ")).contains("--shift-after-seconds")
                .contains("contrast, brightness, noise, blur, occlusion, invert");
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerExtension.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        assertThat(records).as("records read back from " + topic).hasSize(expected);
        return records;
    }
}
