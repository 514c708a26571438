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

/**
 * A BatchNorm with a stable human-readable name (e.g. {@code block2.bn2}) and an eval-mode probe on
 * its input. Its only child is the DJL {@link BatchNorm}, and it has no parameters of its own, so a
 * params file has the same content whether or not a probe listens. The probe never runs in training.
 */
public final class ProbedBatchNorm extends ai.djl.nn.AbstractBlock {

    private static final byte VERSION = 1;

    private final String layerName;
    private final BatchNorm batchNorm;
    private volatile int probeIndex = -1;
    private volatile BnProbes.Listener listener;

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
        if (!training && sink != null) {
            probe(parameterStore, inputs.singletonOrThrow(), sink);
        }
        return batchNorm.forward(parameterStore, inputs, training, params);
    }

    /** Per-sample per-channel sums of (x − k_c) and (x − k_c)² on the engine; k_c = current running mean. */
    private void probe(ParameterStore parameterStore, NDArray x, BnProbes.Listener sink) {
        Shape shape = x.getShape();
        int samples = Math.toIntExact(shape.get(0));
        int channels = Math.toIntExact(shape.get(1));
        long positions = shape.dimension() > 2 ? shape.slice(2).size() : 1;
        NDArray shift = parameterStore.getValue(runningMeanParameter(), x.getDevice(), false);
        float[] s1;
        float[] s2;
        try (NDManager scope = x.getManager().newSubManager()) {
            NDArray flat = x.reshape(samples, channels, positions);
            flat.attach(scope);
            NDArray k = shift.reshape(1, channels, 1);
            k.attach(scope);
            if (flat.getDataType() != DataType.FLOAT32) {
                flat = flat.toType(DataType.FLOAT32, false);
                k = k.toType(DataType.FLOAT32, false);
            }
            NDArray centred = flat.sub(k);
            s1 = centred.sum(new int[] {2}).toFloatArray();
            s2 = centred.square().sum(new int[] {2}).toFloatArray();
        }
        sink.onBatch(probeIndex, s1, s2, samples, positions);
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
