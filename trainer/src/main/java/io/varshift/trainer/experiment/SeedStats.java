package io.varshift.trainer.experiment;

import io.varshift.core.calibration.Distributions;

import java.util.List;
import java.util.Locale;

/**
 * Mean and sample standard deviation (divisor n − 1) of one quantity over seeds, and the half-width
 * of its 95 % Student-t interval, t(0.975, n − 1)·sd/√n. A seed whose value is not finite (a quantity
 * its model could not give, such as ρ of an input without variance) is left out, so n counts the
 * seeds the numbers rest on.
 */
record SeedStats(int n, double mean, double sd) {

    static SeedStats of(List<Double> all) {
        List<Double> values = all.stream().filter(Double::isFinite).toList();
        int n = values.size();
        if (n == 0) {
            return new SeedStats(0, Double.NaN, Double.NaN);
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
        double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        return new SeedStats(n, mean, n > 1 ? Math.sqrt(squares / (n - 1)) : Double.NaN);
    }

    /** Half-width of the 95 % interval of the mean; NaN below two seeds. */
    double halfWidth() {
        return n > 1 ? Distributions.studentTQuantile(0.975, n - 1) * sd / Math.sqrt(n) : Double.NaN;
    }

    /** The 95 % interval of the mean. */
    Interval interval() {
        double h = halfWidth();
        return new Interval(mean, mean - h, mean + h, n);
    }

    /** "12.34 ± 0.56" (scaled; ± the 95 % half-width), "12.34" for one seed, "–" for none. */
    String format(double scale, int decimals) {
        if (n == 0) {
            return "–";
        }
        String pattern = "%." + decimals + "f";
        String m = String.format(Locale.ROOT, pattern, mean * scale);
        return n == 1 ? m : m + " ± " + String.format(Locale.ROOT, pattern, halfWidth() * scale);
    }
}
