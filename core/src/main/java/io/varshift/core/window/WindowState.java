package io.varshift.core.window;

import io.varshift.core.calibration.CellScoreBaseline;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The open window of one model version: per BN layer the input moments (shifted by the layer's
 * stored running mean) and, with a calibration, the sum of the samples' cell scores; the samples per
 * predicted class, the sample count and when it opened. Where the samples came from (Kafka offsets)
 * is the agent's. Not thread-safe.
 *
 * <p>A forward reports to {@link #listener()} and then hands its predictions to {@link #forwarded}:
 * a sample's cell score needs its predicted class, known only after the probes have fired, so the
 * batch's cell means wait in one reused buffer per layer until then.
 */
public final class WindowState {

    private final ModelReference reference;
    private final int classes;
    private List<ChannelMoments> moments;
    private long[] classCounts;
    private long samples;
    private Instant openedAt;
    private final List<CellScoreBaseline> cellScores;
    private double[] cellScoreSums;
    private final float[][] pendingCells;
    private final int[] pendingSamples;
    private final BnProbes.Listener listener = new BnProbes.Listener() {
        @Override
        public void onBatch(int layer, float[] s1, float[] s2, int samples, long positions) {
            fold(layer, s1, s2, samples, positions);
        }

        @Override
        public boolean wantsCells() {
            return cellScores != null;
        }

        @Override
        public void onCells(int layer, float[] cellMeans, int samples, int channels, int cells) {
            foldCells(layer, cellMeans, samples, channels * cells);
        }
    };

    /** @param classes the model's output classes */
    public WindowState(ModelReference reference, int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("window state: classes = " + classes + " must be >= 1");
        }
        this.reference = reference;
        this.classes = classes;
        this.cellScores = reference.calibration().map(ModelCalibration::cellScores).orElse(null);
        int layers = reference.layers().size();
        this.pendingCells = new float[layers][0];
        this.pendingSamples = new int[layers];
        reset();
    }

    /** Marks the window open at {@code now} if it is not yet. */
    public void open(Instant now) {
        if (openedAt == null) {
            openedAt = now;
        }
    }

    /** Folds one layer's probe sums of a forwarded batch (a {@code BnProbes.Listener}). */
    public void fold(int layer, float[] s1, float[] s2, int batchSamples, long positions) {
        moments.get(layer).addSampleSums(s1, s2, batchSamples, positions);
    }

    /** The listener a forward reports its probes to: moments, and cell means when there is a calibration. */
    public BnProbes.Listener listener() {
        return listener;
    }

    /** Keeps one layer's cell means of the batch being forwarded until its predictions arrive. */
    void foldCells(int layer, float[] cellMeans, int batchSamples, int features) {
        int expected = cellScores.get(layer).features();
        if (features != expected) {
            throw new IllegalStateException("layer '" + cellScores.get(layer).layer() + "': the probe gives " + features
                    + " cell means per sample but the calibration has " + expected + "; recalibrate the model");
        }
        int needed = batchSamples * features;
        if (pendingCells[layer].length < needed) {
            pendingCells[layer] = new float[needed];
        }
        System.arraycopy(cellMeans, 0, pendingCells[layer], 0, needed);
        pendingSamples[layer] = batchSamples;
    }

    /**
     * Records that a forward of {@code forwarded} samples has been folded in, with each sample's
     * predicted class: counts the classes and adds the batch's cell scores.
     *
     * @throws IllegalStateException when a calibrated layer's cell means for this batch are missing
     */
    public void forwarded(int[] predicted, int forwarded) {
        if (cellScores != null) {
            for (int l = 0; l < cellScores.size(); l++) {
                if (pendingSamples[l] != forwarded) {
                    throw new IllegalStateException("layer '" + cellScores.get(l).layer() + "': " + pendingSamples[l]
                            + " samples of cell means for a forward of " + forwarded + "; the probes did not report it");
                }
                cellScoreSums[l] += BatchProbes.scoreSum(cellScores.get(l), pendingCells[l], predicted, forwarded,
                        samples);
                pendingSamples[l] = 0;
            }
        }
        countClasses(predicted, forwarded);
    }

    /**
     * Folds in a batch forwarded elsewhere (a forward thread) and scored with this window's
     * {@link #cellScores()} from sample number {@link #samples()}: its moments, cell scores and
     * predicted classes. Batches folded in the order they were taken in give the same window, to
     * the bit, as forwards reporting to {@link #listener()}.
     *
     * @throws IllegalStateException when the batch was not scored or has another number of layers
     */
    public void add(BatchProbes batch) {
        if (!batch.isScored() || batch.layers() != moments.size()) {
            throw new IllegalStateException("window state: a batch of " + batch.layers() + " layers, "
                    + (batch.isScored() ? "scored" : "not scored") + ", for a window of " + moments.size()
                    + " layers; forward it and call BatchProbes.score first");
        }
        int n = batch.samples();
        for (int l = 0; l < moments.size(); l++) {
            moments.get(l).addSampleSums(batch.sums(l), batch.squares(l), n, batch.positions(l));
        }
        if (cellScores != null) {
            for (int l = 0; l < cellScores.size(); l++) {
                cellScoreSums[l] += batch.scoreSum(l);
            }
        }
        countClasses(batch.predicted(), n);
    }

    /** The calibration's cell-score baselines in layer order, or null when the model has none. */
    public List<CellScoreBaseline> cellScores() {
        return cellScores;
    }

    private void countClasses(int[] predicted, int forwarded) {
        for (int i = 0; i < forwarded; i++) {
            int k = predicted[i];
            if (k < 0 || k >= classes) {
                throw new IllegalArgumentException("window state: predicted class " + k + " outside [0, " + classes + ")");
            }
            classCounts[k]++;
        }
        samples += forwarded;
    }

    /** Per layer, the sum of the window's sample cell scores (zeros without a calibration); a copy. */
    public double[] cellScoreSums() {
        return cellScoreSums.clone();
    }

    public long samples() {
        return samples;
    }

    /** When the first sample arrived, or null while the window is empty. */
    public Instant openedAt() {
        return openedAt;
    }

    public boolean isEmpty() {
        return openedAt == null;
    }

    /** The moments in layer order; the window's own objects, valid until {@link #reset()}. */
    public List<ChannelMoments> moments() {
        return moments;
    }

    /** A copy of the samples per predicted class. */
    public long[] classCounts() {
        return classCounts.clone();
    }

    /** Starts an empty window. */
    public void reset() {
        List<ChannelMoments> fresh = new ArrayList<>();
        for (LayerReference layer : reference.layers()) {
            fresh.add(new ChannelMoments(layer.runningMean()));
        }
        moments = fresh;
        classCounts = new long[classes];
        cellScoreSums = new double[reference.layers().size()];
        samples = 0;
        openedAt = null;
    }
}
