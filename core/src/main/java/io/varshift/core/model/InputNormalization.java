package io.varshift.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.varshift.core.spec.ModelSpec;

import java.util.List;

/**
 * The spec's per-channel input normalisation, (x − mean_c) / std_c, as the first layer of the block:
 * the trainer's passes and the agent's forward then apply it identically, and traffic can stay in
 * [0, 1] (uint8 on the wire) for a model that was trained on normalised inputs. It has no parameters,
 * so the block's parameter list (what an import fills by position) is the same with or without it.
 */
public final class InputNormalization extends AbstractBlock {

    private static final byte VERSION = 1;

    private final float[] mean;
    private final float[] inverseStd;

    /** @param normalization per-channel mean and standard deviation (validated by the spec) */
    public InputNormalization(ModelSpec.Normalization normalization) {
        super(VERSION);
        List<Double> m = normalization.mean();
        List<Double> s = normalization.std();
        mean = new float[m.size()];
        inverseStd = new float[s.size()];
        for (int c = 0; c < mean.length; c++) {
            mean[c] = m.get(c).floatValue();
            inverseStd[c] = (float) (1.0 / s.get(c));
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDManager manager = x.getManager();
        Shape perChannel = new Shape(1, mean.length, 1, 1);
        NDArray shift = manager.create(mean, perChannel).toDevice(x.getDevice(), false);
        NDArray scale = manager.create(inverseStd, perChannel).toDevice(x.getDevice(), false);
        return new NDList(x.sub(shift).mul(scale));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public String toString() {
        return "InputNormalization(" + mean.length + " channels)";
    }
}
