package io.varshift.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.varshift.core.json.Json;

/**
 * What every fault test shares: fresh topics, the agent as a child JVM ({@link AgentProcess}) with its
 * health endpoint, and the check that after the fault every valid record is in exactly one published
 * window (by distinct windowId) or not yet committed (it will be re-read), every bad one is in the
 * dead-letter topic, and the agent is healthy again.
 */
final class Faults {

    /** Small windows keep each fault test to a few hundred records. */
    static final int WINDOW = 50;
    static final String MODEL = "fmnist";
    static final Duration WAIT = Duration.ofSeconds(120);

    private Faults() {
    }

    /** The topics and group of one test, under a fresh name. */
    record Run(String bootstrap, String traffic, String windowsTopic, String dlq, String group, Path store) {

        static Run fresh(String bootstrap, String name) throws IOException {
            String id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
            Path store = Files.createTempDirectory("varshift-fault-store-");
            TinyFashionModel.shared().writeTo(store, MODEL);
            return new Run(bootstrap, id + "-traffic", id + "-windows", id + "-windows-dlq", id + "-agent", store);
        }

        /** A fresh run with a traffic topic of {@code partitions}, its windows topic and its dead-letter topic. */
        static Run withTopics(String bootstrap, String name, int partitions) throws Exception {
            Run run = fresh(bootstrap, name);
            run.createTopics(partitions, Map.of());
            run.createDeadLetterTopic();
            return run;
        }

        /**
         * Sends 120 images to partition 0 and waits until two windows of {@value Faults#WINDOW} are
         * published and committed: the fault then strikes with 20 records in the open window.
         */
        void twoWindowsAndAnOpenOne(TrafficClient traffic) {
            TopicPartition p0 = new TopicPartition(traffic(), 0);
            traffic.imagesTo(traffic(), 0, MODEL, 120);
            Awaitility.await().atMost(WAIT).until(() -> committed().getOrDefault(p0, 0L) == 2L * WINDOW);
        }

        /** Creates the traffic topic ({@code config} as its topic config) and the windows topic; not the dead-letter one. */
        void createTopics(int partitions, Map<String, String> config) throws Exception {
            try (Admin admin = admin()) {
                admin.createTopics(List.of(new NewTopic(traffic, partitions, (short) 1).configs(config),
                        new NewTopic(windowsTopic, 1, (short) 1), new NewTopic(windowsTopic + "-alerts", 1, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
            }
        }

        void createDeadLetterTopic() throws Exception {
            try (Admin admin = admin()) {
                admin.createTopics(List.of(new NewTopic(dlq, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
        }

        Admin admin() {
            Properties p = new Properties();
            p.putAll(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000",
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000"));
            return Admin.create(p);
        }

        Agent startAgent() throws IOException {
            return Agent.start(this);
        }

        /** Committed offsets of the agent's group on the traffic topic. */
        Map<TopicPartition, Long> committed() throws Exception {
            try (Admin admin = admin()) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS);
                Map<TopicPartition, Long> out = new HashMap<>();
                offsets.forEach((tp, o) -> {
                    if (tp.topic().equals(traffic) && o != null) {
                        out.put(tp, o.offset());
                    }
                });
                return out;
            }
        }

        /** Distinct published windows, by windowId, in publication order. */
        List<ObjectNode> windows() {
            Map<String, ObjectNode> distinct = new LinkedHashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : TrafficClient.readAll(bootstrap, windowsTopic, 0, Duration.ZERO)) {
                ObjectNode w = Json.parseObject(new String(r.value(), StandardCharsets.UTF_8));
                distinct.putIfAbsent(w.get("windowId").asText(), w);
            }
            return new ArrayList<>(distinct.values());
        }

        /** Sources ({@code topic-partition@offset}) of the records in the dead-letter topic, with their headers. */
        Map<String, Map<String, String>> deadLetters() {
            Map<String, Map<String, String>> out = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : TrafficClient.readAll(bootstrap, dlq, 0, Duration.ZERO)) {
                Map<String, String> headers = new HashMap<>();
                for (Header h : r.headers()) {
                    headers.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
                }
                out.put(headers.get("varshift-source"), headers);
            }
            return out;
        }
    }

    /** Which offsets of which partitions hold valid records and which hold bad ones. */
    static final class Expected {
        final Map<TopicPartition, NavigableSet<Long>> valid = new HashMap<>();
        final Map<TopicPartition, NavigableSet<Long>> bad = new HashMap<>();

        Expected valid(TopicPartition tp, long from, long toExclusive) {
            NavigableSet<Long> set = valid.computeIfAbsent(tp, k -> new TreeSet<>());
            for (long o = from; o < toExclusive; o++) {
                set.add(o);
            }
            return this;
        }

        Expected bad(TopicPartition tp, long offset) {
            bad.computeIfAbsent(tp, k -> new TreeSet<>()).add(offset);
            return this;
        }

        long validCount() {
            return valid.values().stream().mapToLong(Set::size).sum();
        }
    }

    /**
     * Waits until all but less than one window of the valid records are covered by published windows,
     * then asserts the guarantees: each valid record in at most one distinct window; an uncovered one
     * at or after its partition's committed offset (it is re-read); each window's sample count equal to
     * the valid records its ranges hold; each bad record in the dead-letter topic.
     */
    static void assertEveryRecordAccountedFor(Run run, Expected expected) throws Exception {
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(covered(run.windows(), expected).values().stream().mapToLong(Integer::longValue).count())
                        .as("valid records in published windows").isGreaterThan(expected.validCount() - WINDOW));
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            List<ObjectNode> windows = run.windows();
            Map<String, Integer> seen = covered(windows, expected);
            assertThat(seen.values()).as("valid records in more than one distinct window").containsOnly(1);
            Map<TopicPartition, Long> committed = run.committed();
            expected.valid.forEach((tp, offsets) -> offsets.forEach(o -> {
                if (!seen.containsKey(tp + "@" + o)) {
                    assertThat(o).as("uncovered valid record " + tp + "@" + o + " must be at or after the commit")
                            .isGreaterThanOrEqualTo(committed.getOrDefault(tp, 0L));
                }
            }));
            for (ObjectNode w : windows) {
                long held = 0;
                for (JsonNode r : w.get("offsets")) {
                    TopicPartition tp = new TopicPartition(r.get("topic").asText(), r.get("partition").asInt());
                    held += expected.valid.getOrDefault(tp, new TreeSet<>())
                            .subSet(r.get("first").asLong(), true, r.get("last").asLong(), true).size();
                }
                assertThat(w.get("samples").asLong()).as("samples of window " + w.get("windowId")).isEqualTo(held);
            }
            Set<String> dead = run.deadLetters().keySet();
            Set<String> bad = new HashSet<>();
            expected.bad.forEach((tp, offsets) -> offsets.forEach(o -> bad.add(tp.topic() + "-" + tp.partition() + "@" + o)));
            assertThat(dead).as("dead letters").containsAll(bad);
        });
    }

