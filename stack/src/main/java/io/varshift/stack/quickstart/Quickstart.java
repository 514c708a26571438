package io.varshift.stack.quickstart;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;

import io.varshift.core.artifact.ModelStore;
import io.varshift.core.json.Json;
import io.varshift.core.reference.ModelReference;
import io.varshift.stack.AppProcess;
import io.varshift.stack.LocalStack;
import io.varshift.stack.Processes;
import io.varshift.stack.StackException;
import io.varshift.stack.replay.Replay;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./varshift quickstart}: the whole product in one run on the local machine. Starts the stack,
 * trains a small model if the store has none, starts the agent, replays clean then shifted
 * Fashion-MNIST traffic, and prints what the agent saw: windows, variance ratios, alarms.
 * Exit 0 when the alarm fired in the shifted phase and never in the clean one.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run the whole product locally: stack, model, agent, clean then shifted traffic, timeline"
                + " (with --remediate also the remediation loop).")
public final class Quickstart implements Callable<Integer> {

    static final String TRAFFIC_TOPIC = "varshift-quickstart";
    static final String WINDOWS_TOPIC = "varshift-windows";
    static final String ALERTS_TOPIC = "varshift-alerts";
    static final String DEAD_LETTER_TOPIC = "varshift-dead-letter";
    static final String AUDIT_TOPIC = "varshift-remediation";
    static final int TRAINER_PORT = 8081;
    static final int AGENT_PORT = 8090;

    @Option(names = "--keep", description = "Leave the stack and the agent running at the end.")
    boolean keep;

    @Option(names = "--model", defaultValue = "fmnist", description = "Model name in the store (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--store", defaultValue = "${env:VARSHIFT_MODEL_STORE:-run}", description = "Model store root, holding models/NAME/VERSION (default ${DEFAULT-VALUE}).")
    Path store;

    @Option(names = "--windows", defaultValue = "4", description = "Windows of clean traffic, then as many of shifted traffic (default ${DEFAULT-VALUE}).")
    int windowsPerPhase;

    @Option(names = "--shift", defaultValue = "noise", description = "Covariate shift of the second phase (default ${DEFAULT-VALUE}).")
    String shift;

    @Option(names = "--severity", defaultValue = "0.5", description = "Shift severity in [0, 1] (default ${DEFAULT-VALUE}).")
    double severity;

    @Option(names = "--remediate", description = "Also run the trainer's remediation loop: the alarm is answered by a label-free"
            + " recalibration, verified and published; the agent reloads it and the timeline shows the layers back to OK.")
    boolean remediate;

