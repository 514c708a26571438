package io.varshift.dashboards;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.varshift.core.json.Json;
import io.varshift.stack.KafkaBrokerExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Every JSON record of a one-partition topic of the test broker from its start, read as it grows. */
final class TopicTail implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final List<ObjectNode> records = new ArrayList<>();

    TopicTail(String topic) {
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerExtension.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"), new StringDeserializer(), new StringDeserializer());
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
    }

    /** All records so far, oldest first (reads what arrived since the last call). */
    List<ObjectNode> records() {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            records.add(Json.parseObject(r.value()));
        }
        return List.copyOf(records);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
