package io.varshift.agent;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.varshift.agent.fleet.FleetTopology;
import io.varshift.agent.loop.AgentLoop;
import io.varshift.agent.loop.Fleet;
import io.varshift.agent.loop.LoopSettings;
import io.varshift.agent.loop.LoopSupervisor;
import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.agent.model.StoreModelSource;
import io.varshift.agent.model.WindowFit;
import io.varshift.core.reference.ModelReference;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.codec.DecodeLimits;

/**
 * Runs the consumer loop under a {@link LoopSupervisor} on its own thread from startup, and stops it
 * cleanly at shutdown. Each (re)start of the loop gets new Kafka clients and loads the models again.
 */
@ApplicationScoped
public class AgentService {

    private static final Logger LOG = Logger.getLogger(AgentService.class);
    /** Commits of covered offsets between windows (rejected and sampled-out records). */
    private static final Duration COMMIT_INTERVAL = Duration.ofSeconds(5);

    /** DJL's PyTorch intra-op thread count, read when the engine starts. */
    static final String ENGINE_THREADS = "ai.djl.pytorch.num_threads";

    private final AgentConfig config;
    private final MeterRegistry registry;
    private final Map<String, Object> kafka;
    private LoopSupervisor supervisor;
    private AgentHealthState health;
    private BrokerCheck broker;
    private Thread thread;
    private KafkaClientMetrics consumerMetrics;
    private KafkaClientMetrics producerMetrics;
    private FleetTopology fleetJudge;

    @Inject
    public AgentService(AgentConfig config, MeterRegistry registry,
            @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.config = config;
        this.registry = registry;
        this.kafka = kafka;
    }

    void onStart(@Observes StartupEvent event) {
        LoopSettings.Builder builder = LoopSettings.builder()
                .topics(config.topics())
                .deadLetterTopic(config.deadLetterTopic())
                .windowResultsTopic(config.windowResultsTopic())
                .alertsTopic(config.alertsTopic())
                .batchSize(config.batchSize())
                .maxWait(config.maxWait())
                .sampleRate(config.sampleRate())
                .windowSamples(config.window().samples())
                .windowDuration(config.window().duration())
                .enterAfter(config.alarm().enterAfter())
                .exitAfter(config.alarm().exitAfter())
                .pollTimeout(config.pollTimeout())
                .reloadInterval(config.reloadInterval())
                .commitInterval(COMMIT_INTERVAL)
                .decodeLimits(DecodeLimits.DEFAULT)
                .forwardWorkers(forwardWorkers(config.forwardWorkers(), Runtime.getRuntime().availableProcessors()))
                .publishMoments(config.window().publishMoments());
        if (config.fleet().enabled()) {
            builder.fleet(new Fleet(config.fleet().partialsTopic(), config.fleet().sliceRecords(),
                    config.fleet().sliceDuration(), config.fleet().commitInterval()));
        }
        LoopSettings settings = builder.build();
        configureEngineThreads(settings.forwardWorkers());
        if (config.models().isEmpty()) {
            throw new IllegalArgumentException("varshift.agent.models is empty: name at least one model to watch");
        }
        WindowFit fit = new WindowFit(config.window().samples(), config.window().allowUncalibrated());
        requireCalibratedWindows(new ModelStore(config.modelStore()), fit);
        LoopSupervisor.Policy policy = new LoopSupervisor.Policy(config.restart().backoff(),
                config.restart().maxBackoff(), config.restart().maxFailures());
        AgentMetrics metrics = new AgentMetrics(registry);
        Properties producerProperties = producerProperties(settings);
        LoopSettings aligned = withRequestSize(settings, producerProperties);
        supervisor = new LoopSupervisor(() -> newLoop(aligned, metrics, producerProperties, fit), policy, metrics,
                d -> Thread.sleep(d.toMillis()), Quarkus::asyncExit, Clock.systemUTC());
        Properties admin = common();
        applyAdminDefaults(admin);
        broker = new BrokerCheck(Admin.create(admin), Duration.ofSeconds(2), Duration.ofSeconds(5), Clock.systemUTC());
        health = new AgentHealthState(supervisor, broker, config.livenessTimeout(), () -> thread.isAlive());
        thread = new Thread(supervisor, "varshift-agent-loop");
        thread.start();
        if (settings.fleetMode()) {
            fleetJudge = FleetTopology.start(fleetJudgeSettings(config.groupId(), settings), common(),
                    new ModelStore(config.modelStore()), metrics);
        }
        LOG.infof("agent consuming %s as group '%s', watching %s in %s", config.topics(), config.groupId(),
                config.models(), config.modelStore());
    }

    /** The forward workers to run: {@code configured}, or for 0 one per CPU, at most 4. */
    public static int forwardWorkers(int configured, int cpus) {
        if (configured < 0) {
            throw new IllegalArgumentException("varshift.agent.forward-workers = " + configured
                    + ": use 0 (one per CPU, at most 4) or a count of 1..64");
        }
        return configured == 0 ? Math.max(1, Math.min(4, cpus)) : configured;
    }

    /**
     * Gives each forward CPUs / workers engine threads before the engine starts: parallel forwards
     * of one thread each beat one forward on every CPU when batches are small (agent.md, "Speed").
     */
    private void configureEngineThreads(int workers) {
        int configured = config.engineThreads();
        if (configured < 0) {
            throw new IllegalArgumentException("varshift.agent.engine-threads = " + configured
                    + ": use 0 (CPUs / forward workers) or a positive count");
        }
        int threads = configured > 0 ? configured
                : Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
        String given = System.getProperty(ENGINE_THREADS);
        if (given == null) {
            System.setProperty(ENGINE_THREADS, Integer.toString(threads));
        }
        LOG.infof("forwarding on %d thread(s) per model, %s engine thread(s) each", workers,
                given == null ? Integer.toString(threads) : given + " (from -D" + ENGINE_THREADS + ")");
    }

