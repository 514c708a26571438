package io.varshift.trainer.training;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.calibration.ModelCalibrator;
import io.varshift.core.calibration.SampleContributions;
import io.varshift.core.data.ImageSet;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;
import io.varshift.trainer.progress.JobContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a model's reference: each BN layer's running statistics plus the model's calibrated window
 * test for every window size, from one eval pass over clean held-out data (per-sample sums, the
 * predicted classes and, when the data has them, the labels; see {@link ModelCalibrator}).
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
    /**
     * @param classes the model's number of output classes
     */
    public static Result build(Block block, NDManager manager, ImageSet clean, int classes, int batchSize,
                               Calibration calibration, JobContext context) {
        requireOneWindow(clean.size(), calibration.windowSizes());
        BnProbes probes = BnProbes.attach(block);
        EvalPass.Measured pass = EvalPass.measure(block, probes, manager, clean, batchSize, true, context,
                "reference pass");
        List<LayerReference> layers = runningStatistics(probes);
        List<SampleContributions> sums = new ArrayList<>();
        for (int i = 0; i < probes.layerCount(); i++) {
            sums.add(pass.collector().sampleContributions(i));
        }
        context.checkCancelled();
        context.progress(0, "calibration");
        ModelCalibrator.HeldOut heldOut = new ModelCalibrator.HeldOut(probes.layerNames(), sums, pass.predicted(),
                labels(clean), classes);
        ModelCalibration model = new ModelCalibrator(calibration.replicates(), calibration.seed())
                .calibrate(heldOut, calibration.windowSizes(), calibration.falseAlarmRate());
        context.progress(1, "calibration");
        return new Result(new ModelReference(layers, model), pass.accuracy());
    }

    /**
     * The calibration needs at least one window of clean samples; checked before a job trains, so that a
     * held-out part too small is refused at once rather than after every epoch.
     */
    public static void requireOneWindow(int cleanSamples, List<Integer> windowSizes) {
        int largest = windowSizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (cleanSamples < largest) {
            throw new IllegalArgumentException("calibration needs at least one window of clean samples: window size "
                    + largest + " but only " + cleanSamples + " held-out samples; hold out more samples or calibrate"
                    + " a smaller window (--window-size)");
        }
    }

    private static int[] labels(ImageSet set) {
        if (!set.hasLabels()) {
            return null;
        }
        int[] labels = new int[set.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = set.label(i);
        }
        return labels;
    }

    /** The block's own moving statistics per BN layer in forward order, as training or Adjust BN leaves them. */
    public static List<LayerReference> runningStatistics(BnProbes probes) {
        List<LayerReference> out = new ArrayList<>();
        for (int i = 0; i < probes.layerCount(); i++) {
            out.add(new LayerReference(probes.layerNames().get(i), probes.runningMean(i), probes.runningVar(i)));
        }
        return out;
    }
}
