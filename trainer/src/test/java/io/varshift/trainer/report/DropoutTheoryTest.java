package io.varshift.trainer.report;

import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.shift.LayerStatistics;
import io.varshift.core.spec.ModelSpec;
import io.varshift.core.reference.LayerReference;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DropoutTheoryTest {

    private static ModelSpec spec(String placement, String kind, double dropRatio, double beta) {
        return ModelSpec.fashionMnist(ModelSpec.Architecture.CONVNET)
                .optDropout(ModelSpec.DropoutPlacement.parse(placement), ModelSpec.DropoutKind.parse(kind))
                .optDropRatio(dropRatio).optUoutBeta(beta).build();
    }

    /** Two channels: mean 0 / variance 4 and mean 2 / variance 1, n values each (dense layer). */
    private static ChannelMoments twoChannels() {
        float[] x = {-2, 3, 2, 1, 2, 3, -2, 1};
        ChannelMoments m = new ChannelMoments(new double[] {0, 0});
        m.addValues(x, 4, 2, 1);
        return m;
    }

    @Test
    void theLayerDeltaIsTheRatioOfChannelSummedVariancesFromEquationSeven() {
        ChannelMoments m = twoChannels();
        assertThat(m.mean(0)).isEqualTo(0.0);
        assertThat(m.variance(0)).isEqualTo(4.0);
        assertThat(m.mean(1)).isEqualTo(2.0);
        assertThat(m.variance(1)).isEqualTo(1.0);
        double p = 0.5;
        // Eq. (7): (c² + v)/p − c²  →  channel 0: 8, channel 1: (4+1)/0.5 − 4 = 6.
        double expected = (4.0 + 1.0) / (8.0 + 6.0);
        DropoutTheory t = DropoutTheory.forLayer(spec("before-bn", "bernoulli", 1 - p, 0), "block1.bn2", m, false)
                .orElseThrow();
        assertThat(t.delta()).isCloseTo(expected, within(1e-12));
        assertThat(t.retainRatio()).isEqualTo(0.5);
    }

    @Test
    void uoutUsesItsOwnTrainingVariance() {
        double beta = 0.6;
        double factor = 1 + beta * beta / 3;
        double expected = 5.0 / ((0 + 4) * factor - 0 + (4 + 1) * factor - 4);
        assertThat(DropoutTheory.forLayer(spec("before-bn", "uout", 0, beta), "block2.bn2", twoChannels(), false)
                .orElseThrow().delta()).isCloseTo(expected, within(1e-12));
    }

    @Test
    void onlyALayerFedDirectlyByADropoutHasATheory() {
        ChannelMoments m = twoChannels();
        assertThat(DropoutTheory.forLayer(spec("before-bn", "bernoulli", 0.5, 0), "block1.bn1", m, false)).isEmpty();
        assertThat(DropoutTheory.forLayer(spec("before-conv", "bernoulli", 0.5, 0), "block1.bn2", m, false)).isEmpty();
        assertThat(DropoutTheory.forLayer(spec("none", "bernoulli", 0, 0), "block1.bn2", m, false)).isEmpty();
    }

    @Test
    void theTheoryMatchesABruteForceSimulationOfDropoutBeforeBn() {
        // Simulate what BN sees: training mode x·a/p with a ~ Bernoulli(p), eval mode x itself.
        SplittableRandom random = new SplittableRandom(3);
        int n = 200_000;
        int channels = 3;
        double[] c = {0.0, 1.5, -0.7};
        double[] sd = {1.0, 0.5, 2.0};
        double p = 0.6;
        float[] eval = new float[n * channels];
        float[] train = new float[n * channels];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < channels; ch++) {
                double x = c[ch] + sd[ch] * random.nextGaussian();
                eval[i * channels + ch] = (float) x;
                train[i * channels + ch] = random.nextDouble() < p ? (float) (x / p) : 0f;
            }
        }
        ChannelMoments evalMoments = new ChannelMoments(new double[channels]);
        evalMoments.addValues(eval, n, channels, 1);
        ChannelMoments trainMoments = new ChannelMoments(new double[channels]);
        trainMoments.addValues(train, n, channels, 1);
        double[] movingVar = new double[channels];
        for (int ch = 0; ch < channels; ch++) {
            movingVar[ch] = trainMoments.variance(ch);
        }
        LayerReference stored = new LayerReference("block1.bn2", new double[channels], movingVar);
        double measured = LayerStatistics.of(evalMoments, stored).varianceRatio();

        double theory = DropoutTheory.forLayer(spec("before-bn", "bernoulli", 1 - p, 0), "block1.bn2", evalMoments,
                false).orElseThrow().delta();
        assertThat(measured / theory).isCloseTo(1.0, within(0.01));
        assertThat(theory).isLessThan(0.6);
    }
}
