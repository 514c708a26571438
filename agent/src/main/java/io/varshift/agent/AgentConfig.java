package io.varshift.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every setting of the agent, under {@code varshift.agent.*}. Kafka client settings for a secured
 * cluster (security.protocol, sasl.*, ssl.*) pass through from Quarkus' {@code kafka.*} properties.
 */
@ConfigMapping(prefix = "varshift.agent")
public interface AgentConfig {

    /** Kafka bootstrap servers. */
    @WithDefault("${kafka.bootstrap.servers:localhost:9092}")
    String bootstrapServers();

    /** Consumer group; agents in one group split the traffic partitions. */
    @WithDefault("varshift-agent")
    String groupId();

    /** Inference-traffic topics to consume. */
    @WithDefault("varshift-traffic")
    List<String> topics();

    /** Where rejected records go, with their original bytes and headers. */
    @WithDefault("varshift-dead-letter")
    String deadLetterTopic();

    /** One record per closed window. */
    @WithDefault("varshift-windows")
    String windowResultsTopic();

    /** One record per alarm state transition. */
    @WithDefault("varshift-alerts")
    String alertsTopic();

    /** Largest micro-batch fed to one forward pass. */
    @WithDefault("64")
    int batchSize();

    /**
     * Threads forwarding each model's micro-batches, each on its own copy of the model, while the
     * loop thread polls and decodes; 0 = one per CPU, at most 4; 1 = forward on the loop thread
     * (e.g. on a GPU). See agent.md, "Forward workers".
     */
    @WithDefault("0")
    int forwardWorkers();

    /**
     * PyTorch intra-op threads of each forward; 0 = CPUs / forward workers, at least 1. Read once,
     * when the engine starts; a {@code -Dai.djl.pytorch.num_threads} on the command line wins.
     */
    @WithDefault("0")
    int engineThreads();

    /** Longest time a valid record waits in a partial micro-batch. */
    @WithDefault("200ms")
    Duration maxWait();

    /** Fraction of valid records that are forwarded, in (0, 1]. */
    @WithDefault("1.0")
    double sampleRate();

    Window window();

    Alarm alarm();

    /** Model store root (it holds {@code models/<name>/<version>/}), written by the trainer; env VARSHIFT_MODEL_STORE. */
    @WithDefault("${VARSHIFT_MODEL_STORE:run}")
    Path modelStore();

    /** Names of the models to watch, each served from its {@code latest} version. */
    List<String> models();

    /** Consumer poll timeout. */
    @WithDefault("100ms")
    Duration pollTimeout();

    /** How often the model store is checked for a new version. */
    @WithDefault("10s")
    Duration reloadInterval();

    /** Liveness fails when the loop has not polled for this long. */
    @WithDefault("60s")
    Duration livenessTimeout();

    /** Window close rules: by sample count, by time, or both (whichever comes first). */
    interface Window {
        /** Forwarded samples per window; 0 = time windows only. */
        @WithDefault("1000")
        int samples();

        /**
         * Longest window duration. It also bounds how long a quiet model holds back the commits of the
         * partitions it shares with others, and so what a restart replays.
         */
        @WithDefault("5m")
        Duration duration();

        /**
         * Judge count windows far (beyond ×1.5) from every calibrated window size against the nearest
         * null anyway; by default such a model is refused at start with the sizes and the fix.
         */
        @WithDefault("false")
        boolean allowUncalibrated();

        /** Window results carry each layer's moments (count, per-channel mean and variance), for readers that merge windows. */
        @WithDefault("false")
        boolean publishMoments();
    }

    /** Fleet mode: one verdict per model from all agents of the group (agent.md, "Fleet mode"). Off by default. */
    Fleet fleet();

    interface Fleet {
        /** Publish partials and let the fleet judge (Kafka Streams, exactly once) merge and judge them. */
        @WithDefault("false")
        boolean enabled();

        /** Topic of the partials, keyed by model. */
        @WithDefault("varshift-partials")
        String partialsTopic();

        /** Offsets per slice of a partition: slice k holds [k·n, (k+1)·n). */
        @WithDefault("100")
        int sliceRecords();

        /** A slice open this long is cut where its partition stands. */
        @WithDefault("2s")
        Duration sliceDuration();

        /** Cut slices are committed (one transaction) at most this often; 0 = at every cut. */
        @WithDefault("200ms")
        Duration commitInterval();
    }

    Restart restart();

    /** Restarts of the consumer loop after a transient failure, and when to give up and exit. */
    interface Restart {
        /** Wait before the first restart, doubled per further failure in a row. */
        @WithDefault("1s")
        Duration backoff();

        /** Longest wait between restarts. */
        @WithDefault("30s")
        Duration maxBackoff();

        /** Failures in a row without a commit in between that are still restarted; one more exits the process. */
        @WithDefault("10")
        int maxFailures();
    }

    /** Hysteresis of the per-layer alarm state machine. */
    interface Alarm {
        /** Consecutive windows over threshold before an alarm. */
        @WithDefault("2")
        int enterAfter();

        /** Consecutive windows under threshold before an alarm clears. */
        @WithDefault("3")
        int exitAfter();
    }
}
