package io.varshift.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.codec.DecodeLimits;
import io.varshift.core.codec.NpyWriter;
import io.varshift.core.json.Json;

class AgentLoopTest {

    static final String TRAFFIC = "traffic";
    static final TopicPartition P0 = new TopicPartition(TRAFFIC, 0);
    static final TopicPartition P1 = new TopicPartition(TRAFFIC, 1);

    final RecordingConsumer consumer = new RecordingConsumer();
    final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final MutableClock clock = new MutableClock();
    final IdentityModel.Source source = new IdentityModel.Source("m", "other-watched");
    final Map<TopicPartition, Long> next = new HashMap<>();
    AgentLoop loop;

    /** A consumer that remembers every commit and what the producer had sent at that moment. */
    final class RecordingConsumer extends MockConsumer<byte[], byte[]> {
        final List<Map<TopicPartition, OffsetAndMetadata>> commits = new ArrayList<>();
        final List<Integer> producedAtCommit = new ArrayList<>();
        final Deque<RuntimeException> failures = new ArrayDeque<>();

        RecordingConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (!failures.isEmpty()) {
                throw failures.pop();
            }
            commits.add(Map.copyOf(offsets));
            producedAtCommit.add(producer.history().size());
            super.commitSync(offsets);
        }
    }

    /**
     * The loop settings of these tests: batches of 8, windows of 20 samples, alarms after two windows in
     * either direction, a 1 ms poll and no periodic commit or reload within a test.
     */
    static LoopSettings.Builder settings() {
        return LoopSettings.builder()
                .topics(List.of(TRAFFIC))
                .deadLetterTopic("dlq")
                .windowResultsTopic("windows")
                .alertsTopic("alerts")
                .batchSize(8)
                .maxWait(Duration.ofSeconds(5))
                .sampleRate(1.0)
                .windowSamples(20)
                .windowDuration(null)
                .enterAfter(2)
                .exitAfter(2)
                .pollTimeout(Duration.ofMillis(1))
                .reloadInterval(Duration.ofSeconds(30))
                .commitInterval(Duration.ofHours(1))
                .decodeLimits(DecodeLimits.DEFAULT);
    }

    void start(int windowSamples, Duration windowDuration, double sampleRate, int enterAfter) {
        start(windowSamples, windowDuration, sampleRate, enterAfter, new IdentityModel("m", "1", 50));
    }

    void start(int windowSamples, Duration windowDuration, double sampleRate, int enterAfter, MonitoredModel first) {
        LoopSettings settings = settings()
                .sampleRate(sampleRate)
                .windowSamples(windowSamples)
                .windowDuration(windowDuration)
                .enterAfter(enterAfter)
                .forwardWorkers(forwardWorkers())
                .build();
        source.queue.add(first);
        loop = new AgentLoop(consumer, producer, settings, source, new AgentMetrics(registry), clock);
        loop.start();
        consumer.rebalance(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    }

    /** Forward threads per model; a subclass runs every test here with several. */
    int forwardWorkers() {
        return 1;
    }

    @AfterEach
    void close() {
        producer.close();
    }

    void add(TopicPartition tp, String model, byte[] value, String contentType) {
        long offset = next.merge(tp, 1L, Long::sum) - 1;
        RecordHeaders headers = new RecordHeaders();
        if (model != null) {
            headers.add("varshift-model", model.getBytes(StandardCharsets.UTF_8));
        }
        if (contentType != null) {
            headers.add("content-type", contentType.getBytes(StandardCharsets.UTF_8));
        }
        consumer.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, 0L, TimestampType.CREATE_TIME,
                -1, value == null ? -1 : value.length, null, value, headers, java.util.Optional.empty()));
    }

    /** Adds n valid NPY samples of N(0, sd²), one per record. */
    void addValid(TopicPartition tp, int n, double sd, long seed) {
        float[] x = IdentityModel.gaussian(n, sd, seed);
        for (int i = 0; i < n; i++) {
            float[] sample = Arrays.copyOfRange(x, i * IdentityModel.CHANNELS, (i + 1) * IdentityModel.CHANNELS);
            add(tp, "m", NpyWriter.float32(sample, IdentityModel.CHANNELS), "application/x-npy");
        }
    }

    List<ProducerRecord<byte[], byte[]>> sent(String topic) {
        return producer.history().stream().filter(r -> r.topic().equals(topic)).toList();
    }

    List<ObjectNode> json(String topic) {
        return sent(topic).stream()
                .map(r -> Json.parseObject(new String(r.value(), StandardCharsets.UTF_8)))
                .toList();
    }

    static String header(ProducerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    double counter(String name, String... tags) {
        var search = registry.find(name).tags(tags).counter();
        return search == null ? 0 : search.count();
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicWithTheirReasonAndTheLoopGoesOn() {
        start(1000, null, 1.0, 2);
        byte[] garbage = "hello, world".getBytes(StandardCharsets.UTF_8);
        add(P0, "m", garbage, "application/x-npy");
        add(P0, null, NpyWriter.float32(new float[8], 8), null);
        add(P0, "m", "hello".getBytes(StandardCharsets.UTF_8), "application/x-npy");
        add(P0, "unknown", NpyWriter.float32(new float[8], 8), null);
        add(P0, "m", NpyWriter.float32(new float[3], 3), null);
        add(P0, "m", "{\"shape\":[8],\"data\":[1,2,3,4,5,6,7,NaN]}".getBytes(StandardCharsets.UTF_8),
                "application/json");
        add(P0, "other-watched", NpyWriter.float32(new float[8], 8), null);
        addValid(P0, 5, 1.0, 1);

        loop.step();

        List<ProducerRecord<byte[], byte[]>> dead = sent("dlq");
        assertThat(dead).extracting(r -> header(r, "varshift-reject-reason")).containsExactly(
                "bad_magic", "missing_model_header", "bad_magic", "unknown_model", "shape_mismatch", "not_finite",
                "unknown_model");
        assertThat(dead.get(0).value()).isEqualTo(garbage);
        assertThat(header(dead.get(0), "content-type")).isEqualTo("application/x-npy");
        assertThat(header(dead.get(3), "varshift-reject-message")).contains("'unknown'", "not watched");
        assertThat(header(dead.get(6), "varshift-reject-message")).contains("no version is loaded");
        assertThat(header(dead.get(4), "varshift-source")).isEqualTo("traffic-0@4");
        assertThat(counter("varshift.records.rejected", "reason", "unknown_model")).isEqualTo(2);
        assertThat(counter("varshift.records.rejected", "reason", "bad_magic")).isEqualTo(2);
        assertThat(counter("varshift.records.consumed", "model", "m")).isEqualTo(5);

        addValid(P0, 3, 1.0, 2);
        loop.step();
        assertThat(counter("varshift.records.consumed", "model", "m")).isEqualTo(8);
    }

    @Test
    void offsetsAreCommittedOnlyAfterTheWindowIsPublished() {
        start(20, null, 1.0, 2);
        add(P0, null, new byte[] {1}, null);
        addValid(P0, 19, 1.0, 3);
        loop.step();
        assertThat(consumer.commits).isEmpty();
        assertThat(sent("windows")).isEmpty();

        addValid(P0, 1, 1.0, 4);
        loop.step();

        assertThat(consumer.commits).containsExactly(Map.of(P0, new OffsetAndMetadata(21)));
        // The window result (and the dead letter) were sent before the commit.
        assertThat(consumer.producedAtCommit).containsExactly(2);
        ObjectNode window = json("windows").get(0);
        assertThat(window.get("schemaVersion").asInt()).isEqualTo(2);
        assertThat(window.get("samples").asLong()).isEqualTo(20);
        assertThat(window.get("version").asText()).isEqualTo("1");
        JsonNode range = window.get("offsets").get(0);
        assertThat(range.get("first").asLong()).isEqualTo(1);
        assertThat(range.get("last").asLong()).isEqualTo(20);
        assertThat(window.get("layers").get(0).get("state").asText())
                .isEqualTo("OK");
    }

    @Test
    void aPartitionIsCommittedOnlyUpToTheFirstRecordOfAnOpenWindow() {
        start(20, null, 1.0, 2);
        source.queue.add(new IdentityModel("other-watched", "7", 50));
        clock.advance(Duration.ofSeconds(31));
        loop.step();
        add(P0, "other-watched", NpyWriter.float32(new float[8], 8), null);
        addValid(P0, 20, 1.0, 5);
        addValid(P1, 3, 1.0, 6);
        loop.step();

        // m's window closed after P0@20; the window of other-watched still holds P0@0, P1 is in m's open window.
        assertThat(consumer.commits).hasSize(1);
        assertThat(consumer.commits.get(0)).containsEntry(P0, new OffsetAndMetadata(0));
        assertThat(consumer.commits.get(0)).doesNotContainKey(P1);
    }

    @Test
    void aFailedCommitIsRetriedWithTheNextWindow() {
        start(20, null, 1.0, 2);
        consumer.failures.add(new TimeoutException("coordinator slow"));
        addValid(P0, 20, 1.0, 7);
        loop.step();
        assertThat(consumer.commits).isEmpty();
        assertThat(json("windows")).hasSize(1);

        addValid(P0, 20, 1.0, 8);
        loop.step();
        assertThat(consumer.commits).containsExactly(Map.of(P0, new OffsetAndMetadata(40)));
        assertThat(counter("varshift.windows.closed", "model", "m", "version", "1")).isEqualTo(2);
    }

    @Test
    void revokingPartitionsAbandonsTheOpenWindowAndRewindsKeptPartitions() {
        start(20, null, 1.0, 2);
        addValid(P0, 10, 1.0, 9);
        addValid(P1, 5, 1.0, 10);
        loop.step();

        consumer.rebalance(List.of(P0));

        assertThat(consumer.commits).containsExactly(Map.of(P0, new OffsetAndMetadata(0), P1, new OffsetAndMetadata(0)));
        assertThat(consumer.position(P0)).isZero();
        assertThat(sent("windows")).isEmpty();

        next.put(P0, 0L);
        addValid(P0, 20, 1.0, 11);
        loop.step();
        ObjectNode window = json("windows").get(0);
        assertThat(window.get("samples").asLong()).isEqualTo(20);
        assertThat(window.get("offsets")).hasSize(1);
    }

    @Test
    void shiftedTrafficRaisesAnAlarmAfterEnterAfterWindowsAndPublishesTransitions() {
        start(50, null, 1.0, 2);
        for (int w = 0; w < 3; w++) {
            addValid(P0, 50, 1.0, 100 + w);
            loop.step();
        }
        assertThat(sent("alerts")).isEmpty();
        assertThat(registry.get("varshift.layer.alarm.state").tags("model", "m", "version", "1", "layer", "input")
                .gauge().value()).isZero();

        for (int w = 0; w < 2; w++) {
            addValid(P0, 50, 3.0, 200 + w);
            loop.step();
        }

        List<ObjectNode> alerts = json("alerts").stream().filter(a -> a.get("kind").asText().equals("layer"))
                .toList();
        assertThat(alerts).extracting(a -> a.get("from").asText() + "->" + a.get("to").asText())
                .containsExactly("OK->SUSPECT", "SUSPECT->ALARM");
        // The model-level verdict moves with its only layer, and says so in an alert of its own kind.
        assertThat(json("alerts").stream().filter(a -> a.get("kind").asText().equals("model")))
                .extracting(a -> a.get("from").asText() + "->" + a.get("to").asText())
                .containsExactly("OK->SUSPECT", "SUSPECT->ALARM");
        assertThat(registry.get("varshift.model.alarm.state").tags("model", "m", "version", "1").gauge().value())
                .isEqualTo(2);
        ObjectNode alarm = alerts.get(1);
        assertThat(alarm.get("layer").asText()).isEqualTo("input");
        assertThat(alarm.get("value").asDouble()).isGreaterThan(alarm.get("threshold").asDouble());
        assertThat(alarm.get("offsets").get(0).get("first").asLong()).isEqualTo(200);
        assertThat(registry.get("varshift.layer.alarm.state").tags("layer", "input").gauge().value()).isEqualTo(2);
        assertThat(registry.get("varshift.layer.variance.ratio").tags("layer", "input").gauge().value())
                .isBetween(7.0, 11.0);
        assertThat(counter("varshift.alarm.transitions", "model", "m", "layer", "input", "to", "alarm")).isEqualTo(1);
    }

    @Test
    void samplingForwardsOnlyPartOfTheTrafficAndWindowsCountOnlyForwardedSamples() {
        start(20, null, 0.5, 2);
        addValid(P0, 200, 1.0, 12);
        loop.step();

        double sampledOut = counter("varshift.records.sampled.out", "model", "m");
        List<ObjectNode> windows = json("windows");
        assertThat(sampledOut).isBetween(60.0, 140.0);
        assertThat(windows).allSatisfy(w -> assertThat(w.get("samples").asLong()).isEqualTo(20));
        long open = Json.parseObject(loop.status()).get("models").get(0).get("openWindow").get("samples").asLong();
        assertThat(sampledOut + 20.0 * windows.size() + open).isEqualTo(200);
        assertThat(counter("varshift.records.consumed", "model", "m")).isEqualTo(200);
    }

    @Test
    void statusShowsTheExpectedTimeBetweenFalseAlarmsAtTheObservedWindowRate() {
        start(50, null, 1.0, 2);
        addValid(P0, 49, 1.0, 41);
        loop.step();
        clock.advance(Duration.ofSeconds(2));
        addValid(P0, 1, 1.0, 42);
        loop.step();
        JsonNode model = Json.parseObject(loop.status()).get("models").get(0);
        assertThat(model.get("modelState").asText()).isEqualTo("OK");
        JsonNode pace = model.get("falseAlarms");
        // A window every 2 s at α = 1e-3: a clean window over every 2000 s; a false model alarm needs two
        // in a row (α²) or a CUSUM signal (1 in 10 000 windows): every 2 / (1e-6 + 1e-4) s.
        assertThat(pace.get("windowSeconds").asDouble()).isEqualTo(2.0);
        assertThat(pace.get("expectedSecondsBetweenFalseOverWindows").asDouble()).isCloseTo(2000, within(1e-6));
        assertThat(pace.get("expectedSecondsBetweenFalseModelAlarms").asDouble())
                .isCloseTo(2 / (1e-6 + 1e-4), within(1e-3));
    }

    @Test
    void aTimeWindowTooSmallToJudgeIsPublishedWithoutAVerdictAndCounted() {
        start(0, Duration.ofSeconds(10), 1.0, 2);
        addValid(P1, 7, 1.0, 13);
        loop.step();
        clock.advance(Duration.ofSeconds(10));
        loop.step();
        ObjectNode window = json("windows").get(0);
        assertThat(window.get("samples").asLong()).isEqualTo(7);
        assertThat(window.get("judged").asBoolean()).isFalse();
        assertThat(window.get("layers").get(0).get("driftScore").isNull()).isTrue();
        assertThat(counter("varshift.windows.unjudged", "model", "m")).isEqualTo(1);
        assertThat(consumer.commits).containsExactly(Map.of(P1, new OffsetAndMetadata(7)));
    }

    @Test
    void aTimeWindowClosesOnTheClockAndUsesTheNearestCalibration() {
        start(0, Duration.ofSeconds(10), 1.0, 2);
        addValid(P1, 40, 1.0, 13);
        loop.step();
        clock.advance(Duration.ofSeconds(9));
        loop.step();
        assertThat(sent("windows")).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        loop.step();
        ObjectNode window = json("windows").get(0);
        assertThat(window.get("closeReason").asText()).isEqualTo("time");
        assertThat(window.get("samples").asLong()).isEqualTo(40);
        assertThat(window.get("calibrationWindowSize").asInt()).isEqualTo(50);
        JsonNode layer = window.get("layers").get(0);
        assertThat(layer.get("driftThreshold").isNull()).isFalse();
        assertThat(consumer.commits).containsExactly(Map.of(P1, new OffsetAndMetadata(40)));
    }

    @Test
    void aNewVersionIsSwappedInAtTheWindowBoundaryAndTheOldGaugesAreRemoved() {
        start(20, null, 1.0, 2);
        addValid(P0, 20, 1.0, 14);
        loop.step();
        assertThat(registry.find("varshift.layer.variance.ratio").tag("version", "1").gauge()).isNotNull();

        addValid(P0, 10, 1.0, 15);
        loop.step();
        IdentityModel v2 = new IdentityModel("m", "2", 50);
        source.queue.add(v2);
        clock.advance(Duration.ofSeconds(31));
        loop.step();
        assertThat(Json.parseObject(loop.status()).get("models").get(0).get("version").asText()).isEqualTo("1");

        addValid(P0, 10, 1.0, 16);
        loop.step();
        addValid(P0, 20, 1.0, 17);
        loop.step();

        assertThat(json("windows")).extracting(w -> w.get("version").asText()).containsExactly("1", "1", "2");
        assertThat(registry.find("varshift.layer.variance.ratio").tag("version", "1").gauge()).isNull();
        assertThat(registry.find("varshift.layer.variance.ratio").tag("version", "2").gauge()).isNotNull();
        assertThat(v2.closed).isFalse();
    }

    @Test
    void aFailedCommitBecauseOfARebalanceDoesNotStopTheLoop() {
        start(20, null, 1.0, 2);
        consumer.failures.add(new org.apache.kafka.clients.consumer.CommitFailedException("group rebalanced"));
        addValid(P0, 20, 1.0, 18);
        loop.step();
        addValid(P0, 5, 1.0, 19);
        loop.step();
        assertThat(counter("varshift.records.consumed", "model", "m")).isEqualTo(25);
        assertThat(consumer.commits).isEmpty();
    }

    @Test
    void aProduceFailureStopsTheLoopBeforeAnythingIsCommitted() {
        MockProducer<byte[], byte[]> failing = new MockProducer<>(false, null, new ByteArraySerializer(),
                new ByteArraySerializer()) {
            @Override
            public synchronized void flush() {
                errorNext(new KafkaException("broker unreachable"));
            }
        };
        LoopSettings settings = settings().build();
        source.queue.add(new IdentityModel("m", "1", 50));
        loop = new AgentLoop(consumer, failing, settings, source, new AgentMetrics(registry), clock);
        loop.start();
        consumer.rebalance(List.of(P0));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        addValid(P0, 20, 1.0, 20);

        org.assertj.core.api.Assertions.assertThatThrownBy(loop::step)
                .hasMessageContaining("producing to Kafka failed")
                .hasMessageContaining("broker unreachable");
        assertThat(consumer.commits).isEmpty();
    }

    @Test
    void lostPartitionsAbandonTheOpenWindowWithoutCommittingAndKeptPartitionsRewind() {
        start(20, null, 1.0, 2);
        addValid(P0, 10, 1.0, 22);
        addValid(P1, 5, 1.0, 23);
        loop.step();

        loop.onPartitionsLost(List.of(P1));

        assertThat(consumer.commits).isEmpty();
        assertThat(consumer.position(P0)).isZero();
        assertThat(Json.parseObject(loop.status()).get("models").get(0).get("openWindow").get("samples").asLong()).isZero();
    }

    @Test
    void aRecordTooLargeForTheProducerIsDeadLetteredInBoundedFormAndTheLoopGoesOn() throws Exception {
        LoopSettings settings = settings().maxRecordBytes(64 << 10).build();
        source.queue.add(new IdentityModel("m", "1", 50));
        loop = new AgentLoop(consumer, producer, settings, source, new AgentMetrics(registry), clock);
        loop.start();
        consumer.rebalance(List.of(P0));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        byte[] poison = new byte[200_000];
        new java.util.Random(5).nextBytes(poison);
        add(P0, "m", poison, "application/x-npy");
        addValid(P0, 20, 1.0, 30);

        loop.step();

        ProducerRecord<byte[], byte[]> dead = sent("dlq").get(0);
        assertThat(dead.value()).hasSize(DeadLetterReporter.KEPT_VALUE_BYTES)
                .isEqualTo(Arrays.copyOf(poison, DeadLetterReporter.KEPT_VALUE_BYTES));
        assertThat(header(dead, "varshift-dead-letter-truncated")).contains("first 4096 bytes", "max.request.size");
        assertThat(header(dead, "varshift-original-size")).isEqualTo("200000");
        assertThat(header(dead, "varshift-original-sha256")).isEqualTo(java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(poison)));
        assertThat(header(dead, "varshift-reject-reason")).isEqualTo("bad_magic");
        assertThat(header(dead, "varshift-source")).isEqualTo("traffic-0@0");
        assertThat(header(dead, "content-type")).isEqualTo("application/x-npy");
        assertThat(counter("varshift.dead.letters.truncated")).isEqualTo(1);
        assertThat(json("windows")).hasSize(1);
        assertThat(consumer.commits).containsExactly(Map.of(P0, new OffsetAndMetadata(21)));
    }

    @Test
    void aDeadLetterTheBrokerRefusesAsTooLargeIsWrittenInBoundedFormBeforeTheCommit() {
        MockProducer<byte[], byte[]> refusing = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer()) {
            @Override
            public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
                    ProducerRecord<byte[], byte[]> record, org.apache.kafka.clients.producer.Callback callback) {
                if (record.topic().equals("dlq") && record.value().length > 100_000) {
                    callback.onCompletion(null, new org.apache.kafka.common.errors.RecordTooLargeException(
                            "the message is 200160 bytes, larger than the topic's max.message.bytes"));
                    return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("refused"));
                }
                return super.send(record, callback);
            }
        };
        LoopSettings settings = settings().build();
        source.queue.add(new IdentityModel("m", "1", 50));
        loop = new AgentLoop(consumer, refusing, settings, source, new AgentMetrics(registry), clock);
        loop.start();
        consumer.rebalance(List.of(P0));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
        add(P0, "m", new byte[200_000], "application/x-npy");
        addValid(P0, 20, 1.0, 31);

        loop.step();

        List<ProducerRecord<byte[], byte[]>> dead = refusing.history().stream().filter(r -> r.topic().equals("dlq"))
                .toList();
        assertThat(dead).hasSize(1);
        assertThat(header(dead.get(0), "varshift-dead-letter-truncated")).contains("broker refused it whole");
        assertThat(header(dead.get(0), "varshift-source")).isEqualTo("traffic-0@0");
        assertThat(consumer.commits).containsExactly(Map.of(P0, new OffsetAndMetadata(21)));
        refusing.close();
    }

    @Test
    void aQuietModelHoldsBackASharedPartitionOnlyUntilItsWindowTimesOut() {
        start(20, Duration.ofSeconds(60), 1.0, 2);
        source.queue.add(new IdentityModel("other-watched", "7", 50));
        clock.advance(Duration.ofSeconds(31));
        loop.step();
        add(P0, "other-watched", NpyWriter.float32(new float[8], 8), null);
        addValid(P0, 20, 1.0, 32);
        loop.step();
        assertThat(consumer.commits).containsExactly(Map.of(P0, new OffsetAndMetadata(0)));

        clock.advance(Duration.ofSeconds(60));
        loop.step();

        assertThat(json("windows")).extracting(w -> w.get("model").asText() + ":" + w.get("closeReason")
                .asText()).containsExactly("m:count", "other-watched:time");
        assertThat(consumer.commits).last().isEqualTo(Map.of(P0, new OffsetAndMetadata(21)));
    }

    @Test
    void badSettingsAreRefusedNamingThePropertyAndTheFix() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> settings().maxWait(Duration.ofSeconds(1))
                        .reloadInterval(Duration.ofSeconds(1)).commitInterval(Duration.ofSeconds(1)).sampleRate(1.5)
                        .build())
                .hasMessage("varshift.agent.sample-rate = 1.5: use a value in (0, 1]");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> settings().maxWait(Duration.ofSeconds(1))
                        .reloadInterval(Duration.ofSeconds(1)).commitInterval(Duration.ofSeconds(1)).windowSamples(0)
                        .build())
                .hasMessageContaining("varshift.agent.window.samples = 0")
                .hasMessageContaining("window.duration");
    }
}