    @Option(names = "--root", defaultValue = ".", hidden = true)
    Path root;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Quickstart());
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            System.err.println("quickstart: " + e.getMessage());
            return 1;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path runDir = root.resolve("run");
        LocalStack stack = new LocalStack(runDir.resolve("stack"));
        step("1/6 stack: Kafka broker and Prometheus");
        List<LocalStack.Component> started = stack.up(root.resolve("dashboards/prometheus/prometheus.yml"), Duration.ofSeconds(90));
        AppProcess agent = null;
        AppProcess trainer = null;
        try {
            step("2/6 model '" + model + "' in " + store);
            int windowSize = ensureModel();
            step("3/6 topics and agent (window = " + windowSize + " samples, the size the model was calibrated for)");
            String group = "varshift-quickstart-" + System.currentTimeMillis();
            Map<String, Long> start = prepareTopics(group);
            agent = AppProcess.start(root, "agent", List.of(
                    "-Dquarkus.http.port=" + AGENT_PORT,
                    "-Dvarshift.agent.bootstrap-servers=" + LocalStack.BOOTSTRAP,
                    "-Dvarshift.agent.group-id=" + group,
                    "-Dvarshift.agent.topics=" + TRAFFIC_TOPIC,
                    "-Dvarshift.agent.models=" + model,
                    "-Dvarshift.agent.model-store=" + store.toAbsolutePath(),
                    "-Dvarshift.agent.window.samples=" + windowSize,
                    "-Dvarshift.agent.reload-interval=" + (remediate ? "2s" : "10s")),
                    runDir.resolve("quickstart/agent.log"));
            agent.awaitHttpOk("http://127.0.0.1:" + AGENT_PORT + "/q/health/ready", Duration.ofSeconds(120));
            System.out.println("agent       ready on http://127.0.0.1:" + AGENT_PORT + ", log " + agent.log().normalize());
            if (remediate) {
                trainer = startRemediation(group, runDir);
            }

            int clean = windowsPerPhase * windowSize;
            // With --remediate the alarm windows must hold the loop's 2000 samples plus 3 windows to verify on
            // (and 3 to spare for the onset); whole windows only, so that no window waits open for more.
            int shifted = remediate ? Math.max(clean, (2000 / windowSize + 7) * windowSize) : clean;
            int total = clean + shifted;
            step("4/6 traffic: " + clean + " clean records, then " + shifted + " with " + shift + " (severity " + severity + ")");
            int replayed = Replay.run(System.out, System.err, "--bootstrap", LocalStack.BOOTSTRAP, "--topic", TRAFFIC_TOPIC,
                    "--model", model, "--rate", "0", "--count", Integer.toString(total),
                    "--shift", shift, "--severity", Double.toString(severity),
                    "--shift-after", Integer.toString(clean), "--progress-seconds", "10",
                    // the trainer calibrated on the first held-out images: replay others
                    "--start", "5000");
            if (replayed != 0) {
                throw new StackException("replay failed with exit code " + replayed);
            }
            if (remediate) {
                total += remediateAndReplay(start, clean);
            }

            step("5/6 windows published by the agent");
            Timeline timeline = new Timeline(TRAFFIC_TOPIC, start.get(TRAFFIC_TOPIC) + clean);
            read(timeline, start, total, Duration.ofSeconds(240));
            if (remediate) {
                readSteps(timeline, start.get(AUDIT_TOPIC));
            }
            print(timeline);
            Path png = TimelineChart.write(timeline, model, runDir.resolve("quickstart/variance-ratio.png"));

            step("6/6 where to look");
            System.out.println("chart       " + png.toAbsolutePath().normalize());
            System.out.println("metrics     http://127.0.0.1:" + AGENT_PORT + "/q/metrics");
            System.out.println("status      http://127.0.0.1:" + AGENT_PORT + "/status");
            System.out.println("prometheus  " + LocalStack.PROMETHEUS_URL + "/graph?g0.expr=varshift_layer_variance_ratio  ("
                    + prometheusSeries("varshift_layer_variance_ratio") + " series scraped so far)");
            System.out.println("dashboard   " + root.resolve("dashboards/grafana/varshift.json").normalize() + " (import into Grafana)");
            return remediate ? remediationVerdict(timeline) : verdict(timeline);
        } finally {
            if (keep) {
                System.out.println("--keep: the stack and the agent keep running; stop them with ./varshift stack down and kill "
                        + (agent == null ? "" : "the agent (pid in " + runDir.resolve("quickstart") + ")"));
                if (agent != null) {
                    java.nio.file.Files.writeString(runDir.resolve("quickstart/agent.pid"), agent.pid() + "\n");
                }
                if (trainer != null) {
                    System.out.println("--keep: the trainer with the remediation loop keeps running too (pid in "
                            + runDir.resolve("quickstart/trainer.pid") + ")");
                    java.nio.file.Files.writeString(runDir.resolve("quickstart/trainer.pid"), trainer.pid() + "\n");
                }
            } else {
                if (trainer != null) {
                    trainer.close();
                }
                if (agent != null) {
                    agent.close();
                }
                stack.down(started);
            }
        }
    }

    /**
     * The model's calibrated window size. Trains a small model first when the store has none, or
     * a new version when the latest one's reference is not readable by this build (calibrated by
     * an older one); the older versions stay in the store.
     */
    private int ensureModel() {
        ModelStore models = new ModelStore(store);
        OptionalInt latest = models.latestVersion(model);
        ModelReference reference = null;
        if (latest.isEmpty()) {
            System.out.println("no model '" + model + "' yet: training a small ConvNet for 1 epoch on Fashion-MNIST (a few minutes on 2 cores)");
        } else {
            try {
                reference = ModelReference.fromJson(models.load(model, latest.getAsInt()).referenceJson());
                System.out.println("using model '" + model + "' v" + latest.getAsInt() + " (delete " + store.resolve("models").resolve(model) + " to retrain)");
            } catch (IllegalArgumentException e) {
                System.out.println("model '" + model + "' v" + latest.getAsInt() + " is not readable by this build ("
                        + e.getMessage() + "): training a new version for 1 epoch (a few minutes on 2 cores)");
            }
        }
        if (reference == null) {
            int exit = AppProcess.runToEnd(root, "trainer", List.of("train", "--model", model, "--epochs", "1"), Duration.ofMinutes(20));
            if (exit != 0) {
                throw new StackException("training failed (exit " + exit + ")");
            }
            latest = models.latestVersion(model);
            if (latest.isEmpty()) {
                throw new StackException("the trainer finished but model '" + model + "' is not in " + store);
            }
            reference = ModelReference.fromJson(models.load(model, latest.getAsInt()).referenceJson());
        }
        // The calibrated size nearest 256: four clean windows then take about a thousand images.
        return reference.calibration()
                .flatMap(c -> c.windowSizes().stream().min(Comparator.comparingDouble(w -> Math.abs(Math.log(w / 256.0)))))
                .orElseThrow(() -> new StackException("model '" + model + "' has no calibration; retrain it"));
    }

    /** Fresh traffic topic; returns the end offsets (before this run) of the topics we read. */
    /**
     * Creates the topics if needed and returns the end offsets before this run. The agent's new
     * consumer group gets the traffic topic's end committed, so that it reads this run's records
     * only: the broker keeps earlier runs' traffic under run/stack.
     */
    private Map<String, Long> prepareTopics(String agentGroup) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.BOOTSTRAP))) {
            for (String topic : List.of(TRAFFIC_TOPIC, WINDOWS_TOPIC, ALERTS_TOPIC, DEAD_LETTER_TOPIC, AUDIT_TOPIC)) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new StackException("cannot create topic " + topic + ": " + e.getCause().getMessage(), e);
                    }
                }
            }
            Map<String, Long> ends = new java.util.HashMap<>();
            for (String topic : List.of(TRAFFIC_TOPIC, WINDOWS_TOPIC, ALERTS_TOPIC, AUDIT_TOPIC)) {
                TopicPartition partition = new TopicPartition(topic, 0);
                ends.put(topic, admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS)
                        .get(partition).offset());
            }
            admin.alterConsumerGroupOffsets(agentGroup, Map.of(new TopicPartition(TRAFFIC_TOPIC, 0),
                    new OffsetAndMetadata(ends.get(TRAFFIC_TOPIC)))).all().get(30, TimeUnit.SECONDS);
            return ends;
        }
    }

    /** Reads window results and alerts from this run until the windows cover every replayed sample. */
    private static void read(Timeline timeline, Map<String, Long> start, long samples, Duration timeout) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, LocalStack.BOOTSTRAP,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition windows = new TopicPartition(WINDOWS_TOPIC, 0);
            TopicPartition alerts = new TopicPartition(ALERTS_TOPIC, 0);
            consumer.assign(List.of(windows, alerts));
            consumer.seek(windows, start.get(WINDOWS_TOPIC));
            consumer.seek(alerts, start.get(ALERTS_TOPIC));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (timeline.samples() < samples && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode json = Json.parseObject(record.value());
                    if (record.topic().equals(WINDOWS_TOPIC)) {
                        timeline.addWindow(json);
                    } else {
                        timeline.addAlert(json);
                    }
                }
            }
            // alerts of the last window are published with it; one more poll picks up stragglers
            consumer.poll(Duration.ofMillis(1000)).forEach(r -> {
                if (r.topic().equals(ALERTS_TOPIC)) {
                    timeline.addAlert(Json.parseObject(r.value()));
                }
            });
        }
        if (timeline.samples() < samples) {
            System.out.println("warning: windows cover " + timeline.samples() + " of " + samples
                    + " samples after " + timeout.toSeconds() + " s; the timeline is partial");
        }
    }

    private static void print(Timeline timeline) {
        List<String> layers = timeline.layerNames();
        StringBuilder header = new StringBuilder(String.format("%-7s %-8s %-7s %-8s", "window", "phase", "version", "samples"));
        layers.forEach(l -> header.append(String.format(" %14s", l)));
        System.out.println(header);
        System.out.println("        (each layer: variance ratio live/stored, then * when the drift score is over its threshold, ! in ALARM)");
        List<Timeline.Step> steps = new ArrayList<>(timeline.steps());
        for (Timeline.Window w : timeline.windows()) {
            while (!steps.isEmpty() && w.closedAt() != null && steps.get(0).at().compareTo(w.closedAt()) < 0) {
                printStep(steps.remove(0));
            }
            StringBuilder line = new StringBuilder(String.format("%-7d %-8s %-7s %-8d", w.number(), w.phase().name().toLowerCase(),
                    "v" + w.version(), w.samples()));
            for (String layer : layers) {
                Timeline.LayerPoint p = w.layers().stream().filter(l -> l.layer().equals(layer)).findFirst().orElse(null);
                String mark = p == null ? "" : ("ALARM".equals(p.state()) ? "!" : p.driftScore() > p.driftThreshold() ? "*" : "");
                line.append(String.format(" %13.3f%1s", p == null ? Double.NaN : p.varianceRatio(), mark));
            }
            System.out.println(line);
        }
        steps.forEach(Quickstart::printStep);
        for (Timeline.Alert a : timeline.alerts()) {
            System.out.printf("alert       window %d  %-14s %s -> %s  (drift score %.2f, threshold %.2f)%n",
                    a.windowNumber(), a.layer(), a.from(), a.to(), a.value(), a.threshold());
        }
    }

    /** One remediation step between the windows: what the loop did, when, and its key figures. */
    private static void printStep(Timeline.Step s) {
        JsonNode d = s.detail();
        String about = switch (s.step()) {
            case "triggered" -> "model alarm on v" + d.get("version").asInt() + " for " + d.get("alarmWindows").asInt()
                    + " windows, " + d.get("samples").asLong() + " samples in the alarm windows";
            case "gathered" -> d.get("recalibrationSamples").asInt() + " samples to recalibrate on, "
                    + d.get("verificationSamples").asInt() + " to verify on";
            case "verified" -> String.format("candidate: %d of %d verification windows over (v1: %d), held-out accuracy %.4f -> %.4f",
                    d.get("traffic").get("candidate").get("windowsOver").asInt(),
                    d.get("traffic").get("windows").asInt(),
                    d.get("traffic").get("source").get("windowsOver").asInt(),
                    d.get("heldOut").get("accuracySource").asDouble(),
                    d.get("heldOut").get("accuracyCandidate").asDouble());
            default -> d.has("message") ? d.get("message").asText() : "";
        };
        System.out.printf("  >> remediation %-10s %s%n", s.step(), about);
    }

    private static int verdict(Timeline timeline) {
        boolean cleanAlarm = timeline.alarmIn(Timeline.Phase.CLEAN);
        boolean shiftedAlarm = timeline.alarmIn(Timeline.Phase.SHIFTED) || timeline.alarmIn(Timeline.Phase.MIXED);
        if (!cleanAlarm && shiftedAlarm) {
            System.out.println("RESULT      no alarm on clean traffic; alarm on shifted traffic in layers " + timeline.alarmedLayers());
            return 0;
        }
        System.out.println("RESULT      unexpected: alarm on clean traffic = " + cleanAlarm + ", alarm on shifted traffic = " + shiftedAlarm);
        return 1;
    }

    /** The trainer serving with the remediation loop on (mode auto), reading this run's window results. */
    private AppProcess startRemediation(String group, Path runDir) {
        AppProcess trainer = AppProcess.start("trainer", AppProcess.jar(root, "trainer"), List.of(
                "-Dquarkus.http.port=" + TRAINER_PORT,
                "-Dvarshift.trainer.model-store=" + store.toAbsolutePath(),
                "-Dvarshift.trainer.remediation.enabled=true",
                "-Dvarshift.trainer.remediation.mode=auto",
                "-Dvarshift.trainer.remediation.bootstrap-servers=" + LocalStack.BOOTSTRAP,
                "-Dvarshift.trainer.remediation.window-results-topic=" + WINDOWS_TOPIC,
                "-Dvarshift.trainer.remediation.audit-topic=" + AUDIT_TOPIC,
                "-Dvarshift.trainer.remediation.group-id=" + group + "-remediation"),
                List.of("serve"), Map.of(), runDir.resolve("quickstart/trainer.log"));
        trainer.awaitHttpOk("http://127.0.0.1:" + TRAINER_PORT + "/q/health/ready", Duration.ofSeconds(120));
        System.out.println("trainer     serving with the remediation loop on http://127.0.0.1:" + TRAINER_PORT
                + ", log " + trainer.log().normalize());
        // The loop's group starts at the end of the window results; give it time to join before the traffic.
        Processes.sleep(3000);
        return trainer;
    }

    /**
     * Waits for the loop to publish a new version (the agent reloads it within its 2 s interval), then
     * replays the same shift again; returns the records replayed.
     */
    private int remediateAndReplay(Map<String, Long> start, int records) throws Exception {
        step("4b/6 remediation: waiting for the loop to trigger, recalibrate, verify and publish");
        String outcome = awaitOutcome(start.get(AUDIT_TOPIC), Duration.ofSeconds(300));
        System.out.println("remediation " + outcome);
        if (!outcome.startsWith("promoted")) {
            return 0;
        }
        Processes.sleep(4000);
        System.out.println("traffic     " + records + " more records with " + shift + " (severity " + severity + "), judged by the new version");
        int replayed = Replay.run(System.out, System.err, "--bootstrap", LocalStack.BOOTSTRAP, "--topic", TRAFFIC_TOPIC,
                "--model", model, "--rate", "0", "--count", Integer.toString(records), "--shift", shift,
                "--severity", Double.toString(severity), "--progress-seconds", "10", "--start", "8000");
        if (replayed != 0) {
            throw new StackException("replay failed with exit code " + replayed);
        }
        return records;
    }

    /** The first final step of a remediation in the audit topic, e.g. "promoted (v2)", or "none" on timeout. */
    private static String awaitOutcome(long from, Duration timeout) {
        try (KafkaConsumer<String, String> consumer = auditConsumer(from)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode json = Json.parseObject(r.value());
                    String step = json.get("step").asText();
                    JsonNode detail = json.get("detail");
                    if (List.of("promoted", "rejected", "failed", "discarded", "dry-run").contains(step)) {
                        return step + (detail.has("version") ? " (v" + detail.get("version").asInt() + ")" : "")
                                + (detail.has("message") ? ": " + detail.get("message").asText() : "");
                    }
                }
            }
        }
        return "none within " + timeout.toSeconds() + " s";
    }

    private static KafkaConsumer<String, String> auditConsumer(long from) {
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                LocalStack.BOOTSTRAP, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                new StringDeserializer());
        TopicPartition audit = new TopicPartition(AUDIT_TOPIC, 0);
        consumer.assign(List.of(audit));
        consumer.seek(audit, from);
        return consumer;
    }

    /** This run's audit records into the timeline. */
    private static void readSteps(Timeline timeline, long from) {
        try (KafkaConsumer<String, String> consumer = auditConsumer(from)) {
            for (int empty = 0; empty < 2; ) {
                var records = consumer.poll(Duration.ofMillis(1000));
                empty = records.isEmpty() ? empty + 1 : 0;
                records.forEach(r -> timeline.addStep(Json.parseObject(r.value())));
            }
        }
    }

    private static int remediationVerdict(Timeline timeline) {
        int basic = verdict(timeline);
        String version = timeline.promotedVersion();
        if (basic == 0 && version != null && timeline.recoveredOn(version)) {
            System.out.println("RESULT      remediated: v" + version + " published by the loop, its last window has every"
                    + " layer OK on the same shifted traffic");
            return 0;
        }
        System.out.println("RESULT      not remediated: " + (version == null ? "the loop published no version"
                : "v" + version + "'s last window still has a layer over its threshold"));
        return 1;
    }

    private static long prometheusSeries(String metric) {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String url = LocalStack.PROMETHEUS_URL + "/api/v1/query?query=" + URLEncoder.encode(metric, StandardCharsets.UTF_8);
            String body = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            JsonNode result = Json.parse(body).get("data").get("result");
            return result.isArray() ? result.size() : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    private static void step(String what) {
        System.out.println();
        System.out.println("== " + what);
    }
}
