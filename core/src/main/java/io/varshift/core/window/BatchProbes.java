package io.varshift.core.window;

import java.util.Arrays;
import java.util.List;

import io.varshift.core.calibration.CellScoreBaseline;
import io.varshift.core.probe.BnProbes;

/**
 * What one forward of one batch reported: per layer its probe sums and, for a calibrated model,
 * its cell means, then (after {@link #score}) each layer's summed cell scores and the predictions.
 * A forward thread fills it; the window it belongs to folds it in with {@link WindowState#add},
 * batches in the order they were taken in, so that a window's sums do not depend on which thread
 * forwarded which batch. Reused batch after batch; one thread at a time.
 */
public final class BatchProbes implements BnProbes.Listener {

    private final int layers;
    private final boolean wantsCells;
    private final float[][] s1;
    private final float[][] s2;
    private final long[] positions;
    private final int[] reported;
    private final float[][] cells;
    private final int[] cellFeatures;
    private final int[] cellSamples;
    private final double[] scoreSums;
    private int[] predicted = new int[0];
    private int samples;
    private boolean scored;

    /**
     * @param layers the model's probed BN layers
     * @param wantsCells whether the forward should also report cell means (the model has a calibration)
     */
    public BatchProbes(int layers, boolean wantsCells) {
        this.layers = layers;
        this.wantsCells = wantsCells;
        this.s1 = new float[layers][0];
        this.s2 = new float[layers][0];
        this.positions = new long[layers];
        this.reported = new int[layers];
        this.cells = new float[layers][0];
        this.cellFeatures = new int[layers];
        this.cellSamples = new int[layers];
        this.scoreSums = new double[layers];
        clear();
    }

    @Override
    public void onBatch(int layer, float[] sums, float[] squares, int batchSamples, long layerPositions) {
        int n = sums.length;
        if (s1[layer].length < n) {
            s1[layer] = new float[n];
            s2[layer] = new float[n];
        }
        System.arraycopy(sums, 0, s1[layer], 0, n);
        System.arraycopy(squares, 0, s2[layer], 0, n);
        positions[layer] = layerPositions;
        reported[layer] = batchSamples;
    }

    @Override
    public boolean wantsCells() {
        return wantsCells;
    }

    @Override
    public void onCells(int layer, float[] cellMeans, int batchSamples, int channels, int cellsPerChannel) {
        int features = channels * cellsPerChannel;
        int needed = batchSamples * features;
        if (cells[layer].length < needed) {
            cells[layer] = new float[needed];
        }
        System.arraycopy(cellMeans, 0, cells[layer], 0, needed);
        cellFeatures[layer] = features;
        cellSamples[layer] = batchSamples;
    }

    /**
     * After the forward: keeps the batch's predictions and, with {@code baselines}, sums each layer's
     * sample cell scores, sample i scored as the window's sample number {@code firstSample + i}.
     *
     * @param baselines the calibration's cell-score baselines in layer order, or null without one
     * @throws IllegalStateException when a layer did not report this batch, or reported cell means
     *     the calibration does not have
     */
    public void score(List<CellScoreBaseline> baselines, int[] batchPredicted, int batchSamples, long firstSample) {
        for (int l = 0; l < layers; l++) {
            if (reported[l] != batchSamples) {
                throw new IllegalStateException("BN layer " + l + ": the probe reported " + reported[l]
                        + " samples for a forward of " + batchSamples);
            }
        }
        if (predicted.length < batchSamples) {
            predicted = new int[batchSamples];
        }
        System.arraycopy(batchPredicted, 0, predicted, 0, batchSamples);
        Arrays.fill(scoreSums, 0);
        if (baselines != null) {
            for (int l = 0; l < baselines.size(); l++) {
                CellScoreBaseline baseline = baselines.get(l);
                int features = baseline.features();
                if (cellSamples[l] != batchSamples) {
                    throw new IllegalStateException("layer '" + baseline.layer() + "': " + cellSamples[l]
                            + " samples of cell means for a forward of " + batchSamples + "; the probes did not report it");
                }
                if (cellFeatures[l] != features) {
                    throw new IllegalStateException("layer '" + baseline.layer() + "': the probe gives " + cellFeatures[l]
                            + " cell means per sample but the calibration has " + features + "; recalibrate the model");
                }
                scoreSums[l] = scoreSum(baseline, cells[l], predicted, batchSamples, firstSample);
            }
        }
        samples = batchSamples;
        scored = true;
    }

    /** The summed cell scores of one batch's samples, sample i numbered {@code firstSample + i} in its window. */
    static double scoreSum(CellScoreBaseline baseline, float[] cellMeans, int[] predicted, int samples,
            long firstSample) {
        int features = baseline.features();
        double sum = 0;
        for (int i = 0; i < samples; i++) {
            sum += baseline.score(cellMeans, i * features, predicted[i], firstSample + i);
        }
        return sum;
    }

    /** Forgets the batch: every layer must report again before the next {@link #score}. */
    public void clear() {
        Arrays.fill(reported, -1);
        Arrays.fill(cellSamples, -1);
        samples = 0;
        scored = false;
    }

    int layers() {
        return layers;
    }

    boolean isScored() {
        return scored;
    }

    int samples() {
        return samples;
    }

    float[] sums(int layer) {
        return s1[layer];
    }

    float[] squares(int layer) {
        return s2[layer];
    }

    long positions(int layer) {
        return positions[layer];
    }

    double scoreSum(int layer) {
        return scoreSums[layer];
    }

    /** The batch's predictions, valid at [0, samples()); the batch's own array. */
    int[] predicted() {
        return predicted;
    }
}
