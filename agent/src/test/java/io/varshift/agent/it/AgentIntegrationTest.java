package io.varshift.agent.it;

import static io.restassured.RestAssured.given;
import static io.varshift.agent.it.AgentStackResource.ALERTS;
import static io.varshift.agent.it.AgentStackResource.DLQ;
import static io.varshift.agent.it.AgentStackResource.MODEL;
import static io.varshift.agent.it.AgentStackResource.TRAFFIC;
import static io.varshift.agent.it.AgentStackResource.WINDOW;
import static io.varshift.agent.it.AgentStackResource.WINDOWS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.varshift.core.artifact.ArtifactContents;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.codec.NpyWriter;
import io.varshift.core.json.Json;
import io.varshift.core.model.ModelLoader;

/**
 * The agent end to end on a real broker with a trained Fashion-MNIST model: clean traffic, shifted
 * traffic, garbage, hot reload. The tests run in order against one agent; each states what it adds.
 */
@QuarkusTest
@WithTestResource(AgentStackResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentIntegrationTest {

    static final Duration WAIT = Duration.ofSeconds(90);
    static final TrafficClient traffic = new TrafficClient();

    @AfterAll
    static void close() {
        traffic.close();
    }

    static List<ObjectNode> json(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream()
                .map(r -> Json.parseObject(new String(r.value(), StandardCharsets.UTF_8)))
                .toList();
    }

    static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of one exposition line, e.g. {@code varshift_records_consumed_total{model="fmnist"}}. */
    static double metric(String text, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{" + labels + "\\} (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    static ObjectNode status() {
        return Json.parseObject(given().get("/status").then().statusCode(200).extract().asString());
    }

    @Test
    @Order(1)
    void cleanTrafficPublishesWindowsWithoutAlarms() {
        given().get("/q/health/ready").then().statusCode(200);
        traffic.images(TRAFFIC, MODEL, 3 * WINDOW, 0, 1);

        List<ObjectNode> windows = json(TrafficClient.readAll(WINDOWS, 3, WAIT));
        assertThat(windows).hasSize(3);
        assertThat(windows).allSatisfy(w -> {
            assertThat(w.get("samples").asLong()).isEqualTo(WINDOW);
            assertThat(w.get("model").asText()).isEqualTo(MODEL);
            assertThat(w.get("version").asText()).isEqualTo("1");
            assertThat(w.get("layers")).hasSize(AgentStackResource.model.layers().size());
            w.get("layers").forEach(l -> assertThat(l.get("state").asText())
                    .isEqualTo("OK"));
        });
        long covered = windows.stream().flatMap(w -> w.get("offsets").valueStream())
                .mapToLong(r -> r.get("last").asLong() - r.get("first").asLong() + 1)
                .sum();
        assertThat(covered).isEqualTo(3L * WINDOW);
        assertThat(TrafficClient.readAll(ALERTS, 0, Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    @Order(2)
    void noisyTrafficRaisesAlarmsWithinTwoWindows() {
        traffic.images(TRAFFIC, MODEL, 2 * WINDOW, 0.5, 2);

        List<ObjectNode> windows = json(TrafficClient.readAll(WINDOWS, 5, WAIT));
        assertThat(windows).hasSize(5);
        List<ObjectNode> alerts = json(TrafficClient.readAll(ALERTS, 1, WAIT)).stream()
                .filter(a -> a.get("kind").asText().equals("layer")).toList();
        Map<String, List<String>> byLayer = alerts.stream().collect(Collectors.groupingBy(
                a -> a.get("layer").asText(), Collectors.mapping(a -> a.get("to").asText(), Collectors.toList())));
        assertThat(byLayer).containsEntry("block1.bn1", List.of("SUSPECT", "ALARM"));
        ObjectNode last = windows.get(4);
        String lastId = last.get("windowId").asText();
        assertThat(alerts).filteredOn(a -> a.get("to").asText().equals("ALARM"))
                .allSatisfy(a -> {
                    assertThat(a.get("windowId").asText()).isEqualTo(lastId);
                    assertThat(a.get("value").asDouble()).isGreaterThan(a.get("threshold").asDouble());
                    assertThat(a.get("offsets")).isNotEmpty();
                });
        String text = metrics();
        assertThat(metric(text, "varshift_layer_alarm_state",
                "layer=\"block1.bn1\",model=\"fmnist\",version=\"1\"")).isEqualTo(2.0);
        assertThat(metric(text, "varshift_alarm_transitions_total",
                "layer=\"block1.bn1\",model=\"fmnist\",to=\"alarm\"")).isEqualTo(1.0);
        assertThat(metric(text, "varshift_layer_variance_shift",
                "layer=\"block1.bn1\",model=\"fmnist\",version=\"1\"")).isGreaterThan(1.0);
    }

    @Test
    @Order(3)
    void garbageGoesToTheDeadLetterTopicAndValidTrafficIsAllCounted() {
        for (int i = 0; i < 5; i++) {
            traffic.send(TRAFFIC, MODEL, "application/x-npy", "not an npy value".getBytes(StandardCharsets.UTF_8));
            traffic.send(TRAFFIC, null, null, NpyWriter.float32(new float[784], 1, 28, 28));
            traffic.send(TRAFFIC, "someone-else", null, NpyWriter.float32(new float[784], 1, 28, 28));
            traffic.send(TRAFFIC, MODEL, null, NpyWriter.float32(new float[10], 10));
            traffic.send(TRAFFIC, MODEL, "text/plain", new byte[] {1, 2, 3});
            traffic.send(TRAFFIC, MODEL, "application/json", new byte[0]);
        }
        traffic.flush();
        traffic.images(TRAFFIC, MODEL, WINDOW, 0, 3);

        List<ConsumerRecord<byte[], byte[]>> dead = TrafficClient.readAll(DLQ, 30, WAIT);
        Map<String, Long> reasons = dead.stream().collect(Collectors.groupingBy(
                r -> new String(r.headers().lastHeader("varshift-reject-reason").value(), StandardCharsets.UTF_8),
                Collectors.counting()));
        assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.of("bad_magic", 5L, "missing_model_header", 5L,
                "unknown_model", 5L, "shape_mismatch", 5L, "unsupported_content_type", 5L, "empty", 5L));
        assertThat(dead).allSatisfy(r -> assertThat(r.headers().lastHeader("varshift-reject-message")).isNotNull());

        assertThat(TrafficClient.readAll(WINDOWS, 6, WAIT)).hasSize(6);
        await().atMost(WAIT).untilAsserted(() -> {
            String text = metrics();
            assertThat(metric(text, "varshift_records_consumed_total", "model=\"fmnist\"")).isEqualTo(6.0 * WINDOW);
            assertThat(metric(text, "varshift_records_rejected_total", "reason=\"bad_magic\"")).isEqualTo(5.0);
            assertThat(metric(text, "varshift_windows_closed_total", "model=\"fmnist\",version=\"1\"")).isEqualTo(6.0);
            assertThat(text).contains("varshift_forward_seconds_bucket{model=\"fmnist\"");
            assertThat(text).contains("varshift_consumer_lag_records");
            assertThat(text).contains("kafka_consumer_fetch_manager_records_consumed_total");
        });
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    @Order(4)
    void aNewVersionIsPickedUpAndACorruptOneIsRefused() {
        AgentStackResource.model.writeTo(AgentStackResource.store, MODEL);
        await().atMost(WAIT).until(() -> status().get("models").get(0)
                .get("version").asText().equals("2"));
        // Gauges of v1 are gone; counters (windows closed per version) keep their history.
        await().atMost(WAIT).untilAsserted(() -> assertThat(metrics().lines()
                .filter(l -> l.startsWith("varshift_layer_") && l.contains("version=\"1\""))).isEmpty());

        new ModelStore(AgentStackResource.store).write(MODEL, ArtifactContents.builder()
                .setModelJson(AgentStackResource.model.spec().toJson())
                .setReferenceJson(Json.object())
                .addParams(ModelLoader.PARAMS_FILE, new byte[] {1, 2, 3, 4})
                .build());
        await().atMost(WAIT).untilAsserted(() -> assertThat(metric(metrics(), "varshift_model_reloads_total",
                "model=\"fmnist\",outcome=\"refused\"")).isEqualTo(1.0));

        traffic.images(TRAFFIC, MODEL, WINDOW, 0, 4);
        List<ObjectNode> windows = json(TrafficClient.readAll(WINDOWS, 7, WAIT));
        assertThat(windows).hasSize(7);
        assertThat(windows.get(6).get("version").asText()).isEqualTo("2");
        assertThat(metric(metrics(), "varshift_model_reloads_total", "model=\"fmnist\",outcome=\"loaded\""))
                .isEqualTo(2.0);
        given().get("/q/health/ready").then().statusCode(200);
    }

    /** States of the model verdict and of every layer in the given windows. */
    static List<String> covariateStates(List<ObjectNode> windows) {
        return windows.stream().flatMap(w -> java.util.stream.Stream.concat(
                java.util.stream.Stream.of(w.get("modelVerdict").get("state").asText()),
                w.get("layers").valueStream().map(l -> l.get("state").asText())))
                .toList();
    }

    @Test
    @Order(5)
    void cleanTrafficInSameClassRunsOfSixteenRaisesNoAlarmInAHundredWindows() {
        traffic.imagesInOrder(TRAFFIC, MODEL, traffic.classOrder(100 * WINDOW, 16, 0, 0, 5));
        List<ObjectNode> windows = json(TrafficClient.readAll(WINDOWS, 107, Duration.ofSeconds(240)));
        assertThat(windows).hasSize(107);
        List<ObjectNode> bursty = windows.subList(7, 107);
        assertThat(bursty).allSatisfy(w -> assertThat(w.get("judged").asBoolean()).isTrue());
        assertThat(covariateStates(bursty)).doesNotContain("ALARM");
        // Runs of 16 in windows of 200 are a class mix far from the held-out one: the mix signal sees it.
        assertThat(bursty.stream().filter(w -> w.get("predictionMix").get("over").asBoolean()))
                .hasSizeGreaterThan(50);
    }

    @Test
    @Order(6)
    void aSixtyPercentOneClassMixRaisesThePredictionMixAlarmNotTheCovariateOne() {
        traffic.imagesInOrder(TRAFFIC, MODEL, traffic.classOrder(20 * WINDOW, 0, 7, 0.6, 6));
        List<ObjectNode> windows = json(TrafficClient.readAll(WINDOWS, 127, Duration.ofSeconds(120)));
        assertThat(windows).hasSize(127);
        List<ObjectNode> skewed = windows.subList(107, 127);
        assertThat(covariateStates(skewed)).doesNotContain("ALARM");
        assertThat(skewed.get(19).get("predictionMix").get("state").asText()).isEqualTo("ALARM");
        assertThat(json(TrafficClient.readAll(ALERTS, 0, Duration.ofSeconds(1))).stream()
                .filter(a -> a.get("kind").asText().equals("prediction-mix") && a.get("version").asText().equals("2"))
                .map(a -> a.get("to").asText())).contains("ALARM");
        await().atMost(WAIT).untilAsserted(() -> assertThat(metric(metrics(),
                "varshift_model_prediction_mix_alarm_state", "model=\"fmnist\",version=\"2\"")).isEqualTo(2.0));
    }
}
