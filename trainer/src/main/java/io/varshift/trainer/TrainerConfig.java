package io.varshift.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Every setting of the trainer in one place (prefix {@code varshift.trainer}). */
@ConfigMapping(prefix = "varshift.trainer")
public interface TrainerConfig {

    /** Root of the model store (it holds {@code models/<name>/<version>/}); env VARSHIFT_MODEL_STORE overrides it. */
    @WithDefault("run")
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

    /** The agent's null distribution is calibrated for these window sizes and false-alarm rate. */
    interface Calibration {
        /** Includes the agent's default window (1000 samples). */
        @WithDefault("64,256,1000")
        List<Integer> windowSizes();

        /** Per window, for the whole model. */
        @WithDefault("1e-3")
        double falseAlarmRate();

        /** Per window size; split by prediction mix, each group's tail fit needs a few thousand. */
        @WithDefault("10000")
        int replicates();
    }
}
