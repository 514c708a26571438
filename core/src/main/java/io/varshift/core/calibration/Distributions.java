package io.varshift.core.calibration;

/**
 * The few closed-form distribution functions the statistics need: the chi-square upper tail
 * (regularised incomplete gamma), the standard normal's distribution and quantile functions, and
 * Student's t (regularised incomplete beta) for intervals over a few seeds.
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
    /**
     * I_x(a, b), the regularised incomplete beta function: the continued fraction (modified Lentz),
     * on the side of the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where it converges fast.
     */
    static double regularizedBeta(double x, double a, double b) {
        if (!(a > 0 && b > 0) || !(x >= 0 && x <= 1)) {
            throw new IllegalArgumentException("incomplete beta: need a, b > 0 and x in [0, 1], got x = " + x
                    + ", a = " + a + ", b = " + b);
        }
        if (x == 0 || x == 1) {
            return x;
        }
        if (x > (a + 1) / (a + b + 2)) {
            return 1 - regularizedBeta(1 - x, b, a);
        }
        double front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x)
                + b * Math.log1p(-x)) / a;
        double tiny = 1e-300;
        double c = 1;
        double d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.abs(d) < tiny ? tiny : d);
        double h = d;
        for (int m = 1; m < MAX_ITERATIONS; m++) {
            // Even step d_{2m}, then odd step d_{2m+1}.
            for (int odd = 0; odd < 2; odd++) {
                double numerator = odd == 0 ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                        : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
                d = 1 + numerator * d;
                d = 1 / (Math.abs(d) < tiny ? tiny : d);
                c = 1 + numerator / c;
                c = Math.abs(c) < tiny ? tiny : c;
                h *= d * c;
                if (odd == 1 && Math.abs(d * c - 1) < RELATIVE_TOLERANCE) {
                    return front * h;
                }
            }
        }
        return front * h;
    }

    /** P(T ≤ t) for Student's t with {@code df} degrees of freedom (any real df &gt; 0, as Welch's gives). */
    public static double studentTCdf(double t, double df) {
        if (!(df > 0) || Double.isNaN(t)) {
            throw new IllegalArgumentException("student t: need df > 0 and a number t, got t = " + t + ", df = " + df);
        }
        double tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
        return t < 0 ? tail : 1 - tail;
    }

    /** The q-quantile of Student's t with {@code df} degrees of freedom, by bisection on the CDF (to 1e-12). */
    public static double studentTQuantile(double q, double df) {
        if (!(q > 0 && q < 1) || !(df > 0)) {
            throw new IllegalArgumentException("student t quantile: need q in (0, 1) and df > 0, got q = " + q
                    + ", df = " + df);
        }
        if (q < 0.5) {
            return -studentTQuantile(1 - q, df);
        }
        double low = 0;
        double high = 1;
        while (studentTCdf(high, df) < q) {
            high *= 2;
        }
        while (high - low > 1e-12 * Math.max(1, high)) {
            double mid = (low + high) / 2;
            if (studentTCdf(mid, df) < q) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return (low + high) / 2;
    }
}
