package io.varshift.core.calibration;

/**
 * The few closed-form distribution functions the statistics need: the chi-square upper tail
 * (regularised incomplete gamma) and the standard normal's distribution and quantile functions.
 */
public final class Distributions {

    private static final double[] LANCZOS = {
        676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
    private static final int MAX_ITERATIONS = 10_000;
    private static final double RELATIVE_TOLERANCE = 1e-15;

    private Distributions() {
    }

    /** ln Γ(x) for x &gt; 0 (Lanczos, g = 7, n = 9; relative error about 1e-15). */
    static double logGamma(double x) {
        if (x < 0.5) {
            // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        double z = x - 1;
        double a = 0.99999999999980993;
        double t = z + 7.5;
        for (int i = 0; i < LANCZOS.length; i++) {
            a += LANCZOS[i] / (z + i + 1);
        }
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
    }

    /** Q(a, x) = Γ(a, x)/Γ(a), the regularised upper incomplete gamma function. */
    static double upperGamma(double a, double x) {
        if (!(a > 0) || x < 0 || Double.isNaN(x)) {
            throw new IllegalArgumentException("upper incomplete gamma: need a > 0 and x >= 0, got a = " + a + ", x = " + x);
        }
        if (x == 0) {
            return 1;
        }
        double front = Math.exp(-x + a * Math.log(x) - logGamma(a));
        if (x < a + 1) {
            // Series for P(a, x): converges fast below the mode.
            double term = 1 / a;
            double sum = term;
            for (int n = 1; n < MAX_ITERATIONS; n++) {
                term *= x / (a + n);
                sum += term;
                if (Math.abs(term) < Math.abs(sum) * RELATIVE_TOLERANCE) {
                    break;
                }
            }
            return Math.max(0, 1 - sum * front);
        }
        // Continued fraction for Q(a, x) (modified Lentz).
        double tiny = 1e-300;
        double b = x + 1 - a;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < MAX_ITERATIONS; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < tiny) {
                d = tiny;
            }
            c = b + an / c;
            if (Math.abs(c) < tiny) {
                c = tiny;
            }
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < RELATIVE_TOLERANCE) {
                break;
            }
        }
        return front * h;
    }

    /** P(χ²_df ≥ x). */
    public static double chiSquareSurvival(double x, int df) {
        if (df < 1) {
            throw new IllegalArgumentException("chi-square: df = " + df + " must be >= 1");
        }
        return x <= 0 ? 1 : upperGamma(df / 2.0, x / 2);
    }

    /** Φ(x), the standard normal distribution function. */
    public static double normalCdf(double x) {
        // Φ(x) = Q(1/2, x²/2)/2 for x < 0, by symmetry otherwise.
        double tail = 0.5 * upperGamma(0.5, x * x / 2);
        return x < 0 ? tail : 1 - tail;
    }

    /** Φ⁻¹(p): Acklam's rational approximation refined by one Halley step (error below 1e-13). */
    public static double normalQuantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("normal quantile: p = " + p + " must lie in (0, 1)");
        }
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double low = 0.02425;
        double x;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        } else if (p <= 1 - low) {
            double q = p - 0.5;
            double r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                    / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        } else {
            double q = Math.sqrt(-2 * Math.log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        // Halley refinement against the accurate Φ (the lower tail is computed directly for precision).
        double tail = 0.5 * upperGamma(0.5, x * x / 2);
        double e = x < 0 ? tail - p : (1 - p) - tail;
        double u = e * Math.sqrt(2 * Math.PI) * Math.exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }
}
