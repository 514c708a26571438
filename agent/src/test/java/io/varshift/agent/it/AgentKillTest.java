package io.varshift.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.varshift.core.json.Json;
import io.varshift.stack.KafkaBrokerExtension;

/**
 * At-least-once across a crash: the agent is killed with SIGKILL while a window is open, restarted,
 * and every produced record ends up in exactly one distinct published window (a window replayed
 * after the crash has the same id as its first publication and is counted once).
 */
@ExtendWith(KafkaBrokerExtension.class)
class AgentKillTest {

    static final int WINDOW = 100;

    @Test
    void aKilledAgentReplaysItsOpenWindowAndEveryRecordIsInExactlyOneWindow() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String topic = "kill-traffic-" + run;
        String windows = "kill-windows-" + run;
        String group = "kill-agent-" + run;
        KafkaBrokerExtension.createTopic(topic, 1);
        KafkaBrokerExtension.createTopic(windows, 1);
        Path store = Files.createTempDirectory("varshift-kill-store-");
        TinyFashionModel.shared().writeTo(store, "fmnist");

        try (TrafficClient traffic = new TrafficClient()) {
            traffic.images(topic, "fmnist", 250, 0, 21);
            Process agent = start(topic, windows, group, store);
            TrafficClient.readAll(windows, 2, Duration.ofSeconds(120));
            // Two windows are published and committed; records 200..249 sit in the open window, uncommitted.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> committed(group, topic) == 200);
            agent.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            assertThat(committed(group, topic)).isEqualTo(200);

            traffic.images(topic, "fmnist", 250, 0, 22);
            Process restarted = start(topic, windows, group, store);
            try {
                List<ObjectNode> published = TrafficClient.readAll(windows, 5, Duration.ofSeconds(120)).stream()
                        .map(r -> Json.parseObject(new String(r.value(), StandardCharsets.UTF_8)))
                        .toList();
                Map<String, long[]> distinct = new LinkedHashMap<>();
                for (ObjectNode w : published) {
                    JsonNode range = w.get("offsets").get(0);
                    distinct.putIfAbsent(w.get("windowId").asText(),
                            new long[] {range.get("first").asLong(), range.get("last").asLong()});
                }
                Map<Long, Integer> seen = new HashMap<>();
                distinct.values().forEach(r -> {
                    for (long o = r[0]; o <= r[1]; o++) {
                        seen.merge(o, 1, Integer::sum);
                    }
                });
                assertThat(distinct).hasSize(5);
                assertThat(seen).hasSize(500);
                assertThat(seen.values()).containsOnly(1);
                assertThat(published.stream().map(w -> w.get("samples").asLong())).containsOnly((long) WINDOW);
            } finally {
                restarted.destroy();
                restarted.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Process start(String topic, String windows, String group, Path store) throws Exception {
        Path log = Files.createTempFile("varshift-kill-agent-", ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                AgentProcess.class.getName(), KafkaBrokerExtension.bootstrapServers(), group, topic, windows,
                store.toString(), "fmnist", Integer.toString(WINDOW));
        pb.environment().put("DJL_OFFLINE", "true");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    private static long committed(String group, String topic) throws Exception {
        try (Admin admin = KafkaBrokerExtension.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            OffsetAndMetadata o = offsets.get(new TopicPartition(topic, 0));
            return o == null ? -1 : o.offset();
        }
    }

}
