package io.varshift.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.varshift.core.codec.NpyWriter;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.stack.AppProcess;
import io.varshift.stack.KafkaBrokerExtension;
import io.varshift.stack.Processes;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remediation loop end to end on a real broker: a freshly trained model, the agent's runner jar and
 * the trainer's runner jar serving with the loop on (mode approve). Clean traffic and a class-mix-only
 * change start no remediation; shifted traffic raises the model alarm, the loop gathers the alarm
 * windows' traffic, recalibrates and verifies a candidate, which an approval (bearer token) publishes;
 * the agent hot-reloads it and, on the same shifted traffic, every layer is OK again. A rollback to v1
 * then publishes v3, the alarm comes back, and the rate limit holds the loop back.
 */
@ExtendWith(KafkaBrokerExtension.class)
class RemediationEndToEndIT {

    private static final String MODEL = "remed";
    private static final String TOKEN = "e2e-token";
    private static final int WINDOW = 64;
    private static final String SHIFT = "contrast";
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String TRAFFIC = "remed-traffic-" + RUN;
    private static final String WINDOWS = "remed-windows-" + RUN;
    private static final String AUDIT = "remed-audit-" + RUN;

    @TempDir
    static Path dir;

    private static AppProcess agent;
    private static AppProcess trainer;
    private static String trainerUrl;
    private static String agentStatusUrl;
    private static TopicTail windows;
    private static TopicTail audit;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startTheLoop() throws Exception {
        Path store = dir.resolve("store");
        try (AppProcess train = EndToEnd.startApp("trainer", EndToEnd.trainerJar(),
                Map.of("varshift.trainer.model-store", store.toString()),
                List.of("train", "--model", MODEL, "--width", "4", "--limit", "2000", "--held-out", "1000",
                        "--window-size", Integer.toString(WINDOW), "--replicates", "300"), dir.resolve("train.log"))) {
            train.awaitSuccess(Duration.ofSeconds(300));
        }
        KafkaBrokerExtension.createTopic(AUDIT, 1);
        int agentPort = EndToEnd.freePort();
        agentStatusUrl = "http://127.0.0.1:" + agentPort + "/status";
        Map<String, String> agentConfig = EndToEnd.agentConfig("remed", RUN, agentPort, List.of(MODEL), store, WINDOW);
        agentConfig.put("varshift.agent.reload-interval", "1s");
        agent = EndToEnd.startApp("agent", EndToEnd.agentJar(), agentConfig, List.of(), dir.resolve("agent.log"));

        int trainerPort = EndToEnd.freePort();
        trainerUrl = "http://127.0.0.1:" + trainerPort;
        Map<String, String> trainerConfig = new java.util.LinkedHashMap<>();
        trainerConfig.put("quarkus.http.port", Integer.toString(trainerPort));
        trainerConfig.put("varshift.trainer.model-store", store.toString());
        trainerConfig.put("varshift.trainer.api-token", TOKEN);
        trainerConfig.put("varshift.trainer.remediation.enabled", "true");
        trainerConfig.put("varshift.trainer.remediation.mode", "approve");
        trainerConfig.put("varshift.trainer.remediation.bootstrap-servers", KafkaBrokerExtension.bootstrapServers());
        trainerConfig.put("varshift.trainer.remediation.window-results-topic", WINDOWS);
        trainerConfig.put("varshift.trainer.remediation.audit-topic", AUDIT);
        trainerConfig.put("varshift.trainer.remediation.group-id", "remed-controller-" + RUN);
        trainerConfig.put("varshift.trainer.remediation.persist-windows", "2");
        trainerConfig.put("varshift.trainer.remediation.records", "384");
        trainerConfig.put("varshift.trainer.remediation.verify-windows", "3");
        trainerConfig.put("varshift.trainer.remediation.interval", "10m");
        trainer = EndToEnd.startApp("trainer", EndToEnd.trainerJar(), trainerConfig, List.of("serve"),
                dir.resolve("trainer.log"));
        agent.awaitHttpOk("http://127.0.0.1:" + agentPort + "/q/health/ready", Duration.ofSeconds(120));
        trainer.awaitHttpOk(trainerUrl + "/q/health/ready", Duration.ofSeconds(120));
        windows = new TopicTail(WINDOWS);
        audit = new TopicTail(AUDIT);
        // The controller's group starts at the end of the window results: let it join before any window closes.
        EndToEnd.await(Duration.ofSeconds(60), "the controller's consumer group",
                () -> groupHasMembers("remed-controller-" + RUN));
    }

