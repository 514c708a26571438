package io.varshift.core.probe;

import io.varshift.core.calibration.SampleContributions;
import io.varshift.core.moments.ChannelMoments;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link BnProbes.Listener} that folds every probed batch into per-layer {@link ChannelMoments}
 * (shift = each layer's running mean when the collector is created) and, optionally, keeps the
 * per-sample rows as {@link SampleContributions} for bootstrap calibration.
 *
 * <p>The probe shifts by the running mean current at forward time; create a new collector after
 * changing running statistics, or the sums and the moments' shift disagree.
 */
public final class BnMomentsCollector implements BnProbes.Listener {

    private final List<ChannelMoments> moments = new ArrayList<>();
    private final List<SampleContributions> rows;
    private final long[] positions;

    private BnMomentsCollector(BnProbes probes, boolean keepSamples) {
        int layers = probes.layerCount();
        positions = new long[layers];
        rows = keepSamples ? new ArrayList<>() : null;
        for (int i = 0; i < layers; i++) {
            moments.add(new ChannelMoments(probes.runningMean(i)));
            if (keepSamples) {
                rows.add(null);
            }
        }
    }

    /**
     * Creates a collector for the probes' current running means and makes it their listener.
     *
     * @param keepSamples also keep per-sample rows (memory: 8 bytes per sample, channel and layer,
     *     and 4 per cell mean: up to 16 cells per channel)
     */
    public static BnMomentsCollector attach(BnProbes probes, boolean keepSamples) {
        BnMomentsCollector collector = new BnMomentsCollector(probes, keepSamples);
        probes.setListener(collector);
        return collector;
    }

    @Override
    public void onBatch(int layerIndex, float[] s1, float[] s2, int samples, long positionsPerSample) {
        moments.get(layerIndex).addSampleSums(s1, s2, samples, positionsPerSample);
        positions[layerIndex] = positionsPerSample;
        if (rows != null) {
            if (rows.get(layerIndex) == null) {
                rows.set(layerIndex, new SampleContributions(moments.get(layerIndex).shift(), positionsPerSample));
            }
            rows.get(layerIndex).add(s1, s2, samples);
        }
    }

    /** With kept rows, the cell means too: the calibration scores samples by them. */
    @Override
    public boolean wantsCells() {
        return rows != null;
    }

    @Override
    public void onCells(int layerIndex, float[] cellMeans, int samples, int channels, int cells) {
        rows.get(layerIndex).addCells(cellMeans, samples, cells);
    }

    /** The accumulated moments of a layer (live object; copy it before merging elsewhere). */
    public ChannelMoments moments(int layer) {
        return moments.get(layer);
    }

    /** Number of BN layers. */
    public int layerCount() {
        return moments.size();
    }

    /** Spatial positions per sample seen for a layer (H·W; 1 for dense; 0 before any batch). */
    public long positions(int layer) {
        return positions[layer];
    }

    /**
     * The kept per-sample rows of a layer, for bootstrap calibration ({@code ModelCalibrator}).
     *
     * @throws IllegalStateException when created without keepSamples or before any batch
     */
    public SampleContributions sampleContributions(int layer) {
        if (rows == null) {
            throw new IllegalStateException("per-sample rows were not kept; attach with keepSamples = true");
        }
        SampleContributions kept = rows.get(layer);
        if (kept == null) {
            throw new IllegalStateException("no batch was probed yet; run eval-mode forwards first");
        }
        return kept;
    }
}
