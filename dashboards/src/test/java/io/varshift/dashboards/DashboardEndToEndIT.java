package io.varshift.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.varshift.stack.AppProcess;
import io.varshift.stack.KafkaBrokerExtension;
import io.varshift.stack.Processes;
import io.varshift.stack.PrometheusServer;
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
 * The operator's view end to end: a real broker, a freshly trained model, the agent's runner jar,
 * Debian's Prometheus with this module's scrape config and rules, and replayed Fashion-MNIST traffic,
 * clean and then inverted. The clean phase raises no alarm; the shifted one makes VarianceShiftAlarm
 * pending or firing; afterwards every query of every dashboard panel returns data.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DashboardEndToEndIT {

    private static final String MODEL = "fmnist";
    private static final int WINDOW = 200;
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String TRAFFIC = "e2e-traffic-" + RUN;

    @TempDir
    static Path dir;

    private static AppProcess agent;
    private static PrometheusServer prometheus;
    private static PrometheusApi api;

    @BeforeAll
    static void startTheStack() throws Exception {
        Path store = dir.resolve("store");
        Path trainerJar = EndToEnd.trainerJar();
        Path agentJar = EndToEnd.agentJar();
        try (AppProcess trainer = EndToEnd.startApp("trainer", trainerJar, Map.of("varshift.trainer.model-store", store.toString()),
                List.of("train", "--model", MODEL, "--width", "8", "--limit", "4000", "--held-out", "2000",
                        "--window-size", Integer.toString(WINDOW), "--replicates", "200"), dir.resolve("trainer.log"))) {
            trainer.awaitSuccess(Duration.ofSeconds(300));
        }

        int agentPort = EndToEnd.freePort();
        Map<String, String> config = EndToEnd.agentConfig("e2e", RUN, agentPort, List.of(MODEL), store, WINDOW);
        config.put("varshift.agent.batch-size", "32");
        // Below 1 so that the sampled-out counter, and its panel, have data too.
        config.put("varshift.agent.sample-rate", "0.95");
        agent = EndToEnd.startApp("agent", agentJar, config, List.of(), dir.resolve("agent.log"));
        String metrics = "http://127.0.0.1:" + agentPort + "/q/metrics";
        EndToEnd.await(Duration.ofSeconds(120), "the agent serving " + metrics, () -> agent.alive() && ok(metrics));

        Path promConfig = dir.resolve("prometheus.yml");
        Files.writeString(promConfig, Files.readString(DashboardFiles.PROMETHEUS_CONFIG)
                .replace("127.0.0.1:8090", "127.0.0.1:" + agentPort)
                .replace("rules/", DashboardFiles.ROOT.resolve("prometheus/rules").toString() + "/"));
        prometheus = PrometheusServer.start(promConfig, dir.resolve("prometheus"), EndToEnd.freePort(), Duration.ofSeconds(60));
        api = new PrometheusApi(prometheus.url());
        EndToEnd.await(Duration.ofSeconds(60), "Prometheus scraping the agent", () -> api.value("up{job=\"varshift-agent\"}") == 1);
    }

    @AfterAll
    static void stopTheStack() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void cleanTrafficRaisesNoAlarmShiftedTrafficDoesAndEveryPanelHasData() {
        // Test images from 5000 on: the trainer calibrated on the first 2000 held-out ones.
        replay("--count", "1200", "--start", "5000");
        EndToEnd.await(Duration.ofSeconds(120), "5 clean windows in Prometheus",
                () -> api.value("sum(varshift_windows_closed_total)") >= 5);
        assertThat(api.value("max(max_over_time(varshift_layer_alarm_state[10m]))"))
                .as("highest alarm state during clean traffic (2 = ALARM); agent log:\n" + agent.tail(40))
                .isLessThan(2);

        sendGarbage();
        replay("--count", "1200", "--start", "6200", "--shift", "invert", "--severity", "1");
        EndToEnd.await(Duration.ofSeconds(120), () -> "VarianceShiftAlarm pending or firing; agent log:\n" + agent.tail(40),
                () -> !varianceShiftAlerts().isEmpty());
        System.out.println("e2e: after " + api.value("sum(varshift_windows_closed_total)") + " windows, VarianceShiftAlarm "
                + varianceShiftAlerts());

        List<String> queries = GrafanaDashboard.load().panelExprs().stream()
                .map(GrafanaDashboard::withVariablesSelectingAll).toList();
        List<String> empty = new ArrayList<>(queries);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!empty.isEmpty() && System.nanoTime() < deadline) {
            empty.removeIf(q -> !api.query(q).isEmpty());
            Processes.sleep(2000);
        }
        assertThat(empty).as("dashboard panel queries without data after clean and shifted traffic").isEmpty();
    }

    /** "layer=state" of each VarianceShiftAlarm alert that is pending or firing. */
    private static List<String> varianceShiftAlerts() {
        return api.alerts().stream()
                .filter(a -> "VarianceShiftAlarm".equals(a.path("labels").path("alertname").asText()))
                .filter(a -> List.of("pending", "firing").contains(a.path("state").asText()))
                .map(a -> a.path("labels").path("layer").asText() + "=" + a.path("state").asText())
                .toList();
    }

    private static void replay(String... args) {
        System.out.print("e2e: " + EndToEnd.replay(TRAFFIC, MODEL, args) + "\n");
    }

    /** One record the agent must dead-letter, so that the rejects panel has a reason to show. */
    private static void sendGarbage() {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerExtension.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(TRAFFIC, "not an array".getBytes(StandardCharsets.US_ASCII));
            record.headers().add("varshift-model", MODEL.getBytes(StandardCharsets.UTF_8));
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot send the garbage record: " + e, e);
        }
    }

    private static boolean ok(String url) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build();
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
