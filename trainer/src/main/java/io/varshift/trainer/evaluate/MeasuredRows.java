package io.varshift.trainer.evaluate;

import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.calibration.ModelCalibrator;
import io.varshift.core.calibration.SampleContributions;
import io.varshift.core.data.ImageSet;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.probe.BnMomentsCollector;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.training.EvalPass;

import java.util.ArrayList;
import java.util.List;

/**
 * One eval pass over a labelled image set kept row by row: every BN layer's per-sample sums and cell means, each
 * sample's predicted class and true label, and the accuracy. Windows of traffic are then composed
 * from the rows and judged without further forward passes.
 */
public final class MeasuredRows {

    private final List<SampleContributions> layers;
    private final int[] predicted;
    private final int[] labels;
    private final double accuracy;
    private final int classes;

    MeasuredRows(List<SampleContributions> layers, int[] predicted, int[] labels, double accuracy, int classes) {
        this.layers = List.copyOf(layers);
        this.predicted = predicted;
        this.labels = labels;
        this.accuracy = accuracy;
        this.classes = classes;
    }

    static MeasuredRows measure(LoadedModel model, ImageSet set, int batchSize, JobContext context, String phase) {
        EvalPass.Measured pass = EvalPass.measure(model.block(), model.probes(), model.model().getNDManager(), set,
                batchSize, true, context, phase);
        return of(pass.collector(), pass.predicted(), set, pass.accuracy(), model.spec().classes().size());
    }

    /**
     * The rows of a pass that kept per-sample contributions.
     *
     * @throws IllegalArgumentException when the set has no labels (traffic orders are built from them)
     */
    public static MeasuredRows of(BnMomentsCollector collector, int[] predicted, ImageSet set, double accuracy,
            int classes) {
        if (!set.hasLabels()) {
            throw new IllegalArgumentException("the image set has no labels; traffic orders and accuracy are built"
                    + " from true labels");
        }
        List<SampleContributions> layers = new ArrayList<>();
        for (int i = 0; i < collector.layerCount(); i++) {
            layers.add(collector.sampleContributions(i));
        }
        int[] labels = new int[set.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = set.label(i);
        }
        return new MeasuredRows(layers, predicted, labels, accuracy, classes);
    }

    public int samples() {
        return predicted.length;
    }

    public int[] labels() {
        return labels;
    }

    public double accuracy() {
        return accuracy;
    }

    /**
     * The given rows of this pass as a pass of their own (every layer's sums and cells, the predicted
     * classes and labels, the accuracy over them): one measured pass dealt into a calibration part and
     * an unseen part without a second forward.
     *
     * @throws IllegalArgumentException when there are no rows or a row is out of range
     */
    public MeasuredRows select(int[] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("measured rows: a selection needs at least one row");
        }
        List<SampleContributions> selected = new ArrayList<>(layers.size());
        for (SampleContributions layer : layers) {
            selected.add(layer.select(rows));
        }
        int[] p = new int[rows.length];
        int[] y = new int[rows.length];
        int correct = 0;
        for (int i = 0; i < rows.length; i++) {
            p[i] = predicted[rows[i]];
            y[i] = labels[rows[i]];
            correct += p[i] == y[i] ? 1 : 0;
        }
        return new MeasuredRows(selected, p, y, (double) correct / rows.length, classes);
    }

    /** These rows as the calibrator's held-out data (labels included, so null mixes draw by true class). */
    public ModelCalibrator.HeldOut heldOut(List<String> layerNames) {
        return new ModelCalibrator.HeldOut(layerNames, layers, predicted, labels, classes);
    }

    /** Judges windows composed from these rows against a calibration, reusing its buffers. */
    public Judge judge(ModelCalibration calibration, int largestWindow) {
        return new Judge(calibration, largestWindow);
    }

    public final class Judge {
        private final ModelCalibration calibration;
        private final float[][] scratch1;
        private final float[][] scratch2;
        private final long[] counts;
        /** [layer][row]: every row's cell score against the calibration, as the agent scores a live sample. */
        private final double[][] cellScores;
        private final double[] cellScoreSums;

        private Judge(ModelCalibration calibration, int largestWindow) {
            if (calibration.layers().size() != layers.size()) {
                throw new IllegalArgumentException("evaluate-alarms: the calibration has " + calibration.layers().size()
                        + " layers but the model probes " + layers.size() + "; recalibrate the model");
            }
            this.calibration = calibration;
            scratch1 = new float[layers.size()][];
            scratch2 = new float[layers.size()][];
            for (int l = 0; l < layers.size(); l++) {
                scratch1[l] = new float[largestWindow * layers.get(l).channels()];
                scratch2[l] = new float[largestWindow * layers.get(l).channels()];
            }
            counts = new long[classes];
            cellScores = new double[layers.size()][];
            for (int l = 0; l < layers.size(); l++) {
                cellScores[l] = calibration.cellScores().get(l).scoreRows(layers.get(l), predicted);
            }
            cellScoreSums = new double[layers.size()];
        }

        /**
         * The window rows[0..n): each layer's summed moments and cell scores and the predicted-class
         * counts, judged.
         */
        public ModelCalibration.Judgement window(int[] rows, int n, ModelCalibration.WindowNull nulls) {
            List<ChannelMoments> moments = new ArrayList<>(layers.size());
            for (int l = 0; l < layers.size(); l++) {
                moments.add(layers.get(l).sum(rows, n, scratch1[l], scratch2[l]));
            }
            java.util.Arrays.fill(counts, 0);
            java.util.Arrays.fill(cellScoreSums, 0);
            for (int i = 0; i < n; i++) {
                counts[predicted[rows[i]]]++;
                for (int l = 0; l < layers.size(); l++) {
                    cellScoreSums[l] += cellScores[l][rows[i]];
                }
            }
            return calibration.judge(moments, cellScoreSums, counts, nulls);
        }
    }
}
