package io.varshift.agent;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.varshift.agent.loop.AgentLoop;
import io.varshift.agent.loop.LoopSettings;
import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.agent.model.StoreModelSource;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.codec.DecodeLimits;

/** Starts the consumer loop on its own thread at startup and stops it cleanly at shutdown. */
@ApplicationScoped
public class AgentService {

    private static final Logger LOG = Logger.getLogger(AgentService.class);
    /** Commits of covered offsets between windows (rejected and sampled-out records). */
    private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(5);

    private final AgentConfig config;
    private final MeterRegistry registry;
    private final Map<String, Object> kafka;
    private AgentLoop loop;
    private Thread thread;
    private KafkaClientMetrics consumerMetrics;
    private KafkaClientMetrics producerMetrics;

    @Inject
    public AgentService(AgentConfig config, MeterRegistry registry,
            @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.config = config;
        this.registry = registry;
        this.kafka = kafka;
    }

    void onStart(@Observes StartupEvent event) {
        LoopSettings settings = new LoopSettings(config.topics(), config.deadLetterTopic(),
                config.windowResultsTopic(), config.alertsTopic(), config.batchSize(), config.maxWait(),
                config.sampleRate(), config.window().samples(), config.window().duration().orElse(null),
                config.alarm().enterAfter(), config.alarm().exitAfter(), config.pollTimeout(),
                config.reloadInterval(), COMMIT_INTERVAL, DecodeLimits.DEFAULT);
        if (config.models().isEmpty()) {
            throw new IllegalArgumentException("varshift.agent.models is empty: name at least one model to watch");
        }
        AgentMetrics metrics = new AgentMetrics(registry);
        StoreModelSource models = new StoreModelSource(new ModelStore(config.modelStore()), config.models(), metrics);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(),
                new ByteArraySerializer(), new ByteArraySerializer());
        consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(registry);
        producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(registry);
        loop = new AgentLoop(consumer, producer, settings, models, metrics, Clock.systemUTC());
        thread = new Thread(this::runLoop, "varshift-agent-loop");
        thread.start();
        LOG.infof("agent consuming %s as group '%s', watching %s in %s", config.topics(), config.groupId(),
                config.models(), config.modelStore());
    }

    private void runLoop() {
        try {
            loop.run();
        } catch (RuntimeException e) {
            LOG.errorf(e, "the agent loop stopped: %s", e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (loop == null) {
            return;
        }
        loop.stop();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumerMetrics.close();
        producerMetrics.close();
    }

    /** The loop; null before startup. */
    public AgentLoop loop() {
        return loop;
    }

    /** Liveness: the loop thread runs and returned from poll within the configured timeout. */
    public boolean alive() {
        if (loop == null || thread == null || !thread.isAlive()) {
            return false;
        }
        Instant last = loop.lastPoll();
        return last == null || Instant.now().isBefore(last.plus(config.livenessTimeout()));
    }

    private Properties common() {
        Properties p = new Properties();
        kafka.forEach((key, value) -> {
            // Quarkus-only settings under kafka.* are not client properties.
            if (!key.startsWith("devservices.") && !key.startsWith("health.") && !key.startsWith("snappy.")) {
                p.put(key, value);
            }
        });
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        return p;
    }

    private Properties consumerProperties() {
        Properties p = common();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "varshift-agent-consumer");
        applyFetchDefaults(p);
        return p;
    }

    /**
     * Fetch sizing for traffic records of a few kilobytes each (a 28×28 float32 image is 3 KiB). With
     * the client's 64 KiB socket receive buffer the broker cannot push a whole fetch response while the
     * loop runs a forward, so the next poll waits for the transfer; a 4 MiB buffer and 2 MiB per
     * partition let the prefetch land in the background (agent bench: about 5% more images per second
     * end to end). Values set under {@code kafka.*} win.
     */
    public static void applyFetchDefaults(Properties consumer) {
        consumer.putIfAbsent(ConsumerConfig.RECEIVE_BUFFER_CONFIG, Integer.toString(4 << 20));
        consumer.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(2 << 20));
    }

    private Properties producerProperties() {
        Properties p = common();
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "varshift-agent-producer");
        return p;
    }
}
