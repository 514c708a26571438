package io.varshift.trainer.training;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.varshift.core.calibration.Calibrator;
import io.varshift.core.calibration.LayerCalibration;
import io.varshift.core.calibration.SampleContributions;
import io.varshift.core.data.ImageSet;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;
import io.varshift.core.spec.BnProbes;
import io.varshift.trainer.jobs.JobContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a model's reference: each BN layer's running statistics plus the agent's null calibration
 * for every window size, bootstrapped from per-sample contributions of clean data in eval mode.
 */
public final class ReferenceBuilder {

    /** What the agent needs: window sizes, target per-window false-alarm rate, bootstrap replicates, seed. */
    public record Calibration(List<Integer> windowSizes, double falseAlarmRate, int replicates, long seed) {
        public Calibration {
            windowSizes = List.copyOf(windowSizes);
        }
    }

    /** The reference and the accuracy measured in the same eval pass (NaN for unlabelled data). */
    public record Result(ModelReference reference, double accuracy) {
    }

    private ReferenceBuilder() {
    }

    /**
     * @throws IllegalArgumentException when the clean data has fewer samples than a window
     */
    public static Result build(Block block, NDManager manager, ImageSet clean, int batchSize, Calibration calibration,
                               JobContext context) {
        int largest = calibration.windowSizes().stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (clean.size() < largest) {
            throw new IllegalArgumentException("calibration needs at least one window of clean samples: window size "
                    + largest + " but only " + clean.size() + " samples; use more held-out samples or a smaller"
                    + " window");
        }
        BnProbes probes = BnProbes.attach(block);
        EvalPass.Measured pass = EvalPass.measure(block, probes, manager, clean, batchSize, true, context,
                "reference pass");
        Calibrator calibrator = new Calibrator(calibration.replicates(), calibration.seed());
        List<LayerReference> layers = new ArrayList<>();
        for (int i = 0; i < probes.layerCount(); i++) {
            context.checkCancelled();
            SampleContributions contributions = pass.collector().sampleContributions(i);
            List<LayerCalibration> calibrations = new ArrayList<>();
            for (int window : calibration.windowSizes()) {
                calibrations.add(calibrator.calibrate(contributions, window, calibration.falseAlarmRate()));
            }
            layers.add(new LayerReference(probes.layerNames().get(i), probes.runningMean(i), probes.runningVar(i),
                    calibrations));
            context.progress((i + 1.0) / probes.layerCount(), "calibration");
        }
        return new Result(new ModelReference(layers), pass.accuracy());
    }
}
