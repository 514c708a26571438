package io.varshift.trainer.report;

import io.varshift.core.model.ModelBlocks;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.spec.ModelSpec;
import io.varshift.core.theory.VarianceShiftTheory;

import java.util.Optional;

/**
 * The theoretical real/moving variance ratio Δ of a BN layer fed directly by a dropout (placement
 * before-bn: which layers those are, ModelBlocks reads from the block, e.g. every {@code .bn2} of a convnet).
 *
 * <p>Per channel c, the dropout's input has mean c_c and variance v_c: in eval mode (dropout off)
 * that input is exactly what the BN sees, so both come from the eval-mode probe on training data.
 * Training-mode variance per channel is Eq. (7) (Bernoulli) or its Uout analogue. The paper's
 * measured statistic averages variances over channels before dividing, so the layer's theory does
 * the same: Δ = Σ_c v_c / Σ_c Var_train,c (Eq. 8 when there is one channel).
 *
 * @param kind dropout kind
 * @param retainRatio the paper's p (Bernoulli), 1 for Uout
 * @param uoutBeta Uout's β, 0 for Bernoulli
 * @param delta the theoretical channel-averaged ratio real/moving
 * @param behindAnotherDropout true when an earlier dropout also shifts this layer's input (in eval mode
 *     the earlier BN normalises with its own shifted statistics), so the measured ratio carries both
 *     shifts while Δ describes only the dropout directly before the layer
 */
public record DropoutTheory(ModelSpec.DropoutKind kind, double retainRatio, double uoutBeta, double delta,
                            boolean behindAnotherDropout) {

    /** The theory for {@code layer}, or empty when no dropout sits directly before it. */
    public static Optional<DropoutTheory> forLayer(ModelSpec spec, String layer, ChannelMoments evalInput,
                                            boolean behindAnotherDropout) {
        if (!ModelBlocks.bnLayersAfterDropout(spec).contains(layer)) {
            return Optional.empty();
        }
        double test = 0;
        double train = 0;
        for (int c = 0; c < evalInput.channels(); c++) {
            double mean = evalInput.mean(c);
            double var = evalInput.variance(c);
            if (!(var > 0)) {
                continue; // a dead channel carries no variance to shift
            }
            test += var;
            train += trainVariance(spec, mean, var);
        }
        if (!(train > 0)) {
            return Optional.empty();
        }
        return Optional.of(new DropoutTheory(spec.dropoutKind(),
                spec.dropoutKind() == ModelSpec.DropoutKind.BERNOULLI ? spec.retainRatio() : 1.0,
                spec.uoutBeta(), test / train, behindAnotherDropout));
    }

    /** Training-mode variance of a unit with mean c and variance v after the spec's dropout: Eq. (7), or (c² + v)(1 + β²/3) − c² for Uout. */
    public static double trainVariance(ModelSpec spec, double c, double v) {
        return spec.dropoutKind() == ModelSpec.DropoutKind.BERNOULLI
                ? VarianceShiftTheory.dropoutTrainVariance(spec.retainRatio(), c, v)
                : VarianceShiftTheory.uoutTrainVariance(spec.uoutBeta(), c, v);
    }
}
