package io.varshift.trainer.evaluate;

/**
 * The exact (Clopper–Pearson) confidence interval of a binomial proportion: the p range whose
 * binomial tails at the observed count are not below (1 − level)/2. Conservative, and right at the
 * counts a false-alarm evaluation sees (0 of 10 000), where the normal approximation fails.
 */
public record BinomialInterval(long successes, long trials, double lower, double upper) {

    static final double LEVEL = 0.95;
    private static final int BISECTIONS = 200;

    public double rate() {
        return (double) successes / trials;
    }

    /** @throws IllegalArgumentException when trials &lt; 1 or successes is outside [0, trials] */
    public static BinomialInterval clopperPearson(long successes, long trials) {
        if (trials < 1 || successes < 0 || successes > trials) {
            throw new IllegalArgumentException("binomial interval: " + successes + " successes of " + trials
                    + " trials; need trials >= 1 and 0 <= successes <= trials");
        }
        double tail = (1 - LEVEL) / 2;
        // Lower: P(X >= x; p) = tail, i.e. CDF(x − 1; p) = 1 − tail. Upper: CDF(x; p) = tail. CDF falls in p.
        double lower = successes == 0 ? 0 : solve(successes - 1, trials, 1 - tail);
        double upper = successes == trials ? 1 : solve(successes, trials, tail);
        return new BinomialInterval(successes, trials, lower, upper);
    }

    /** The p at which P(X ≤ x; n, p) = target, by bisection (the CDF is decreasing in p). */
    private static double solve(long x, long n, double target) {
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < BISECTIONS && hi - lo > 1e-15; i++) {
            double mid = (lo + hi) / 2;
            if (cdf(x, n, mid) > target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** P(X ≤ x) for X ~ Binomial(n, p), summed in log space so that n = 10⁴ does not underflow. */
    static double cdf(long x, long n, double p) {
        if (p <= 0) {
            return 1;
        }
        if (p >= 1) {
            return x >= n ? 1 : 0;
        }
        double logRatio = Math.log(p) - Math.log1p(-p);
        double logTerm = n * Math.log1p(-p);
        double max = logTerm;
        double[] logs = new double[(int) x + 1];
        logs[0] = logTerm;
        for (long k = 0; k < x; k++) {
            logTerm += Math.log((double) (n - k) / (k + 1)) + logRatio;
            logs[(int) k + 1] = logTerm;
            max = Math.max(max, logTerm);
        }
        double sum = 0;
        for (double l : logs) {
            sum += Math.exp(l - max);
        }
        return Math.min(1, Math.exp(max + Math.log(sum)));
    }
}
