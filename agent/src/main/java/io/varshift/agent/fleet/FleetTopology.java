package io.varshift.agent.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.Stores;
import org.jboss.logging.Logger;

import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.reference.ModelReference;

/**
 * The fleet judge as a Kafka Streams application: partials topic → {@link FleetJudge} (with its state
 * store) → window results and alerts. Every agent in fleet mode runs one instance under the same
 * application id; Kafka Streams gives each model's partials partition to one of them and moves it
 * (with its state, restored from the changelog) when an agent dies or joins.
 */
public final class FleetTopology implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(FleetTopology.class);

    /** The state store of the open fleet windows and the judges' memory, one entry per model. */
    public static final String STORE = "varshift-fleet-windows";
    static final String WINDOWS = "windows";
    static final String ALERTS = "alerts";

    /**
     * @param applicationId the Streams application id (its consumer group, the prefix of its internal topics)
     * @param windowSamples samples that close a fleet window; 0 = by time only
     * @param windowDuration longest fleet window (by the judge's clock); null = by count only
     */
    public record Settings(String applicationId, String partialsTopic, String windowResultsTopic,
            String alertsTopic, int windowSamples, Duration windowDuration, int enterAfter, int exitAfter) {
    }

    /** Where the judge reads a model version's reference (stored running statistics and calibration). */
    @FunctionalInterface
    public interface References {
        /** @throws IllegalArgumentException when the version cannot be read, saying why */
        ModelReference reference(String model, String version);
    }

    /** References from the model store the agents load their versions from. */
    public static References references(ModelStore store) {
        return (model, version) -> {
            int v;
            try {
                v = Integer.parseInt(version);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("model '" + model + "' version '" + version + "' is not a number");
            }
            try {
                return ModelReference.fromJson(store.load(model, v).referenceJson());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("model '" + model + "' v" + version
                        + " cannot be read from the model store: " + e.getMessage(), e);
            }
        };
    }

    private final KafkaStreams streams;
    private final Path stateDir;

    private FleetTopology(KafkaStreams streams, Path stateDir) {
        this.streams = streams;
        this.stateDir = stateDir;
    }

    /** The topology alone (a test can drive it with the Streams test driver). */
    public static Topology topology(Settings settings, References references, AgentMetrics metrics) {
        Topology t = new Topology();
        t.addSource("partials", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
                settings.partialsTopic());
        t.addProcessor("judge", () -> new FleetJudge(settings, new Judges(references, settings.enterAfter(),
                settings.exitAfter()), metrics), "partials");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(),
                Serdes.ByteArray()), "judge");
        t.addSink(WINDOWS, settings.windowResultsTopic(), Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer(), "judge");
        t.addSink(ALERTS, settings.alertsTopic(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(),
                "judge");
        return t;
    }

    /**
     * Starts the judge. {@code clients} holds the cluster's client settings (bootstrap servers, security,
     * session timeouts); exactly_once_v2 and the state directory are set here.
     */
    public static FleetTopology start(Settings settings, Properties clients, ModelStore store, AgentMetrics metrics) {
        Properties p = new Properties();
        p.putAll(clients);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
        p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
        Path stateDir;
        try {
            // One directory per process: Streams locks it, and several agents may share a host.
            stateDir = Files.createTempDirectory("varshift-fleet-judge-");
        } catch (IOException e) {
            throw new UncheckedIOException("fleet judge: cannot create its state directory", e);
        }
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        KafkaStreams streams = new KafkaStreams(topology(settings, references(store), metrics), p);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.errorf(e, "fleet judge: stream thread failed; replacing it (its task resumes from the last commit)");
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.infof("fleet judge: %s -> %s", before, now));
        streams.start();
        LOG.infof("fleet judge '%s' started: %s -> %s, %s", settings.applicationId(), settings.partialsTopic(),
                settings.windowResultsTopic(), settings.alertsTopic());
        return new FleetTopology(streams, stateDir);
    }

    /** Whether the judge runs (or is rebalancing), as opposed to failed or stopped. */
    public boolean running() {
        return streams.state().isRunningOrRebalancing();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            LOG.warnf("fleet judge: could not remove %s: %s", stateDir, e.toString());
        }
    }
}
