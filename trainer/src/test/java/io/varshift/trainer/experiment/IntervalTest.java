package io.varshift.trainer.experiment;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The report's intervals cover at their stated rate (simulated), and the one verdict rule. */
class IntervalTest {

    private static List<Double> normal(Random random, int n, double mean, double sd) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(mean + sd * random.nextGaussian());
        }
        return out;
    }

    @Test
    void theIntervalOfAMeanOverFiveSeedsCoversTheTrueMeanInNinetyFivePercent() {
        Random random = new Random(11);
        int trials = 20_000;
        int covered = 0;
        for (int t = 0; t < trials; t++) {
            Interval i = Interval.of(normal(random, 5, 3, 2));
            covered += i.low() <= 3 && 3 <= i.high() ? 1 : 0;
        }
        // binomial sd at 0.95 over 20 000 trials: 0.0015
        assertThat(covered / (double) trials).isCloseTo(0.95, within(0.006));
    }

    @Test
    void welchsIntervalOfADifferenceCoversWithUnequalSpreads() {
        Random random = new Random(12);
        int trials = 20_000;
        int covered = 0;
        for (int t = 0; t < trials; t++) {
            Interval i = Interval.difference(SeedStats.of(normal(random, 5, 1, 1)),
                    SeedStats.of(normal(random, 5, 0, 3)));
            covered += i.low() <= 1 && 1 <= i.high() ? 1 : 0;
        }
        // Welch's interval is approximate: within a point of 95 % here.
        assertThat(covered / (double) trials).isCloseTo(0.95, within(0.01));
    }

    @Test
    void theHalfWidthIsStudentsTTimesTheStandardError() {
        SeedStats s = SeedStats.of(List.of(1.0, 2.0, 3.0, 4.0, 5.0));
        // sd = sqrt(2.5), t(0.975, 4) = 2.776445
        assertThat(s.halfWidth()).isCloseTo(2.7764451051977987 * Math.sqrt(2.5) / Math.sqrt(5), within(1e-9));
        assertThat(s.format(1, 2)).isEqualTo("3.00 ± 1.96");
        assertThat(SeedStats.of(List.of(7.0)).format(1, 1)).isEqualTo("7.0");
    }

    @Test
    void aClaimReproducesOnlyWhenTheWholeIntervalIsOnItsSide() {
        Interval below = new Interval(-2, -3, -1, 5);
        Interval straddles = new Interval(-1, -3, 1, 5);
        Interval above = new Interval(2, 1, 3, 5);
        assertThat(below.judge(Interval.Region.below(0))).isEqualTo(Interval.Verdict.REPRODUCES);
        assertThat(straddles.judge(Interval.Region.below(0))).isEqualTo(Interval.Verdict.INCONCLUSIVE);
        assertThat(above.judge(Interval.Region.below(0))).isEqualTo(Interval.Verdict.CONTRADICTED);
        assertThat(above.judge(Interval.Region.above(0))).isEqualTo(Interval.Verdict.REPRODUCES);
        assertThat(new Interval(0.01, -0.02, 0.04, 5).judge(Interval.Region.within(0.05)))
                .isEqualTo(Interval.Verdict.REPRODUCES);
        assertThat(new Interval(0.04, 0.02, 0.06, 5).judge(Interval.Region.within(0.05)))
                .isEqualTo(Interval.Verdict.INCONCLUSIVE);
        assertThat(new Interval(0.08, 0.06, 0.1, 5).judge(Interval.Region.within(0.05)))
                .isEqualTo(Interval.Verdict.CONTRADICTED);
        assertThat(Interval.of(List.of(-5.0)).judge(Interval.Region.below(0)))
                .isEqualTo(Interval.Verdict.INCONCLUSIVE);
        assertThat(Interval.of(List.of()).judge(Interval.Region.below(0))).isEqualTo(Interval.Verdict.NO_DATA);
        // a non-inferiority claim: no more than 0.5 points worse
        assertThat(straddles.judge(Interval.Region.below(1.5))).isEqualTo(Interval.Verdict.REPRODUCES);
        assertThat(below.format(1, 1)).isEqualTo("-2.0 [-3.0, -1.0]");
    }
}
