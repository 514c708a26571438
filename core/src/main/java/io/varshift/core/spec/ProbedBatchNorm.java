package io.varshift.core.spec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.Arrays;

/**
 * A BatchNorm with a stable human-readable name (e.g. {@code block2.bn2}) and an eval-mode probe on
 * its input. Its only child is the DJL {@link BatchNorm}, and it has no parameters of its own, so a
 * params file has the same content whether or not a probe listens. The probe never runs in training.
 */
public final class ProbedBatchNorm extends ai.djl.nn.AbstractBlock {

    private static final byte VERSION = 1;
    /** The positions axis of the [N, C, positions] view the probe reduces over. */
    private static final int[] SPATIAL = {2};

    private final String layerName;
    private final BatchNorm batchNorm;
    private volatile int probeIndex = -1;
    private volatile BnProbes.Listener listener;
    /** Bumped on every change of the running statistics that keeps the parameter's array. */
    private volatile int statsGeneration;
    private NDArray shiftCache;
    private NDArray shiftSource;
    private int shiftGeneration;

    ProbedBatchNorm(String layerName, BatchNorm batchNorm) {
        super(VERSION);
        this.layerName = layerName;
        this.batchNorm = addChildBlock("batchNorm", batchNorm);
    }

    /** The stable layer name, as in reference.json and metric labels. */
    public String layerName() {
        return layerName;
    }

    /** The wrapped DJL BatchNorm. */
    public BatchNorm batchNorm() {
        return batchNorm;
    }

    void connect(int index, BnProbes.Listener sink) {
        this.probeIndex = index;
        this.listener = sink;
    }

    Parameter runningMeanParameter() {
        return batchNorm.getDirectParameters().get("runningMean");
    }

    Parameter runningVarParameter() {
        return batchNorm.getDirectParameters().get("runningVar");
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        BnProbes.Listener sink = listener;
        if (training) {
            // A training forward moves the running mean; the next probe must not use the old shift.
            runningStatsChanged();
        } else if (sink != null) {
            probe(parameterStore, inputs.singletonOrThrow(), sink);
        }
        return batchNorm.forward(parameterStore, inputs, training, params);
    }

    /**
     * Per-sample per-channel sums of (x − k_c) and (x − k_c)² on the engine; k_c = current running mean.
     * One subtraction, squared in place, two reductions stacked into one [2, N, C] array and one copy
     * out: each extra engine op or copy is paid by every layer of every batch.
     */
    private void probe(ParameterStore parameterStore, NDArray x, BnProbes.Listener sink) {
        Shape shape = x.getShape();
        int samples = Math.toIntExact(shape.get(0));
        int channels = Math.toIntExact(shape.get(1));
        long positions = shape.dimension() > 2 ? shape.slice(2).size() : 1;
        NDArray k = shift(parameterStore.getValue(runningMeanParameter(), x.getDevice(), false), channels);
        float[] sums;
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray flat = x.reshape(samples, channels, positions);
            flat.attach(scope);
            if (flat.getDataType() != DataType.FLOAT32) {
                flat = flat.toType(DataType.FLOAT32, false);
            }
            NDArray centred = flat.sub(k);
            NDArray s1 = centred.sum(SPATIAL);
            NDArray s2 = centred.muli(centred).sum(SPATIAL);
            sums = s1.stack(s2).toFloatArray();
        }
        int cells = samples * channels;
        sink.onBatch(probeIndex, Arrays.copyOfRange(sums, 0, cells), Arrays.copyOfRange(sums, cells, 2 * cells),
                samples, positions);
    }

    /**
     * The running mean as a float32 [1, C, 1] array, kept between batches. It is rebuilt when the
     * parameter holds another array (params loaded), after {@link #runningStatsChanged()} and after
     * any training forward, which updates the running mean in place.
     */
    private NDArray shift(NDArray runningMean, int channels) {
        NDArray k = shiftCache;
        if (k != null && shiftSource == runningMean && shiftGeneration == statsGeneration) {
            return k;
        }
        int generation = statsGeneration;
        dropShiftCache();
        k = runningMean.reshape(1, channels, 1);
        if (k.getDataType() != DataType.FLOAT32) {
            NDArray converted = k.toType(DataType.FLOAT32, false);
            k.close();
            k = converted;
        }
        shiftCache = k;
        shiftSource = runningMean;
        shiftGeneration = generation;
        return k;
    }

    /** Called when the running statistics were overwritten in place (BN re-estimation). */
    void runningStatsChanged() {
        statsGeneration++;
    }

    private void dropShiftCache() {
        NDArray old = shiftCache;
        shiftCache = null;
        shiftSource = null;
        if (old != null) {
            old.close();
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return batchNorm.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        batchNorm.initialize(manager, dataType, inputShapes);
    }

    @Override
    public String toString() {
        return "ProbedBatchNorm(" + layerName + ")";
    }
}
