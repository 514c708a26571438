package io.varshift.core.theory;

import static io.varshift.core.theory.VarianceShiftTheory.cos2Theta;
import static io.varshift.core.theory.VarianceShiftTheory.dropoutShift;
import static io.varshift.core.theory.VarianceShiftTheory.dropoutShiftThroughLayer;
import static io.varshift.core.theory.VarianceShiftTheory.uoutShift;
import static io.varshift.core.theory.VarianceShiftTheory.uoutShiftZeroMean;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The paper's formulas against seeded Monte-Carlo simulation in plain Java. */
class VarianceShiftTheoryTest {

    /** Population variance accumulated in one pass around a fixed shift (stable for these magnitudes). */
    private static final class Variance {
        private final double shift;
        private double s1;
        private double s2;
        private long n;

        Variance(double shift) {
            this.shift = shift;
        }

        void add(double x) {
            double d = x - shift;
            s1 += d;
            s2 += d * d;
            n++;
        }

        double value() {
            return (s2 - s1 * s1 / n) / n;
        }
    }

    /** What one training-mode layer does to a unit x (dropout, Uout). */
    private interface TrainMode {
        double apply(double x, SplittableRandom random);
    }

    /** Var_test/Var_train over 2·10⁶ Gaussian units x ~ N(c, v), the same x feeding both modes. */
    private static double simulatedShift(double c, double v, TrainMode trainMode) {
        SplittableRandom random = new SplittableRandom(11);
        Variance train = new Variance(c);
        Variance test = new Variance(c);
        double sd = Math.sqrt(v);
        for (int i = 0; i < 2_000_000; i++) {
            double x = c + sd * random.nextGaussian();
            train.add(trainMode.apply(x, random));
            test.add(x);
        }
        return test.value() / train.value();
    }

    @ParameterizedTest(name = "p={0}, c={1}, v={2}")
    @CsvSource({"0.3, 0, 1", "0.5, 0, 1", "0.7, 0, 1", "0.3, 1, 1", "0.5, 1, 1", "0.7, 1, 1",
            "0.3, 2, 0.5", "0.5, -1, 3", "0.7, 0.5, 2"})
    void dropoutDirectlyBeforeBnShiftsTheVarianceAsEquation8Predicts(double p, double c, double v) {
        double simulated = simulatedShift(c, v, (x, random) -> random.nextDouble() < p ? x / p : 0);
        assertThat(simulated).isCloseTo(dropoutShift(p, c, v), within(0.01 * dropoutShift(p, c, v)));
    }

    @Test
    void equation8IsTheRetainRatioForZeroMeanUnits() {
        assertThat(dropoutShift(0.3, 0, 2.5)).isCloseTo(0.3, within(1e-15));
        assertThat(dropoutShift(1, 4, 2)).isCloseTo(1, within(1e-15));
    }

    @ParameterizedTest(name = "p={0}, c={1}, v={2}, rho={3}, d={4}")
    @CsvSource({"0.5, 0, 1, 0, 16", "0.5, 1, 1, 0.3, 16", "0.7, 0.5, 2, 0.3, 64", "0.3, 1, 0.5, 0.1, 32"})
    void dropoutThroughALinearLayerShiftsTheVarianceAsEquation14Predicts(double p, double c, double v, double rho, int d) {
        SplittableRandom random = new SplittableRandom(23);
        double[] w = new double[d];
        for (int i = 0; i < d; i++) {
            w[i] = 1 + 0.7 * random.nextGaussian();
        }
        double sd = Math.sqrt(v);
        double shared = Math.sqrt(rho);
        double own = Math.sqrt(1 - rho);
        double sumW = 0;
        for (double wi : w) {
            sumW += wi;
        }
        Variance train = new Variance(c * sumW);
        Variance test = new Variance(c * sumW);
        for (int n = 0; n < 400_000; n++) {
            double z0 = random.nextGaussian();
            double xTrain = 0;
            double xTest = 0;
            for (int i = 0; i < d; i++) {
                double x = c + sd * (shared * z0 + own * random.nextGaussian());
                xTest += w[i] * x;
                if (random.nextDouble() < p) {
                    xTrain += w[i] * x / p;
                }
            }
            train.add(xTrain);
            test.add(xTest);
        }
        double predicted = dropoutShiftThroughLayer(p, c, v, rho, d, cos2Theta(w));
        assertThat(test.value() / train.value()).isCloseTo(predicted, within(0.01 * predicted));
    }

    @Test
    void equation14ReducesToEquation8ForOneInputAndDilutesTheShiftAsFanInGrows() {
        assertThat(dropoutShiftThroughLayer(0.5, 1, 2, 0.4, 1, 1)).isCloseTo(dropoutShift(0.5, 1, 2), within(1e-15));
        double narrow = dropoutShiftThroughLayer(0.5, 0, 1, 0.2, 16, 0.8);
        double wide = dropoutShiftThroughLayer(0.5, 0, 1, 0.2, 1024, 0.8);
        assertThat(narrow).isLessThan(wide);
        assertThat(wide).isGreaterThan(0.99).isLessThan(1);
        // Uncorrelated inputs: the linear layer passes the shift unchanged.
        assertThat(dropoutShiftThroughLayer(0.5, 0, 1, 0, 512, 0.8)).isCloseTo(0.5, within(1e-15));
    }

    @ParameterizedTest(name = "beta={0}, c={1}, v={2}")
    @CsvSource({"0.1, 0, 1", "0.5, 0, 1", "1.0, 0, 1", "1.0, 0, 3", "0.5, 1, 1", "1.0, 2, 0.5"})
    void uoutShiftsTheVarianceAsPredicted(double beta, double c, double v) {
        double predicted = uoutShift(beta, c, v);
        double simulated = simulatedShift(c, v, (x, random) -> x + x * beta * (2 * random.nextDouble() - 1));
        assertThat(simulated).isCloseTo(predicted, within(0.01 * predicted));
        if (c == 0) {
            assertThat(predicted).isCloseTo(uoutShiftZeroMean(beta), within(1e-15));
            assertThat(predicted).isCloseTo(3 / (3 + beta * beta), within(1e-15));
        }
    }

    @Test
    void cos2ThetaIsOneForEqualWeightsAndZeroForBalancedSigns() {
        assertThat(cos2Theta(new double[] {2, 2, 2})).isCloseTo(1, within(1e-15));
        assertThat(cos2Theta(new double[] {1, -1})).isZero();
    }

    @Test
    void invalidArgumentsAreRefusedExplainingTheRetainRatio() {
        assertThatThrownBy(() -> dropoutShift(0, 0, 1)).hasMessageContaining("keep probability");
        assertThatThrownBy(() -> dropoutShift(1.2, 0, 1)).hasMessageContaining("retainRatio p = 1.2");
        assertThatThrownBy(() -> dropoutShift(0.5, 0, 0)).hasMessageContaining("variance v = 0.0");
        assertThatThrownBy(() -> dropoutShiftThroughLayer(0.5, 0, 1, -0.5, 4, 0.5)).hasMessageContaining("rho = -0.5");
        assertThatThrownBy(() -> dropoutShiftThroughLayer(0.5, 0, 1, 0.1, 4, 1.5)).hasMessageContaining("cos2Theta = 1.5");
        assertThatThrownBy(() -> uoutShiftZeroMean(-1)).hasMessageContaining("beta = -1.0");
        assertThatThrownBy(() -> cos2Theta(new double[] {0, 0})).hasMessageContaining("sum of squares");
    }
}
