package io.varshift.core.peer;

/**
 * The two-sample Kolmogorov–Smirnov test: D = sup |F_a − F_b| over two sorted samples, and its
 * asymptotic p-value as older scipy.stats.ks_2samp computed it: Stephens' correction of the Kolmogorov
 * distribution, as in Numerical Recipes' kstwo. (Current scipy's {@code mode='asymp'}, which alibi-detect's
 * KSDrift asks for, uses the one-sample KS distribution at n·m/(n + m) instead; at n, m ≥ 64 the two agree
 * within about 4% of p down to p = 1e-6, and within 20% at 1e-8.)
 */
public final class KolmogorovSmirnov {

    /** Below this λ the alternating series converges slowly; the complementary one converges fast. */
    private static final double SERIES_SWITCH = 1.0;
    private static final int MAX_TERMS = 100;
    private static final double TOLERANCE = 1e-17;

    private KolmogorovSmirnov() {
    }

    /**
     * @param a a sample sorted ascending, no NaN
     * @param b a sample sorted ascending, no NaN
     * @return D = sup_v |F_a(v) − F_b(v)|, the empirical distribution functions counting ties as at or below v;
     *         it costs one pass over a and two gap readings per distinct value of b, so pass the smaller sample as b
     * @throws IllegalArgumentException when a sample is empty or ends in NaN
     */
    public static double statistic(double[] a, double[] b) {
        int n = a.length;
        int m = b.length;
        requireSample(n, n > 0 && Double.isNaN(a[n - 1]), "first");
        requireSample(m, m > 0 && Double.isNaN(b[m - 1]), "second");
        int i = 0;
        int j = 0;
        double d = 0;
        // The gap is constant between data points and only moves at b's values in steps that a's values fill in
        // monotonically, so it is enough to read it just below and at each distinct value of b.
        while (j < m) {
            double v = b[j++];
            while (i < n && a[i] < v) {
                i++;
            }
            double below = Math.abs((double) i / n - (double) (j - 1) / m);
            // Consume every value equal to v in both samples before reading the gap at v: ties move both ECDFs.
            while (i < n && a[i] <= v) {
                i++;
            }
            while (j < m && b[j] <= v) {
                j++;
            }
            d = Math.max(d, Math.max(below, Math.abs((double) i / n - (double) j / m)));
        }
        return d;
    }

    /** {@link #statistic(double[], double[])} for float samples. */
    public static double statistic(float[] a, float[] b) {
        return statistic(a, 0, a.length, b, 0, b.length);
    }

    /**
     * {@link #statistic(double[], double[])} for the float samples {@code a[aFrom, aTo)} and {@code b[bFrom, bTo)},
     * each sorted ascending, so that columns of one array and reused buffers need no copy.
     */
    public static double statistic(float[] a, int aFrom, int aTo, float[] b, int bFrom, int bTo) {
        int n = aTo - aFrom;
        int m = bTo - bFrom;
        requireSample(n, n > 0 && Float.isNaN(a[aTo - 1]), "first");
        requireSample(m, m > 0 && Float.isNaN(b[bTo - 1]), "second");
        int i = aFrom;
        int j = bFrom;
        double d = 0;
        while (j < bTo) {
            float v = b[j++];
            while (i < aTo && a[i] < v) {
                i++;
            }
            double below = Math.abs((double) (i - aFrom) / n - (double) (j - 1 - bFrom) / m);
            while (i < aTo && a[i] <= v) {
                i++;
            }
            while (j < bTo && b[j] <= v) {
                j++;
            }
            d = Math.max(d, Math.max(below, Math.abs((double) (i - aFrom) / n - (double) (j - bFrom) / m)));
        }
        return d;
    }

    private static void requireSample(int length, boolean endsInNaN, String which) {
        if (length < 1) {
            throw new IllegalArgumentException("Kolmogorov-Smirnov: the " + which + " sample is empty (length "
                    + length + ")");
        }
        if (endsInNaN) {
            throw new IllegalArgumentException("Kolmogorov-Smirnov: the " + which + " sample holds NaN");
        }
    }

    /**
     * D between a window W of m rows of a sample C of n rows and the rest C∖W, from D(W, C): the rest's
     * ECDF is (n·F_C − m·F_W)/(n − m), so F_W − F_{C∖W} = n/(n − m)·(F_W − F_C) at every point.
     *
     * @throws IllegalArgumentException when m is not in 1..n−1
     */
    public static double leaveOutStatistic(double againstAll, int m, int n) {
        if (m < 1 || m >= n) {
            throw new IllegalArgumentException("Kolmogorov-Smirnov: a window of " + m + " rows of a sample of " + n
                    + " leaves no rest; need 1 <= m < n");
        }
        return Math.min(1, againstAll * n / (n - m));
    }

    /**
     * The asymptotic two-sided p-value: with en = sqrt(n·m/(n + m)), p = Q_KS((en + 0.12 + 0.11/en)·D).
     *
     * @throws IllegalArgumentException when a sample size is below 1 or D lies outside [0, 1]
     */
    public static double pValue(double statistic, int n, int m) {
        if (n < 1 || m < 1) {
            throw new IllegalArgumentException("Kolmogorov-Smirnov: sample sizes n = " + n + ", m = " + m
                    + " must be >= 1");
        }
        if (!(statistic >= 0 && statistic <= 1)) {
            throw new IllegalArgumentException("Kolmogorov-Smirnov: D = " + statistic + " must lie in [0, 1]");
        }
        double en = Math.sqrt((double) n * m / ((double) n + m));
        return survival((en + 0.12 + 0.11 / en) * statistic);
    }

    /**
     * Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²), the Kolmogorov distribution's survival function, in [0, 1].
     *
     * @throws IllegalArgumentException when λ is negative or NaN
     */
    public static double survival(double lambda) {
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("Kolmogorov survival: lambda = " + lambda + " must be >= 0");
        }
        if (lambda == 0) {
            return 1;
        }
        if (lambda < SERIES_SWITCH) {
            // 1 − K(λ) with K(λ) = sqrt(2π)/λ Σ_{k≥1} exp(−(2k−1)²π²/(8λ²)).
            double scale = -Math.PI * Math.PI / (8 * lambda * lambda);
            double sum = 0;
            for (int k = 1; k <= MAX_TERMS; k++) {
                double term = Math.exp(scale * (2 * k - 1) * (2 * k - 1));
                sum += term;
                if (term <= TOLERANCE * sum) {
                    break;
                }
            }
            return clip(1 - Math.sqrt(2 * Math.PI) / lambda * sum);
        }
        double sum = 0;
        double sign = 1;
        for (int k = 1; k <= MAX_TERMS; k++) {
            double term = Math.exp(-2.0 * k * k * lambda * lambda);
            sum += sign * term;
            if (term <= TOLERANCE * sum) {
                break;
            }
            sign = -sign;
        }
        return clip(2 * sum);
    }

    private static double clip(double p) {
        return Math.min(1, Math.max(0, p));
    }
}
