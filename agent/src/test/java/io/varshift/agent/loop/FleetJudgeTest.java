package io.varshift.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.agent.fleet.FleetTopology;
import io.varshift.agent.fleet.Partial;
import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.codec.NpyWriter;
import io.varshift.core.json.Json;
import io.varshift.core.moments.ChannelMoments;

/**
 * The fleet judge's topology under Kafka Streams' test driver, fed with partials that the loop in
 * fleet mode cut from mock traffic: fleet windows of the configured size, judged once, their moments
 * the merge of their partials; the alarm state kept in the store, so that a judge started on that
 * store (another agent, after a rebalance) goes on where the first stopped; bad partials counted.
 */
class FleetJudgeTest {

    static final int WINDOW = 40;
    static final int SLICE = 10;
    static final TopicPartition P0 = new TopicPartition("traffic", 0);
    static final TopicPartition P1 = new TopicPartition("traffic", 1);

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final IdentityModel model = new IdentityModel("m", "1", WINDOW);
    final List<TopologyTestDriver> drivers = new ArrayList<>();
    final MutableClock clock = new MutableClock();
    long nextSeed = 1;

    @AfterEach
    void close() {
        drivers.forEach(TopologyTestDriver::close);
    }

    /** The judge on the state store {@code from} (another judge's entries), or on an empty one. */
    TopologyTestDriver judge(Map<String, byte[]> from) {
        FleetTopology.Settings settings = new FleetTopology.Settings("fleet-test", "partials", "windows", "alerts",
                WINDOW, Duration.ofSeconds(6), 2, 2);
        FleetTopology.References references = (name, version) -> {
            if (!version.equals("1")) {
                throw new IllegalArgumentException("model '" + name + "' v" + version + " is not in the store");
            }
            return model.reference();
        };
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "fleet-test");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        TopologyTestDriver driver = new TopologyTestDriver(FleetTopology.topology(settings, references,
                new AgentMetrics(registry)), p, Instant.parse("2026-01-01T00:00:00Z"));
        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(FleetTopology.STORE);
        from.forEach(store::put);
        drivers.add(driver);
        return driver;
    }

    /** Partials the loop in fleet mode publishes for {@code n} records per partition of N(0, sd²). */
    List<byte[]> partials(int n, double sd) {
        return partials(n, sd, false);
    }

    /** As {@link #partials(int, double)}; with {@code timeCut} the open slices are then cut by time. */
    List<byte[]> partials(int n, double sd, boolean timeCut) {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        MockProducer<byte[], byte[]> producer =
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        LoopSettings settings = AgentLoopTest.settings()
                .batchSize(4)
                .windowSamples(WINDOW)
                .fleet(new Fleet("partials", SLICE, Duration.ofSeconds(2)))
                .build();
        IdentityModel.Source source = new IdentityModel.Source("m");
        source.queue.add(new IdentityModel("m", "1", WINDOW));
        AgentLoop loop = new AgentLoop(consumer, producer, settings, source, new AgentMetrics(new SimpleMeterRegistry()),
                clock);
        loop.start();
        consumer.rebalance(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        for (TopicPartition tp : List.of(P0, P1)) {
            float[] x = IdentityModel.gaussian(n, sd, nextSeed++);
            for (int o = 0; o < n; o++) {
                RecordHeaders headers = new RecordHeaders();
                headers.add("varshift-model", "m".getBytes(StandardCharsets.UTF_8));
                byte[] value = NpyWriter.float32(Arrays.copyOfRange(x, o * IdentityModel.CHANNELS,
                        (o + 1) * IdentityModel.CHANNELS), IdentityModel.CHANNELS);
                consumer.addRecord(new ConsumerRecord<>("traffic", tp.partition(), o, 0L, TimestampType.CREATE_TIME,
                        -1, value.length, null, value, headers, java.util.Optional.empty()));
            }
        }
        loop.step();
        if (timeCut) {
            clock.advance(Duration.ofSeconds(2));
            loop.step();
        }
        return producer.history().stream().filter(r -> r.topic().equals("partials")).map(r -> r.value()).toList();
    }

    static void pipe(TopologyTestDriver driver, List<byte[]> partials) {
        TestInputTopic<byte[], byte[]> in = driver.createInputTopic("partials", new ByteArraySerializer(),
                new ByteArraySerializer());
        partials.forEach(v -> in.pipeInput("m".getBytes(StandardCharsets.UTF_8), v));
    }

    static List<ObjectNode> read(TopologyTestDriver driver, String topic) {
        TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic(topic, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        return out.readValuesToList().stream()
                .map(v -> Json.parseObject(new String(v, StandardCharsets.UTF_8))).toList();
    }

    @Test
    void partialsMergeIntoFleetWindowsOfTheWindowSizeJudgedOnce() {
        List<byte[]> partials = partials(40, 1.0);
        assertThat(partials).hasSize(8);
        TopologyTestDriver driver = judge(Map.of());
        pipe(driver, partials);

        List<ObjectNode> windows = read(driver, "windows");
        assertThat(windows).extracting(w -> w.get("samples").asLong()).containsExactly(40L, 40L);
        assertThat(windows).extracting(w -> w.get("windowNumber").asLong()).containsExactly(1L, 2L);
        assertThat(windows).allSatisfy(w -> {
            assertThat(w.get("judged").asBoolean()).isTrue();
            assertThat(w.get("closeReason").asText()).isEqualTo("count");
        });
        assertThat(windows.get(0).get("windowId").asText()).isNotEqualTo(windows.get(1).get("windowId").asText());
        // The first window's moments are the merge of its four partials.
        ChannelMoments merged = Partial.parse(partials.get(0)).moments().get(0).copy();
        for (byte[] v : partials.subList(1, 4)) {
            merged.merge(Partial.parse(v).moments().get(0));
        }
        JsonNode moments = windows.get(0).get("layers").get(0).get("moments");
        assertThat(moments.get("count").asLong()).isEqualTo(merged.count());
        for (int c = 0; c < merged.channels(); c++) {
            assertThat(moments.get("mean").get(c).asDouble()).isEqualTo(merged.mean(c));
            assertThat(moments.get("variance").get(c).asDouble()).isEqualTo(merged.variance(c));
        }
    }

    @Test
    void aPartialThatWouldOvershootByMoreThanTheWindowLacksOpensTheNextWindow() {
        List<byte[]> tens = partials(30, 1.0);
        List<byte[]> eights = partials(8, 1.0, true);
        assertThat(tens).extracting(v -> Partial.parse(v).samples()).containsOnly(10L).hasSize(6);
        assertThat(eights).extracting(v -> Partial.parse(v).samples()).containsExactly(8L, 8L);
        TopologyTestDriver driver = judge(Map.of());
        // 38 in a window of 40: a partial of 10 would overshoot by 8, more than the 2 lacking, so the
        // window closes at 38 and the partial opens the next one; at 35 (lacking 5) one of 5 more would go in.
        pipe(driver, List.of(tens.get(0), tens.get(1), tens.get(2), eights.get(0), tens.get(3)));
        assertThat(read(driver, "windows")).singleElement().satisfies(w -> {
            assertThat(w.get("samples").asLong()).isEqualTo(38L);
            assertThat(w.get("closeReason").asText()).isEqualTo("count");
        });
        pipe(driver, List.of(tens.get(4), tens.get(5), eights.get(1)));
        assertThat(read(driver, "windows")).as("10 + 10 + 10 + 8 lacks 2: still open").isEmpty();
    }

    @Test
    void theAlarmStateLivesInTheStoreSoThatAnotherJudgeGoesOnFromIt() {
        TopologyTestDriver first = judge(Map.of());
        pipe(first, partials(40, 1.0));
        pipe(first, partials(40, 3.0));
        List<ObjectNode> before = read(first, "windows");
        assertThat(before).extracting(w -> w.get("modelVerdict").get("state").asText())
                .containsExactly("OK", "OK", "SUSPECT", "ALARM");
        assertThat(read(first, "alerts")).filteredOn(a -> a.get("kind").asText().equals("model"))
                .extracting(a -> a.get("to").asText()).containsExactly("SUSPECT", "ALARM");

        // The task moves: a new judge starts on the store's entries (Streams restores them from the changelog).
        KeyValueStore<String, byte[]> store = first.getKeyValueStore(FleetTopology.STORE);
        TopologyTestDriver second = judge(Map.of("m", store.get("m")));
        pipe(second, partials(40, 3.0));
        List<ObjectNode> after = read(second, "windows");
        assertThat(after).extracting(w -> w.get("windowNumber").asLong()).containsExactly(5L, 6L);
        assertThat(after).extracting(w -> w.get("modelVerdict").get("state").asText())
                .containsExactly("ALARM", "ALARM");
        assertThat(read(second, "alerts")).filteredOn(a -> a.get("kind").asText().equals("model")).isEmpty();
    }

    @Test
    void aQuietModelsWindowClosesByTimeOnTheJudgesClock() {
        TopologyTestDriver driver = judge(Map.of());
        pipe(driver, partials(10, 1.0));
        assertThat(read(driver, "windows")).isEmpty();
        driver.advanceWallClockTime(Duration.ofSeconds(7));
        assertThat(read(driver, "windows")).singleElement().satisfies(w -> {
            assertThat(w.get("closeReason").asText()).isEqualTo("time");
            assertThat(w.get("samples").asLong()).isEqualTo(20L);
        });
    }

    @Test
    void badPartialsAreRefusedWithTheirReasonCountedAndJudgeNothing() {
        TopologyTestDriver driver = judge(Map.of());
        Partial good = Partial.parse(partials(10, 1.0).get(0));
        Partial otherVersion = new Partial("m", "2", good.topic(), good.partition(), good.sliceStart(), good.sliceEnd(),
                good.cut(), good.first(), good.last(), good.samples(), good.sampleRate(), good.openedAt(),
                good.closedAt(), good.classCounts(), good.cellScoreSums(), good.moments());
        Partial twoLayers = new Partial("m", "1", good.topic(), good.partition(), good.sliceStart(), good.sliceEnd(),
                good.cut(), good.first(), good.last(), good.samples(), good.sampleRate(), good.openedAt(),
                good.closedAt(), good.classCounts(), new double[2], List.of(good.moments().get(0),
                        good.moments().get(0)));
        pipe(driver, List.of("{not json".getBytes(StandardCharsets.UTF_8),
                "{\"schemaVersion\":9}".getBytes(StandardCharsets.UTF_8), otherVersion.bytes(), twoLayers.bytes()));
        driver.advanceWallClockTime(Duration.ofSeconds(7));
        assertThat(read(driver, "windows")).isEmpty();
        assertThat(rejected("malformed")).isEqualTo(2);
        assertThat(rejected("unknown_version")).isEqualTo(1);
        assertThat(rejected("layers")).isEqualTo(1);
    }

    double rejected(String reason) {
        var c = registry.find("varshift.fleet.partials.rejected").tags("reason", reason).counter();
        return c == null ? 0 : c.count();
    }
}
