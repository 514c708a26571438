package io.varshift.trainer.experiment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.varshift.core.theory.VarianceShiftTheory;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The inputs of Eq. 14 against closed forms: x = z + ε with one z per image shared by every channel
 * and position, and independent ε per element, has pairwise correlation Var(z) / (Var(z) + Var(ε)).
 */
class ReceptiveFieldTest {

    private static ReceptiveField measure(double sharedSd, double ownSd, double mean, long seed) {
        Random random = new Random(seed);
        int images = 400;
        int channels = 3;
        int side = 8;
        float[] data = new float[images * channels * side * side];
        for (int n = 0; n < images; n++) {
            double z = sharedSd * random.nextGaussian();
            for (int i = 0; i < channels * side * side; i++) {
                data[n * channels * side * side + i] = (float) (mean + z + ownSd * random.nextGaussian());
            }
        }
        ReceptiveField field = new ReceptiveField(new Shape(3, 3));
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int from = 0; from < images; from += 100) {
                float[] batch = new float[100 * channels * side * side];
                System.arraycopy(data, from * channels * side * side, batch, 0, batch.length);
                NDArray x = manager.create(batch, new Shape(100, channels, side, side));
                field.add(x);
            }
        }
        return field;
    }

    @Test
    void equicorrelatedInputsGiveTheirCorrelation() {
        // Var(z) = Var(eps) = 1: rho = 0.5; mean 2, variance 2, E[x^2] = 6.
        ReceptiveField field = measure(1, 1, 2, 1);
        assertThat(field.meanCorrelation()).isCloseTo(0.5, within(0.05));
        assertThat(field.meanVariance()).isCloseTo(2, within(0.1));
        assertThat(field.meanSquare()).isCloseTo(6, within(0.3));
        assertThat(field.mean(0)).isCloseTo(2, within(0.15));
    }

    @Test
    void independentInputsAreUncorrelatedAndSharedOnesFullyCorrelated() {
        assertThat(measure(0, 1, 0, 2).meanCorrelation()).isCloseTo(0, within(0.01));
        assertThat(measure(1, 0, 0, 3).meanCorrelation()).isCloseTo(1, within(1e-4));
    }

    @Test
    void eq14OfOneChannelIsTheCoreClosedForm() {
        double p = 0.6;
        double c = 0.7;
        double v = 1.3;
        double rho = 0.2;
        int d = 27;
        double[] w = new double[d];
        Random random = new Random(4);
        double norm = 0;
        for (int i = 0; i < d; i++) {
            w[i] = 0.3 + random.nextGaussian() * 0.2;
            norm += w[i] * w[i];
        }
        double cos2 = VarianceShiftTheory.cos2Theta(w);
        double expected = VarianceShiftTheory.dropoutShiftThroughLayer(p, c, v, rho, d, cos2);

        double eq14 = TheoryCheck.eq14(v, c * c + v, rho, (1 - p) / p, new double[] {norm}, new double[] {d * cos2});

        assertThat(eq14).isCloseTo(expected, within(1e-12));
        // Two channels: the norm-weighted aggregate lies between the two channels' values.
        double two = TheoryCheck.eq14(v, c * c + v, rho, (1 - p) / p, new double[] {norm, 2 * norm},
                new double[] {d * cos2, 1});
        double second = VarianceShiftTheory.dropoutShiftThroughLayer(p, c, v, rho, d, 1.0 / d);
        assertThat(two).isBetween(Math.min(expected, second), Math.max(expected, second));
    }
}
