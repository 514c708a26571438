package io.varshift.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every setting of the trainer in one place (prefix {@code varshift.trainer}). */
@ConfigMapping(prefix = "varshift.trainer")
public interface TrainerConfig {

    /**
     * Root of the model store (it holds {@code models/<name>/<version>/}): {@code run} unless env
     * VARSHIFT_MODEL_STORE says otherwise (set in application.properties, the one key there).
     */
    Path modelStore();

    /** Directory holding Debian's Fashion-MNIST IDX files (package dataset-fashion-mnist). */
    @WithDefault("/usr/share/datasets/fashion-mnist")
    Path dataDir();

    /** Where reports (text, JSON, PNG) are written: {@code <report-dir>/<name>/<version>/}. */
    @WithDefault("run/reports")
    Path reportDir();

    /** Root under which REST recalibration jobs may read NPY traffic files (no path escapes it). */
    @WithDefault("run/traffic")
    Path trafficDir();

    /** Bearer token of the mutating REST endpoints; without one they answer 401. */
    Optional<String> apiToken();

    /** How many jobs may wait behind the running one before submissions answer 429. */
    @WithDefault("8")
    int queueSize();

    /** How many finished jobs GET /jobs keeps listing. */
    @WithDefault("200")
    int jobHistory();

    Calibration calibration();

    Remediation remediation();

    /** The agent's null distribution is calibrated for these window sizes and false-alarm rate. */
    interface Calibration {
        /** Includes the agent's default window (1000 samples). */
        @WithDefault("64,256,1000")
        List<Integer> windowSizes();

        /** Per window, for the whole model. */
        @WithDefault("1e-3")
        double falseAlarmRate();

        /** Per window size; split by prediction mix, each group's tail fit needs a few thousand. */
        @WithDefault("30000")
        int replicates();
    }

    /** The remediation loop of {@code serve} (trainer.md, "Remediation"). */
    interface Remediation {
        /** Whether {@code serve} runs the controller; off by default. */
        @WithDefault("false")
        boolean enabled();

        /** {@code auto} (publish a verified candidate), {@code approve} (wait for POST /remediations/{id}/approve) or {@code dry-run} (never publish). */
        @WithDefault("auto")
        String mode();

        /** Kafka cluster of the agent's window results, the traffic and the audit topic. */
        @WithDefault("localhost:9092")
        String bootstrapServers();

        /** The agent's window-results topic (varshift.agent.window-results-topic). */
        @WithDefault("varshift-windows")
        String windowResultsTopic();

        /** Every step of every remediation, and every rollback, is written here. */
        @WithDefault("varshift-remediation")
        String auditTopic();

        /** Consumer group of the controller on the window-results topic. */
        @WithDefault("varshift-remediation")
        String groupId();

        /** Models the loop may remediate; empty means every model in the window results. */
        Optional<List<String>> models();

        /** Consecutive windows in model-level ALARM that trigger (K). */
        @WithDefault("3")
        int persistWindows();

        /** Most recent traffic samples to recalibrate on (M); at least the largest calibrated window. */
        @WithDefault("2000")
        int records();

        /** Windows of further recent traffic, disjoint from the M samples, that verify the candidate. */
        @WithDefault("3")
        int verifyWindows();

        /** At most one remediation (or rollback) per model within this interval. */
        @WithDefault("30m")
        Duration interval();

        /** The candidate's clean held-out accuracy may be at most this much below the source version's. */
        @WithDefault("0.1")
        double accuracyMargin();

        /** Most clean held-out samples the accuracy check reads. */
        @WithDefault("2000")
        int heldOutLimit();

        /** How long the broker may take to answer a read or an audit write, in seconds. */
        @WithDefault("30")
        int kafkaTimeout();
    }
}
