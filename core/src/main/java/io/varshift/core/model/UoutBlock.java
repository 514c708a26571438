package io.varshift.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The paper's Uout dropout: in training x + x·r with r ~ U(−β, β) drawn elementwise, the identity in
 * eval mode. Its output variance under a mean-c, variance-v input is (1 + β²/3)(c² + v) − c² instead
 * of dropout's (c² + v)/p − c², which is why it shifts BN's variance less (paper, Section 6).
 */
public final class UoutBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final float beta;

    /** @param beta half-width of the uniform noise, &gt; 0 */
    public UoutBlock(float beta) {
        super(VERSION);
        if (!(beta > 0) || !Float.isFinite(beta)) {
            throw new IllegalArgumentException("Uout beta " + beta + " must be a finite number > 0");
        }
        this.beta = beta;
    }

    public float beta() {
        return beta;
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        if (!training) {
            return inputs;
        }
        NDArray x = inputs.singletonOrThrow();
        NDArray r = x.getManager().randomUniform(-beta, beta, x.getShape(), x.getDataType(), x.getDevice());
        return new NDList(x.add(x.mul(r)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    public String toString() {
        return "Uout(beta=" + beta + ")";
    }
}