    @AfterAll
    static void stopTheLoop() {
        for (AutoCloseable c : new AutoCloseable[] {windows, audit, trainer, agent}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.err.println("remediation e2e: closing: " + e);
            }
        }
    }

    @Test
    void aPersistentShiftIsRemediatedAndTheAgentRecoversWhileCleanAndClassMixTrafficAreLeftAlone() throws Exception {
        // Test images from 1000 on: the first 1000 are the model's held-out data.
        replay("--count", "640", "--start", "1000");
        awaitWindows(10, "clean");
        sendOnlyClasses(640, 0, 1);
        awaitWindows(20, "class-mix-only");
        List<ObjectNode> mixWindows = windows.records().subList(10, 20);
        assertThat(mixWindows).as("the class-mix-only windows move the prediction-mix signal")
                .anyMatch(w -> w.get("predictionMix").get("over").asBoolean());
        assertThat(windows.records()).as("model-level state on clean and class-mix-only traffic")
                .noneMatch(w -> "ALARM".equals(modelState(w)));
        Processes.sleep(2000);
        assertThat(audit.records()).as("audit records after clean and class-mix-only traffic").isEmpty();
        assertThat(Json.parse(get("/remediations"))).isEmpty();

        Instant onset = Instant.now();
        replay("--count", "768", "--start", "3000", "--shift", SHIFT, "--severity", "0.5");
        ObjectNode awaiting = awaitAuditStep("awaiting-approval");
        String id = awaiting.get("remediation").asText();
        ObjectNode remediation = Json.parseObject(get("/remediations/" + id));
        System.out.println("remediation e2e: " + remediation);
        assertThat(remediation.get("state").asText()).isEqualTo("AWAITING_APPROVAL");
        assertThat(remediation.get("trigger").get("version").asInt()).isEqualTo(1);
        JsonNode checks = remediation.get("checks");
        assertThat(checks.get("traffic").get("source").get("windowsOver").asInt())
                .as("the source version's verdicts on the verification windows").isPositive();
        assertThat(checks.get("traffic").get("candidate").get("windowsOver").asInt())
                .isZero();
        assertThat(steps()).containsSubsequence("triggered", "gathered", "verified", "awaiting-approval");

        assertThat(post("/remediations/" + id + "/approve", null, null).statusCode()).as("approve without the token")
                .isEqualTo(401);
        HttpResponse<String> approved = post("/remediations/" + id + "/approve", TOKEN, null);
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        ObjectNode promoted = Json.parseObject(approved.body());
        assertThat(promoted.get("state").asText()).isEqualTo("PROMOTED");
        assertThat(promoted.get("publishedVersion").asInt()).isEqualTo(2);
        JsonNode provenance = versionJson(2).get("provenance");
        assertThat(provenance.get("method").asText()).isEqualTo("remediate");
        assertThat(provenance.get("remediation").asText()).isEqualTo(id);
        assertThat(provenance.get("trigger").get("offsets")).isNotEmpty();
        assertThat(provenance.get("checks").get("passed").asBoolean()).isTrue();

        // The same shift goes on; the agent judges it with v2. It finds v2 at its next store poll (every
        // second) and swaps at a window boundary: traffic sent before that is judged, rightly, by v1.
        awaitAgentServing("2");
        int before = windows.records().size();
        replay("--count", "640", "--start", "4000", "--shift", SHIFT, "--severity", "0.5");
        EndToEnd.await(Duration.ofSeconds(90), () -> "4 windows of v2 (windows since the approval, by version: "
                + versionCounts(before) + "); agent log:\n" + agent.tail(30) + "\nagent threads:\n"
                + agent.threadDump(),
                () -> versionWindows(before, "2").size() >= 4);
        List<ObjectNode> v2 = versionWindows(before, "2");
        Instant recovered = Instant.parse(v2.get(0).get("closedAt").asText());
        System.out.println("remediation e2e: onset " + onset + ", first v2 window closed " + recovered + " ("
                + Duration.between(onset, recovered).toMillis() / 1000.0 + " s, with the approval)");
        for (ObjectNode w : v2) {
            assertThat(modelState(w)).as("v2 window %s", w.get("windowNumber")).isEqualTo("OK");
            for (JsonNode l : w.get("layers")) {
                assertThat(l.get("state").asText()).as("v2 layer %s", l).isEqualTo("OK");
            }
        }

        // Rollback: v1 again as v3; the shift alarms again and the rate limit holds the loop back.
        HttpResponse<String> rollback = post("/models/" + MODEL + "/rollback", TOKEN, "{\"version\": 1}");
        assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(201);
        assertThat(Json.parseObject(rollback.body()).get("version").asInt()).isEqualTo(3);
        assertThat(versionJson(3).get("provenance").get("method").asText()).isEqualTo("rollback");
        awaitAgentServing("3");
        replay("--count", "768", "--start", "5000", "--shift", SHIFT, "--severity", "0.5");
        awaitAuditStep("held");
        assertThat(Json.parse(get("/remediations"))).hasSize(1);
        assertThat(steps()).contains("rollback", "held");

        List<String> metrics = get("/q/metrics").lines().filter(l -> l.startsWith("varshift_remediation")).toList();
        assertThat(metrics).as("remediation metrics as scraped")
                .anyMatch(l -> l.startsWith("varshift_remediations_total{") && l.contains("outcome=\"promoted\"")
                        && l.endsWith(" 1.0"))
                .anyMatch(l -> l.startsWith("varshift_remediation_steps_total{") && l.contains("step=\"held\""))
                .anyMatch(l -> l.startsWith("varshift_remediation_steps_total{") && l.contains("step=\"rollback\""));
    }

    private static String modelState(ObjectNode window) {
        return window.get("modelVerdict").get("state").asText();
    }

    private static List<ObjectNode> versionWindows(int from, String version) {
        List<ObjectNode> all = windows.records();
        return all.subList(from, all.size()).stream().filter(w -> version.equals(w.get("version").asText()))
                .toList();
    }

    /** Waits until the agent's /status shows it serving {@code version} of the model. */
    private static void awaitAgentServing(String version) {
        EndToEnd.await(Duration.ofSeconds(30), () -> "the agent serving v" + version + "; agent log:\n" + agent.tail(20),
                () -> version.equals(servedVersion()));
    }

    private static String servedVersion() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(agentStatusUrl)).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode m : Json.parseObject(r.body()).get("models")) {
                if (MODEL.equals(m.get("model").asText())) {
                    return m.get("version").asText();
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Map<String, Long> versionCounts(int from) {
        List<ObjectNode> all = windows.records();
        return all.subList(from, all.size()).stream().collect(java.util.stream.Collectors.groupingBy(
                w -> w.get("version").asText(), java.util.TreeMap::new, java.util.stream.Collectors.counting()));
    }

    private static List<String> steps() {
        return audit.records().stream().map(r -> r.get("step").asText()).toList();
    }

    private static void awaitWindows(int count, String phase) {
        EndToEnd.await(Duration.ofSeconds(90), () -> count + " windows (" + phase + "); agent log:\n" + agent.tail(20),
                () -> windows.records().size() >= count);
    }

    /** The first audit record of the step; fails at once on a remediation that ended otherwise. */
    private static ObjectNode awaitAuditStep(String step) {
        ObjectNode[] found = new ObjectNode[1];
        EndToEnd.await(Duration.ofSeconds(180), () -> "audit step '" + step + "'; trainer log:\n" + trainer.tail(30), () -> {
            for (ObjectNode r : audit.records()) {
                String s = r.get("step").asText();
                if (List.of("rejected", "failed", "discarded").contains(s)) {
                    throw new AssertionError("the remediation ended " + s + ": " + r);
                }
                if (s.equals(step)) {
                    found[0] = r;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static JsonNode versionJson(int version) throws Exception {
        for (JsonNode v : Json.parse(get("/models/" + MODEL + "/versions"))) {
            if (v.get("version").asInt() == version) {
                return v.get("model");
            }
        }
        throw new AssertionError("no v" + version + " of " + MODEL);
    }

    private static void replay(String... args) {
        EndToEnd.replay(TRAFFIC, MODEL, args);
    }

    /** Clean test images of the given classes only: the class mix changes, the inputs do not. */
    private static void sendOnlyClasses(int count, int... classes) throws Exception {
        ImageSet test = FashionMnist.installed().test();
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerExtension.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            float[] sample = new float[784];
            int sent = 0;
            for (int i = 2000; i < test.size() && sent < count; i++) {
                int label = test.label(i);
                if (java.util.Arrays.stream(classes).noneMatch(c -> c == label)) {
                    continue;
                }
                for (int j = 0; j < 784; j++) {
                    sample[j] = test.value(i, j);
                }
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(TRAFFIC, NpyWriter.float32(sample, 1, 28, 28));
                record.headers().add("varshift-model", MODEL.getBytes(StandardCharsets.UTF_8));
                producer.send(record);
                sent++;
            }
            producer.flush();
            assertThat(sent).isEqualTo(count);
        }
    }

    private static boolean groupHasMembers(String group) {
        try (var admin = KafkaBrokerExtension.admin()) {
            return !admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group).members()
                    .isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private static String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(trainerUrl + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET " + path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    private static HttpResponse<String> post(String path, String token, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(trainerUrl + path))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
