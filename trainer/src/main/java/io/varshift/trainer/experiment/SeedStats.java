package io.varshift.trainer.experiment;

import java.util.List;
import java.util.Locale;

/** Mean and sample standard deviation (divisor n − 1) of one quantity over seeds. */
record SeedStats(int n, double mean, double sd) {

    static SeedStats of(List<Double> values) {
        int n = values.size();
        if (n == 0) {
            return new SeedStats(0, Double.NaN, Double.NaN);
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
        double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        return new SeedStats(n, mean, n > 1 ? Math.sqrt(squares / (n - 1)) : Double.NaN);
    }

    /** "12.34 ± 0.56" (scaled), "12.34" for one seed, "–" for none. */
    String format(double scale, int decimals) {
        if (n == 0) {
            return "–";
        }
        String pattern = "%." + decimals + "f";
        String m = String.format(Locale.ROOT, pattern, mean * scale);
        return n == 1 ? m : m + " ± " + String.format(Locale.ROOT, pattern, sd * scale);
    }
}
