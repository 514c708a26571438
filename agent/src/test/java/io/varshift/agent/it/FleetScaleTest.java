package io.varshift.agent.it;

import static io.varshift.agent.it.Faults.MODEL;
import static io.varshift.agent.it.Faults.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.varshift.core.json.Json;
import io.varshift.stack.KafkaBrokerExtension;

/**
 * Fleet mode at scale on the real broker: 8 traffic partitions, 3 agents (each with its share of the
 * fleet judge, Kafka Streams with exactly_once_v2). The agent hosting the model's judge task is killed
 * with SIGKILL while traffic flows and restarted, a fourth agent joins, a covariate shift starts, and
 * the judge's host is killed again while the alarm is up. Read as a read_committed reader would, the
 * fleet windows count every record exactly once, no window id or number repeats, the merged moments
 * equal those of a single agent over the same records, the alarm comes within two fleet windows of
 * the shift, and the alarm state outlives the judge's host.
 */
@ExtendWith(KafkaBrokerExtension.class)
class FleetScaleTest {

    static final int PARTITIONS = 8;
    /** The tiny model's calibrated window size. */
    static final int WINDOW = TinyFashionModel.WINDOW;
    static final int SLICE = 25;
    /** Clean records per partition in each of the three clean phases. */
    static final int PHASE = 50;
    /** Shifted records per partition before and after the second kill. */
    static final int SHIFTED = 75;
    static final int SHIFTED_AFTER_KILL = 50;
    static final int PER_PARTITION = 3 * PHASE + SHIFTED + SHIFTED_AFTER_KILL;
    static final int TOTAL = PARTITIONS * PER_PARTITION;
    /**
     * Moments of fleet and single agent differ only by rounding: the batches hold other samples, so
     * the probes' per-batch sums and the order of the double additions differ (measured: up to 2e-10
     * of a standard deviation for the means, 5e-10 relative for the variances).
     */
    static final double TOLERANCE = 1e-8;

