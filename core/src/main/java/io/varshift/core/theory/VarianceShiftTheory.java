package io.varshift.core.theory;

/**
 * The variance-shift theory of Li, Chen, Hu &amp; Yang, "Understanding the Disharmony between
 * Dropout and Batch Normalization by Variance Shift" (arXiv:1801.05134), as plain functions.
 *
 * <p>Notation as in the paper: a unit x with mean {@code c} and variance {@code v} is fed to
 * dropout with RETAIN ratio {@code p} (a unit is kept with probability p and scaled by 1/p in
 * training; DJL's {@code optRate} is the drop ratio 1 − p). BatchNorm's running variance holds
 * the training-mode variance Var_train of its input, while at test time the input has variance
 * Var_test; the shift is Δ = Var_test / Var_train (&lt; 1 for dropout: BN divides by too large a σ).
 */
public final class VarianceShiftTheory {

    private VarianceShiftTheory() {
    }

    /** Eq. (7): Var_train(X) = (c² + v)/p − c² for X = a·x/p, a ~ Bernoulli(p), dropout directly before BN. */
    public static double dropoutTrainVariance(double retainRatio, double c, double v) {
        checkRetain(retainRatio);
        checkUnit(c, v);
        return (c * c + v) / retainRatio - c * c;
    }

    /**
     * Eq. (8): Δ(p) = Var_test/Var_train = v / ((c² + v)/p − c²) = p·v / (v + (1 − p)·c²);
     * equals p when c = 0 and tends to 1 as p → 1.
     */
    public static double dropoutShift(double retainRatio, double c, double v) {
        return v / dropoutTrainVariance(retainRatio, c, v);
    }

    /**
     * Eq. (12)–(14): dropout, then a linear (or convolutional) unit X = Σᵢ wᵢ·aᵢ·xᵢ/p of fan-in d,
     * then BN. Assumptions as in the paper: the xᵢ share mean c and variance v and have pairwise
     * correlation ρ; the masks aᵢ are independent of each other and of x; the weights are fixed.
     * With cos²θ = (Σwᵢ)²/(d·Σwᵢ²) (θ: angle between w and the all-ones vector):
     * Var_test = v‖w‖²(1 + ρ(d·cos²θ − 1)), Var_train = ‖w‖²((c²+v)/p − c² + vρ(d·cos²θ − 1)), so
     * Δ(p, d) = v(1 + ρ(d·cos²θ − 1)) / ((c² + v)/p − c² + vρ(d·cos²θ − 1)).
     * For ρ &gt; 0 and cos²θ bounded away from 0 it tends to 1 as d grows: wide layers dilute the shift.
     *
     * @param rho pairwise correlation of the inputs, at least −1/(d−1) (equicorrelation must be valid)
     * @param d fan-in (inputs per output unit: in_channels·k_h·k_w for a convolution)
     * @param cos2Theta cos²θ in [0, 1]
     */
    public static double dropoutShiftThroughLayer(double retainRatio, double c, double v, double rho, int d,
            double cos2Theta) {
        checkRetain(retainRatio);
        checkUnit(c, v);
        if (d < 1) {
            throw new IllegalArgumentException("fan-in d = " + d + ": must be at least 1");
        }
        double minRho = d == 1 ? -1 : -1.0 / (d - 1);
        if (!(rho >= minRho && rho <= 1)) {
            throw new IllegalArgumentException("correlation rho = " + rho + ": must lie in [" + minRho
                    + ", 1] for " + d + " equicorrelated inputs");
        }
        if (!(cos2Theta >= 0 && cos2Theta <= 1)) {
            throw new IllegalArgumentException("cos2Theta = " + cos2Theta + ": must lie in [0, 1]");
        }
        double correlated = v * rho * (d * cos2Theta - 1);
        return (v + correlated) / ((c * c + v) / retainRatio - c * c + correlated);
    }

    /** cos²θ = (Σwᵢ)² / (d·Σwᵢ²) of a weight vector, the quantity Eq. (14) depends on. */
    public static double cos2Theta(double[] w) {
        if (w == null || w.length == 0) {
            throw new IllegalArgumentException("weights: need at least one weight");
        }
        double sum = 0;
        double squares = 0;
        for (double x : w) {
            sum += x;
            squares += x * x;
        }
        if (!(squares > 0) || !Double.isFinite(squares)) {
            throw new IllegalArgumentException("weights: sum of squares = " + squares + " must be finite and > 0");
        }
        return sum * sum / (w.length * squares);
    }

    /**
     * Uout (Sec. 6 of the paper): X = x + x·r, r ~ U(−β, β), no rescaling. E[X] = c and
     * E[(1+r)²] = 1 + β²/3, so Var_train = (c² + v)(1 + β²/3) − c².
     */
    public static double uoutTrainVariance(double beta, double c, double v) {
        checkBeta(beta);
        checkUnit(c, v);
        return (c * c + v) * (1 + beta * beta / 3) - c * c;
    }

    /** Uout's shift Var_test/Var_train = v / ((c² + v)(1 + β²/3) − c²). */
    public static double uoutShift(double beta, double c, double v) {
        return v / uoutTrainVariance(beta, c, v);
    }

    /** Uout's shift at c = 0: 3/(3 + β²), much closer to 1 than dropout's p for usual β. */
    public static double uoutShiftZeroMean(double beta) {
        checkBeta(beta);
        return 3 / (3 + beta * beta);
    }

    private static void checkRetain(double p) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("retainRatio p = " + p
                    + ": must lie in (0, 1] (p is the keep probability; a drop ratio of 0.3 is p = 0.7)");
        }
    }

    private static void checkUnit(double c, double v) {
        if (!Double.isFinite(c) || !(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException("unit mean c = " + c + ", variance v = " + v
                    + ": c must be finite and v finite and > 0");
        }
    }

    private static void checkBeta(double beta) {
        if (!(beta >= 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("Uout beta = " + beta + ": must be finite and >= 0");
        }
    }
}
