package io.varshift.agent.it;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.varshift.agent.AgentService;
import io.varshift.agent.loop.AgentLoop;
import io.varshift.agent.loop.LoopSettings;
import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.agent.model.StoreModelSource;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.codec.DecodeLimits;

/**
 * The agent's loop alone in a JVM of its own (same clients and settings as the service), so that a
 * test can kill it with SIGKILL. Args: bootstrap group trafficTopic windowsTopic storeDir model windowSamples.
 */
public final class AgentProcess {

    private AgentProcess() {
    }

    public static void main(String[] args) {
        String bootstrap = args[0];
        Properties c = new Properties();
        c.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, args[1],
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // A killed member is noticed after the session timeout; the broker's minimum keeps the test short.
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000", ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "2000"));
        AgentService.applyFetchDefaults(c);
        Properties p = new Properties();
        p.putAll(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"));
        LoopSettings settings = new LoopSettings(List.of(args[2]), args[3] + "-dlq", args[3], args[3] + "-alerts",
                32, Duration.ofMillis(50), 1.0, Integer.parseInt(args[6]), null, 2, 2, Duration.ofMillis(100),
                Duration.ofSeconds(5), Duration.ofSeconds(1), DecodeLimits.DEFAULT);
        AgentMetrics metrics = new AgentMetrics(new SimpleMeterRegistry());
        AgentLoop loop = new AgentLoop(
                new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()),
                settings, new StoreModelSource(new ModelStore(Path.of(args[4])), List.of(args[5]), metrics), metrics,
                Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(loop::stop));
        loop.run();
    }
}
