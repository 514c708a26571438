package io.varshift.trainer.experiment;

import io.varshift.core.calibration.Distributions;

import java.util.List;
import java.util.Locale;

/**
 * A 95 % interval over seeds for one quantity or one difference, and the report's one verdict rule:
 * a claim names a region (below a threshold, above one, or within ±threshold), and it
 * <b>reproduces</b> when the interval lies inside that region, is <b>contradicted</b> when the
 * interval lies entirely outside it, and is <b>inconclusive</b> otherwise (or with fewer than two seeds).
 *
 * @param n the seeds the interval rests on (the smaller group's for a difference)
 */
record Interval(double estimate, double low, double high, int n) {

    /** Where a claim of the paper puts the quantity. */
    record Region(Kind kind, double threshold) {
        enum Kind {
            BELOW, ABOVE, WITHIN
        }

        static Region below(double threshold) {
            return new Region(Kind.BELOW, threshold);
        }

        static Region above(double threshold) {
            return new Region(Kind.ABOVE, threshold);
        }

        /** Within ±threshold of 0. */
        static Region within(double threshold) {
            return new Region(Kind.WITHIN, threshold);
        }
    }

    enum Verdict {
        REPRODUCES("reproduces"),
        CONTRADICTED("contradicted"),
        INCONCLUSIVE("inconclusive"),
        NO_DATA("no data");

        private final String words;

        Verdict(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /** The one-sample interval of the mean of {@code values}: paired differences, or one quantity. */
    static Interval of(List<Double> values) {
        return SeedStats.of(values).interval();
    }

    /**
     * Welch's interval for mean(a) − mean(b) of two independently trained groups, with the
     * Welch–Satterthwaite degrees of freedom.
     */
    static Interval difference(SeedStats a, SeedStats b) {
        int n = Math.min(a.n(), b.n());
        double estimate = a.mean() - b.mean();
        if (n < 2) {
            return new Interval(estimate, Double.NaN, Double.NaN, n);
        }
        double va = a.sd() * a.sd() / a.n();
        double vb = b.sd() * b.sd() / b.n();
        double se = Math.sqrt(va + vb);
        if (se == 0) {
            return new Interval(estimate, estimate, estimate, n);
        }
        double df = (va + vb) * (va + vb) / (va * va / (a.n() - 1) + vb * vb / (b.n() - 1));
        double h = Distributions.studentTQuantile(0.975, df) * se;
        return new Interval(estimate, estimate - h, estimate + h, n);
    }

    boolean known() {
        return n >= 2 && Double.isFinite(low) && Double.isFinite(high);
    }

    /** The verdict of a claim that puts this quantity in {@code region}. */
    Verdict judge(Region region) {
        if (!known()) {
            return n == 0 ? Verdict.NO_DATA : Verdict.INCONCLUSIVE;
        }
        double t = region.threshold();
        return switch (region.kind()) {
            case BELOW -> high < t ? Verdict.REPRODUCES : low > t ? Verdict.CONTRADICTED : Verdict.INCONCLUSIVE;
            case ABOVE -> low > t ? Verdict.REPRODUCES : high < t ? Verdict.CONTRADICTED : Verdict.INCONCLUSIVE;
            case WITHIN -> low >= -t && high <= t ? Verdict.REPRODUCES
                    : low > t || high < -t ? Verdict.CONTRADICTED : Verdict.INCONCLUSIVE;
        };
    }

    /** "−1.23 [−2.00, −0.46]" (scaled), the estimate alone below two seeds, "–" without data. */
    String format(double scale, int decimals) {
        if (n == 0 || Double.isNaN(estimate)) {
            return "–";
        }
        String p = "%+." + decimals + "f";
        String e = String.format(Locale.ROOT, p, estimate * scale);
        return known() ? e + " [" + String.format(Locale.ROOT, p, low * scale) + ", "
                + String.format(Locale.ROOT, p, high * scale) + "]" : e;
    }
}