    /**
     * Fails the start when a watched model's latest version is calibrated for other window sizes: a
     * window judged against the wrong null has another false-alarm rate than promised.
     */
    private void requireCalibratedWindows(ModelStore store, WindowFit fit) {
        for (String name : config.models()) {
            OptionalInt latest = store.latestVersion(name);
            if (latest.isEmpty()) {
                continue;
            }
            ModelReference reference;
            try {
                reference = ModelReference.fromJson(store.load(name, latest.getAsInt()).referenceJson());
            } catch (RuntimeException e) {
                // A corrupt version is the loop's to refuse, with its metric; the start goes on.
                continue;
            }
            fit.require(name, Integer.toString(latest.getAsInt()), reference);
        }
    }

    /** A loop with fresh clients and models; the old clients' meters are replaced by the new ones'. */
    private synchronized AgentLoop newLoop(LoopSettings settings, AgentMetrics metrics, Properties producerProperties,
            WindowFit fit) {
        StoreModelSource models = new StoreModelSource(new ModelStore(config.modelStore()), config.models(), metrics,
                fit);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                settings.fleetMode() ? transactional(producerProperties, config.groupId()) : producerProperties,
                new ByteArraySerializer(), new ByteArraySerializer());
        closeClientMetrics();
        consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(registry);
        producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(registry);
        return new AgentLoop(consumer, producer, settings, models, metrics, Clock.systemUTC());
    }

    void onStop(@Observes ShutdownEvent event) {
        if (supervisor == null) {
            return;
        }
        supervisor.stop();
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (fleetJudge != null) {
            fleetJudge.close();
        }
        broker.close();
        closeClientMetrics();
    }

    private synchronized void closeClientMetrics() {
        if (consumerMetrics != null) {
            consumerMetrics.close();
            producerMetrics.close();
        }
    }

    /**
     * The fleet judge of agents in {@code group}: fleet windows of the loop's window settings, results
     * and alerts to the loop's topics.
     */
    public static FleetTopology.Settings fleetJudgeSettings(String group, LoopSettings s) {
        return new FleetTopology.Settings(group + "-fleet-judge", s.fleet().partialsTopic(), s.windowResultsTopic(),
                s.alertsTopic(), s.windowSamples(), s.windowDuration(), s.enterAfter(), s.exitAfter());
    }

    /**
     * Fleet mode's producer: a transactional id of its own per loop (fencing goes by the consumer group's
     * generation, KIP-447), and a transaction timeout short enough that the transaction of a killed agent
     * is aborted, and read_committed readers go on, within seconds. Values set under {@code kafka.*} win.
     */
    public static Properties transactional(Properties producer, String group) {
        Properties p = new Properties();
        p.putAll(producer);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group + "-" + UUID.randomUUID());
        p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "10000");
        return p;
    }

    /**
     * Fleet mode's consumer reads committed offsets only once no transaction holds them open
     * (read_committed makes the offset fetch wait for a pending transactional commit), so that a new
     * owner of a partition never starts from an offset that a commit in flight is about to move past.
     */
    public static void applyFleetConsumerDefaults(Properties consumer) {
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    }

    /** The running loop; null before startup. */
    public AgentLoop loop() {
        return supervisor == null ? null : supervisor.loop();
    }

    /** Liveness and readiness; null before startup. */
    public AgentHealthState health() {
        return health;
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
        if (config.fleet().enabled()) {
            applyFleetConsumerDefaults(p);
        }
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "varshift-agent-consumer");
        applyFetchDefaults(p);
        applyConsumerTimeoutDefaults(p);
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

    /**
     * A commit against an unreachable broker blocks for default.api.timeout.ms (60 s by default, as
     * long as the liveness timeout); 20 s lets it fail and be retried while the loop still counts as alive.
     */
    public static void applyConsumerTimeoutDefaults(Properties consumer) {
        consumer.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
    }

    /**
     * The producer's request size follows the decode limit, so that every record the agent can read
     * also fits into its dead letter whole; and a flush against an unreachable broker fails within
     * 30 s (delivery.timeout.ms, 120 s by default), well inside the liveness timeout, so that the
     * loop restarts instead of hanging. Values set under {@code kafka.*} win.
     */
    public static void applyProducerDefaults(Properties producer, LoopSettings settings) {
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(settings.maxRecordBytes()));
        producer.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG,
                Long.toString(Math.max(32L << 20, 2L * settings.maxRecordBytes())));
        producer.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        producer.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        producer.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
    }

    /** Health checks answer within a few seconds even when the broker is gone. */
    public static void applyAdminDefaults(Properties admin) {
        admin.remove(ConsumerConfig.GROUP_ID_CONFIG);
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        admin.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "varshift-agent-health");
    }

    /** The settings with the request size the producer really has (a kafka.* override wins). */
    public static LoopSettings withRequestSize(LoopSettings s, Properties producer) {
        int size = Integer.parseInt(producer.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG).toString());
        return s.toBuilder().maxRecordBytes(size).build();
    }

    private Properties producerProperties(LoopSettings settings) {
        Properties p = common();
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "varshift-agent-producer");
        applyProducerDefaults(p, settings);
        return p;
    }
}
