package io.varshift.core.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link ProbedBatchNorm} layers of a block, in forward order, with access to their running
 * statistics and a listener that receives, for every eval-mode forward, each layer's per-sample
 * per-channel shifted sums of its INPUT: s1 = Σ (x − k_c), s2 = Σ (x − k_c)² over spatial positions,
 * with k_c the layer's running mean at that moment. In training mode nothing is probed.
 *
 * <p>One listener per block: attaching again replaces the previous one. Not thread-safe for
 * concurrent forwards of the same block.
 */
public final class BnProbes {

    /** Receives one layer's sums for one batch; s1 and s2 are sample-major [samples][channels]. */
    @FunctionalInterface
    public interface Listener {
        void onBatch(int layerIndex, float[] s1, float[] s2, int samples, long positions);

        /**
         * Whether this listener also wants each sample's cell means ({@link #onCells}); computing them
         * costs one small matrix product per layer and batch, so only listeners that score samples ask.
         */
        default boolean wantsCells() {
            return false;
        }

        /**
         * One layer's per-sample cell means for one batch, after its {@link #onBatch}: sample-major
         * [samples][channels][cells], the cells of the layer's {@link CellGrid}, values not shifted.
         */
        default void onCells(int layerIndex, float[] cellMeans, int samples, int channels, int cells) {
        }
    }

    private final List<ProbedBatchNorm> layers;

    private BnProbes(List<ProbedBatchNorm> layers) {
        this.layers = layers;
    }

    /**
     * Finds all probed BN layers of {@code root} in forward order (depth first, children in order).
     * Probing stays off until {@link #setListener} is called.
     *
     * @throws IllegalArgumentException when the block has no ProbedBatchNorm or two share a name
     */
    public static BnProbes attach(Block root) {
        List<ProbedBatchNorm> found = find(root);
        if (found.isEmpty()) {
            throw new IllegalArgumentException("block has no ProbedBatchNorm layer; build it with ModelBlocks.build");
        }
        List<String> names = found.stream().map(ProbedBatchNorm::layerName).toList();
        if (names.stream().distinct().count() != names.size()) {
            throw new IllegalArgumentException("block has duplicate BN layer names " + names);
        }
        return new BnProbes(found);
    }

    public static List<ProbedBatchNorm> find(Block root) {
        List<ProbedBatchNorm> out = new ArrayList<>();
        collect(root, out);
        return List.copyOf(out);
    }

    private static void collect(Block block, List<ProbedBatchNorm> out) {
        if (block instanceof ProbedBatchNorm probed) {
            out.add(probed);
            return;
        }
        for (Block child : block.getChildren().values()) {
            collect(child, out);
        }
    }

    /** Starts probing every layer into {@code listener}; {@code null} stops probing. */
    public void setListener(Listener listener) {
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).connect(i, listener);
        }
    }

    public int layerCount() {
        return layers.size();
    }

    /** Layer names in forward order. */
    public List<String> layerNames() {
        return layers.stream().map(ProbedBatchNorm::layerName).toList();
    }

    /** Channels of a layer (needs an initialised block). */
    public int channels(int layer) {
        return Math.toIntExact(array(layers.get(checkIndex(layer)).runningMeanParameter()).size());
    }

    /**
     * Eval batches in which the layer's probe had to reduce its input on the exact (slower) path,
     * because the input sat so far from the running mean that the fast raw sums would lose precision.
     */
    public long exactPathBatches(int layer) {
        return layers.get(checkIndex(layer)).exactBatches();
    }

    /** Copy of the layer's current running mean (the shift k_c of the probe sums). */
    public double[] runningMean(int layer) {
        return toDoubles(array(layers.get(checkIndex(layer)).runningMeanParameter()));
    }

    /** Copy of the layer's current running variance. */
    public double[] runningVar(int layer) {
        return toDoubles(array(layers.get(checkIndex(layer)).runningVarParameter()));
    }

    /**
     * Overwrites a layer's running statistics (BN re-estimation).
     *
     * @throws IllegalArgumentException on a wrong length, a non-finite mean or a variance that is not &gt; 0
     */
    public void setRunningStats(int layer, double[] mean, double[] var) {
        int channels = channels(layer);
        String name = layers.get(layer).layerName();
        if (mean.length != channels || var.length != channels) {
            throw new IllegalArgumentException("BN layer " + name + " has " + channels + " channels; got mean of "
                    + mean.length + " and variance of " + var.length + " values");
        }
        float[] m = new float[channels];
        float[] v = new float[channels];
        for (int c = 0; c < channels; c++) {
            if (!Double.isFinite(mean[c]) || !Double.isFinite(var[c]) || var[c] <= 0) {
                throw new IllegalArgumentException("BN layer " + name + " channel " + c + ": mean " + mean[c]
                        + ", variance " + var[c] + "; need a finite mean and a finite variance > 0");
            }
            m[c] = (float) mean[c];
            v[c] = (float) var[c];
        }
        array(layers.get(layer).runningMeanParameter()).set(m);
        array(layers.get(layer).runningVarParameter()).set(v);
        layers.get(layer).runningStatsChanged();
    }

    private int checkIndex(int layer) {
        if (layer < 0 || layer >= layers.size()) {
            throw new IndexOutOfBoundsException("BN layer index " + layer + " outside 0.." + (layers.size() - 1));
        }
        return layer;
    }

    private NDArray array(Parameter p) {
        if (!p.isInitialized()) {
            throw new IllegalStateException("BN parameter " + p.getName() + " is not initialised;"
                    + " initialise the block or load its parameters first");
        }
        return p.getArray();
    }

    private static double[] toDoubles(NDArray a) {
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Override
    public String toString() {
        return "BnProbes" + Arrays.toString(layerNames().toArray());
    }
}
