package io.varshift.core.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.varshift.core.data.BatchFeeder;
import io.varshift.core.data.ImageSet;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.probe.BnProbes;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The paper's "Adjust BN" (Section 6), also used for label-free recalibration: re-estimates every BN
 * layer's running mean and variance from eval-mode forwards (dropout off), layer by layer in forward
 * order, so that layer i is measured with layers &lt; i already adjusted. One pass over the data per
 * layer. The new variance is the population variance of the layer's eval-mode input.
 */
public final class BnReestimator {

    /** What changed in one layer. Arrays are per channel. */
    public record LayerAdjustment(String layer, double[] oldMean, double[] oldVar, double[] newMean,
                                  double[] newVar) {
        /** Paper's statistic before adjustment: channel-averaged real variance / channel-averaged moving variance. */
        public double varianceRatioBefore() {
            return average(newVar) / average(oldVar);
        }
    }

    private BnReestimator() {
    }

    /** {@link #reestimate(Block, ImageSet, int, NDManager, IntConsumer)} without progress. */
    public static List<LayerAdjustment> reestimate(Block block, ImageSet data, int batchSize, NDManager manager) {
        return reestimate(block, data, batchSize, manager, layer -> { });
    }

    /**
     * Re-estimates all BN layers of an initialised block in place.
     *
     * @param block      an initialised block built by {@link ModelBlocks} (its probes are re-attached)
     * @param data       inputs (labels are not used)
     * @param batchSize  samples per forward
     * @param manager    parent manager for the per-batch sub-managers
     * @param layerDone  called with each layer index once it is adjusted
     * @return per layer, the statistics before and after
     */
    public static List<LayerAdjustment> reestimate(Block block, ImageSet data, int batchSize, NDManager manager,
                                                   IntConsumer layerDone) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("BN re-estimation needs data; the image set is empty");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize " + batchSize + " must be >= 1");
        }
        BnProbes probes = BnProbes.attach(block);
        BatchFeeder feeder = new BatchFeeder(batchSize, data.sampleShape());
        ParameterStore store = new ParameterStore(manager, false);
        List<LayerAdjustment> out = new ArrayList<>();
        try {
            for (int layer = 0; layer < probes.layerCount(); layer++) {
                int target = layer;
                ChannelMoments moments = new ChannelMoments(probes.runningMean(layer));
                probes.setListener((index, s1, s2, samples, positions) -> {
                    if (index == target) {
                        moments.addSampleSums(s1, s2, samples, positions);
                    }
                });
                for (int from = 0; from < data.size(); from += batchSize) {
                    int to = Math.min(data.size(), from + batchSize);
                    try (NDManager batch = manager.newSubManager()) {
                        block.forward(store, new NDList(feeder.images(batch, data, from, to)), false);
                    }
                }
                int channels = moments.channels();
                double[] mean = new double[channels];
                double[] var = new double[channels];
                for (int c = 0; c < channels; c++) {
                    mean[c] = moments.mean(c);
                    // A channel that is constant on this data would get variance 0; BN's epsilon already
                    // guards the division, the floor only keeps the stored value valid.
                    var[c] = Math.max(moments.variance(c), Float.MIN_NORMAL);
                }
                out.add(new LayerAdjustment(probes.layerNames().get(layer), probes.runningMean(layer),
                        probes.runningVar(layer), mean, var));
                probes.setRunningStats(layer, mean, var);
                layerDone.accept(layer);
            }
        } finally {
            probes.setListener(null);
        }
        return out;
    }

    private static double average(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