    @Test
    void aFleetOfAgentsGivesOneVerdictPerModelExactlyOnceThroughKillsAndJoins() throws Exception {
        Faults.Run run = Faults.Run.fresh(KafkaBrokerExtension.bootstrapServers(), "fleet");
        run.createTopics(PARTITIONS, Map.of());
        run.createDeadLetterTopic();
        String partials = run.windowsTopic() + "-partials";
        Faults.Run single = new Faults.Run(run.bootstrap(), run.traffic(), run.windowsTopic() + "-single",
                run.windowsTopic() + "-single-dlq", run.group() + "-single", run.store());
        try (Admin admin = run.admin()) {
            admin.createTopics(List.of(new NewTopic(partials, 1, (short) 1), new NewTopic(single.windowsTopic(), 1,
                    (short) 1), new NewTopic(single.windowsTopic() + "-alerts", 1, (short) 1),
                    new NewTopic(single.dlq(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        // Up to five agent JVMs share the cores: one engine thread each (PyTorch's OpenMP threads spin).
        List<String> fleet = List.of("-Dvarshift.test.fleet.partials=" + partials,
                "-Dvarshift.test.fleet.slice-records=" + SLICE, "-Dvarshift.test.window.duration=PT6S",
                "-Dai.djl.pytorch.num_threads=1");
        List<Faults.Agent> agents = new ArrayList<>();
        long started = System.nanoTime();
        try (TrafficClient traffic = new TrafficClient(run.bootstrap())) {
            try {
                for (int i = 0; i < 3; i++) {
                    agents.add(Faults.Agent.start(run, run.group(), WINDOW, fleet));
                }
                // The single-agent reference reads the same records in a group of its own.
                agents.add(Faults.Agent.start(single, single.group(), WINDOW,
                        List.of("-Dvarshift.test.publish-moments=true", "-Dai.djl.pytorch.num_threads=1")));
                for (Faults.Agent a : agents) {
                    a.awaitHealthy(WAIT);
                }
                // Kept in the list (closed at the end) but never killed: the fleet helpers skip it by group.

                clean(traffic, run);
                Awaitility.await().atMost(WAIT).until(() -> !committedWindows(run).isEmpty());

                // SIGKILL the agent that hosts the model's judge task while traffic flows, and restart it.
                Faults.Agent host = judgeHost(run, agents);
                Thread flow = new Thread(() -> clean(traffic, run), "traffic");
                flow.start();
                host.kill();
                agents.remove(host);
                agents.add(Faults.Agent.start(run, run.group(), WINDOW, fleet));
                flow.join();

                // A fourth agent joins.
                agents.add(Faults.Agent.start(run, run.group(), WINDOW, fleet));
                clean(traffic, run);
                long clean = 3L * PHASE * PARTITIONS;
                Awaitility.await().atMost(WAIT).pollInterval(Duration.ofSeconds(1))
                        .until(() -> samples(committedWindows(run)) == clean);
                int cleanWindows = committedWindows(run).size();

                SplittableRandom random = new SplittableRandom(11);
                for (int p = 0; p < PARTITIONS; p++) {
                    traffic.noisyImagesTo(run.traffic(), p, MODEL, SHIFTED, 0.5, random);
                }
                Awaitility.await().atMost(WAIT).pollInterval(Duration.ofSeconds(1))
                        .until(() -> samples(committedWindows(run)) == clean + (long) SHIFTED * PARTITIONS);
                int alarmedWindows = committedWindows(run).size();

                // SIGKILL the judge's host again while the alarm is up: the alarm state lives in the store.
                judgeHost(run, agents).kill();
                for (int p = 0; p < PARTITIONS; p++) {
                    traffic.noisyImagesTo(run.traffic(), p, MODEL, SHIFTED_AFTER_KILL, 0.5, random);
                }
                Awaitility.await().atMost(WAIT).pollInterval(Duration.ofSeconds(1))
                        .until(() -> samples(committedWindows(run)) == TOTAL);
                List<ObjectNode> windows = committedWindows(run);
                System.out.printf("fleet: %d committed windows over %d records in %.0f s%n", windows.size(), TOTAL,
                        (System.nanoTime() - started) / 1e9);

                assertExactlyOnce(run, windows);
                assertAlarm(run, windows, cleanWindows, alarmedWindows);

                Awaitility.await().atMost(WAIT).pollInterval(Duration.ofSeconds(1))
                        .until(() -> samples(single.windows()) == TOTAL);
                assertSameMoments(windows, single.windows());
            } finally {
                for (Faults.Agent a : agents) {
                    a.close();
                }
            }
        }
    }

    /** Each record in exactly one committed fleet window; ids and numbers never repeat. */
    private static void assertExactlyOnce(Faults.Run run, List<ObjectNode> windows) {
        assertThat(windows).extracting(w -> w.get("windowId").asText()).as("committed window ids")
                .doesNotHaveDuplicates();
        assertThat(windows).extracting(w -> w.get("windowNumber").asLong()).as("window numbers, in order")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, windows.size()).boxed().toList());
        assertThat(samples(windows)).as("samples of all fleet windows").isEqualTo(TOTAL);
        Map<String, Integer> seen = new HashMap<>();
        for (ObjectNode w : windows) {
            long held = 0;
            for (JsonNode r : w.get("offsets")) {
                long first = r.get("first").asLong();
                long last = r.get("last").asLong();
                held += last - first + 1;
                for (long o = first; o <= last; o++) {
                    seen.merge(r.get("partition").asInt() + "@" + o, 1, Integer::sum);
                }
            }
            assertThat(w.get("samples").asLong()).as("samples of window %s", w.get("windowId")).isEqualTo(held);
            assertThat(w.get("model").asText()).isEqualTo(MODEL);
        }
        assertThat(seen).as("records covered").hasSize(TOTAL);
        assertThat(seen.values()).as("records in more than one window").containsOnly(1);
        for (int p = 0; p < PARTITIONS; p++) {
            for (long o = 0; o < PER_PARTITION; o++) {
                assertThat(seen).containsKey(p + "@" + o);
            }
        }
    }

    /**
     * No alarm on clean traffic; the model alarm within two fleet windows of the first shifted one, one
     * model alert to ALARM in all (a judge that lost its state would go through SUSPECT again), and
     * every window after the second kill still in ALARM.
     */
    private static void assertAlarm(Faults.Run run, List<ObjectNode> windows, int cleanWindows, int alarmedWindows) {
        List<String> states = windows.stream().map(w -> w.get("modelVerdict").get("state").asText())
                .toList();
        assertThat(states.subList(0, cleanWindows)).as("model states on clean traffic").doesNotContain("ALARM");
        int onset = cleanWindows;
        int firstAlarm = states.indexOf("ALARM");
        assertThat(firstAlarm).as("first ALARM window (onset at window %d)", onset + 1).isBetween(onset, onset + 1);
        assertThat(states.subList(firstAlarm, windows.size())).as("model states from the alarm on, across the kill")
                .containsOnly("ALARM");
        assertThat(windows.size()).as("windows after the second kill").isGreaterThan(alarmedWindows);
        List<ObjectNode> modelAlerts = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TrafficClient.readCommitted(run.bootstrap(),
                run.windowsTopic() + "-alerts")) {
            ObjectNode a = Json.parseObject(new String(r.value(), StandardCharsets.UTF_8));
            if (a.get("kind").asText().equals("model")) {
                modelAlerts.add(a);
            }
        }
        assertThat(modelAlerts).extracting(a -> a.get("to").asText()).as("model alerts")
                .containsExactly("SUSPECT", "ALARM");
        assertThat(modelAlerts.get(1).get("windowId").asText())
                .isEqualTo(windows.get(firstAlarm).get("windowId").asText());
    }

    /** Per layer and channel, the fleet's merged moments against the single agent's. */
    private static void assertSameMoments(List<ObjectNode> fleet, List<ObjectNode> single) {
        Map<String, double[][]> a = merged(fleet);
        Map<String, double[][]> b = merged(single);
        assertThat(a.keySet()).containsExactlyElementsOf(b.keySet());
        double worstMean = 0;
        double worstVariance = 0;
        for (String layer : a.keySet()) {
            double[][] x = a.get(layer);
            double[][] y = b.get(layer);
            assertThat(x[0][0]).as("values of layer %s", layer).isEqualTo(y[0][0]);
            for (int c = 0; c < x[1].length; c++) {
                double sd = Math.sqrt(y[2][c]);
                worstMean = Math.max(worstMean, Math.abs(x[1][c] - y[1][c]) / sd);
                worstVariance = Math.max(worstVariance, Math.abs(x[2][c] - y[2][c]) / y[2][c]);
            }
        }
        System.out.printf("fleet vs single agent: largest |Δmean|/sd %.2e, largest |Δvariance|/variance %.2e%n",
                worstMean, worstVariance);
        assertThat(worstMean).as("largest mean difference in standard deviations").isLessThan(TOLERANCE);
        assertThat(worstVariance).as("largest relative variance difference").isLessThan(TOLERANCE);
        assertThat(classCounts(fleet)).as("predicted classes").containsExactly(classCounts(single));
    }

    /** Per layer {count}, per-channel means and population variances of all windows together (Chan et al.). */
    private static Map<String, double[][]> merged(List<ObjectNode> windows) {
        Map<String, double[][]> out = new LinkedHashMap<>();
        for (ObjectNode w : windows) {
            for (JsonNode l : w.get("layers")) {
                JsonNode m = l.get("moments");
                double n = m.get("count").asDouble();
                JsonNode mean = m.get("mean");
                JsonNode variance = m.get("variance");
                double[][] acc = out.computeIfAbsent(l.get("layer").asText(),
                        k -> new double[][] {{0}, new double[mean.size()], new double[mean.size()]});
                double total = acc[0][0] + n;
                for (int c = 0; c < mean.size(); c++) {
                    double delta = mean.get(c).asDouble() - acc[1][c];
                    double m2 = acc[2][c] * acc[0][0] + variance.get(c).asDouble() * n
                            + delta * delta * acc[0][0] * n / total;
                    acc[1][c] += delta * n / total;
                    acc[2][c] = m2 / total;
                }
                acc[0][0] = total;
            }
        }
        return out;
    }

    private static long[] classCounts(List<ObjectNode> windows) {
        long[] total = null;
        for (ObjectNode w : windows) {
            JsonNode counts = w.get("predictedClassCounts");
            total = total == null ? new long[counts.size()] : total;
            for (int k = 0; k < counts.size(); k++) {
                total[k] += counts.get(k).asLong();
            }
        }
        return total;
    }

    /** Sends one phase of clean records, a few per partition at a time, over about two seconds. */
    private static void clean(TrafficClient traffic, Faults.Run run) {
        for (int round = 0; round < PHASE / 5; round++) {
            for (int p = 0; p < PARTITIONS; p++) {
                traffic.imagesTo(run.traffic(), p, MODEL, 5);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Every window result a read_committed reader sees, in topic order, duplicates included. */
    private static List<ObjectNode> committedWindows(Faults.Run run) {
        List<ObjectNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TrafficClient.readCommitted(run.bootstrap(), run.windowsTopic())) {
            out.add(Json.parseObject(new String(r.value(), StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static long samples(List<ObjectNode> windows) {
        return windows.stream().mapToLong(w -> w.get("samples").asLong()).sum();
    }

    /** The agent whose fleet judge holds the partials partition (the model's task), found by client id. */
    private static Faults.Agent judgeHost(Faults.Run run, List<Faults.Agent> agents) {
        String application = run.group() + "-fleet-judge";
        Faults.Agent[] host = new Faults.Agent[1];
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            try (Admin admin = run.admin()) {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(application)).all()
                        .get(20, TimeUnit.SECONDS).get(application);
                for (MemberDescription m : group.members()) {
                    boolean judges = m.assignment().topicPartitions().stream()
                            .anyMatch(tp -> tp.topic().equals(run.windowsTopic() + "-partials"));
                    for (Faults.Agent a : agents) {
                        if (judges && m.clientId().startsWith("varshift-agent-" + a.healthPort + "-")
                                && a.process.isAlive()) {
                            host[0] = a;
                            return true;
                        }
                    }
                }
                return false;
            }
        });
        return host[0];
    }
}