    /** For every valid record in a distinct window's ranges, in how many distinct windows it is. */
    private static Map<String, Integer> covered(List<ObjectNode> windows, Expected expected) {
        Map<String, Integer> seen = new HashMap<>();
        for (ObjectNode w : windows) {
            for (JsonNode r : w.get("offsets")) {
                TopicPartition tp = new TopicPartition(r.get("topic").asText(), r.get("partition").asInt());
                for (long o : expected.valid.getOrDefault(tp, new TreeSet<>())
                        .subSet(r.get("first").asLong(), true, r.get("last").asLong(), true)) {
                    seen.merge(tp + "@" + o, 1, Integer::sum);
                }
            }
        }
        return seen;
    }

    /** The agent as a child JVM, with its health endpoint on a port of its own. */
    static final class Agent implements AutoCloseable {
        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final Process process;
        final int healthPort;
        final Path log;

        private Agent(Process process, int healthPort, Path log) {
            this.process = process;
            this.healthPort = healthPort;
            this.log = log;
        }

        static Agent start(Run run) throws IOException {
            return start(run, run.group(), WINDOW, List.of());
        }

        /**
         * An agent of {@code group} with windows of {@code window} samples and {@code properties} (-D...)
         * for {@link AgentProcess}, e.g. fleet mode.
         */
        static Agent start(Run run, String group, int window, List<String> properties) throws IOException {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path log = Files.createTempFile("varshift-fault-agent-", ".log");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Dai.djl.offline=true", "-Xmx512m"));
            command.addAll(properties);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), AgentProcess.class.getName(),
                    run.bootstrap(), group, run.traffic(), run.windowsTopic(), run.store().toString(), MODEL,
                    Integer.toString(window), Integer.toString(port)));
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().put("DJL_OFFLINE", "true");
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
            return new Agent(pb.start(), port, log);
        }

        /** HTTP status of a health endpoint, or -1 when it does not answer. */
        int health(String which) {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/q/health/"
                        + which)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        void awaitHealthy(Duration timeout) {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(process.isAlive()).as("agent process alive; log:\n" + tail()).isTrue();
                assertThat(health("live")).as("liveness").isEqualTo(200);
                assertThat(health("ready")).as("readiness").isEqualTo(200);
            });
        }

        /** SIGTERM and wait for the graceful shutdown. */
        int terminate() throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("agent stopped after SIGTERM").isTrue();
            return process.exitValue();
        }

        void kill() throws InterruptedException {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }

        String tail() {
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}
