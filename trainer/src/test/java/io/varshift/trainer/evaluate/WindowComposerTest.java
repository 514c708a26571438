package io.varshift.trainer.evaluate;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class WindowComposerTest {

    /** 5000 rows, 500 of each of 10 labels. */
    private static int[] balancedLabels() {
        int[] labels = new int[5000];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        return labels;
    }

    @Test
    void runsOf16ChangeLabelOnlyAtRunBoundariesOfOnePhase() {
        int[] labels = balancedLabels();
        WindowComposer composer = new WindowComposer(labels);
        SplittableRandom random = new SplittableRandom(1);
        int[] rows = new int[256];
        Set<Integer> classesSeen = new HashSet<>();
        for (int w = 0; w < 50; w++) {
            composer.compose(TrafficOrder.runs(16), 256, random, rows);
            Set<Integer> residues = new HashSet<>();
            for (int i = 1; i < 256; i++) {
                if (labels[rows[i]] != labels[rows[i - 1]]) {
                    residues.add(i % 16);
                }
            }
            // Consecutive runs may share a label, but every change falls on the window's one run boundary phase.
            assertThat(residues).hasSizeLessThanOrEqualTo(1);
            Arrays.stream(rows).map(r -> labels[r]).forEach(classesSeen::add);
        }
        assertThat(classesSeen).hasSize(10);
    }

    @Test
    void oneClassAt60PercentGivesAbout60PercentAndTheRestUniform() {
        int[] labels = balancedLabels();
        WindowComposer composer = new WindowComposer(labels);
        SplittableRandom random = new SplittableRandom(2);
        int[] rows = new int[1000];
        double dominantShare = 0;
        double otherShare = 0;
        int windows = 200;
        for (int w = 0; w < windows; w++) {
            composer.compose(TrafficOrder.oneClass(0.6), 1000, random, rows);
            int[] counts = new int[10];
            for (int r : rows) {
                counts[labels[r]]++;
            }
            int[] sorted = counts.clone();
            Arrays.sort(sorted);
            dominantShare += sorted[9] / 1000.0;
            otherShare += sorted[0] / 1000.0 + sorted[4] / 1000.0;
        }
        assertThat(dominantShare / windows).isCloseTo(0.6, within(0.01));
        // The other nine share 40 %: about 4.4 % each (min and median of them averaged over windows).
        assertThat(otherShare / windows / 2).isCloseTo(0.4 / 9, within(0.01));
    }

    @Test
    void aShuffledWindowHoldsDistinctRowsUntilThePoolIsUsedUp() {
        int[] labels = Arrays.copyOf(balancedLabels(), 1000);
        WindowComposer composer = new WindowComposer(labels);
        int[] rows = new int[1000];
        composer.compose(TrafficOrder.shuffled(), 600, new SplittableRandom(3), rows);
        assertThat(Arrays.stream(rows, 0, 600).distinct().count()).isEqualTo(600);
        // A window as large as the pool holds every row once.
        composer.compose(TrafficOrder.shuffled(), 1000, new SplittableRandom(4), rows);
        assertThat(Arrays.stream(rows).distinct().count()).isEqualTo(1000);
    }

    @Test
    void shuffledWindowMeansVaryAsSamplingWithoutReplacementDoes() {
        // The row's value is its index; a window of n from M rows without replacement has a mean whose
        // variance is (M² − 1)/12 · (1/n − 1/M) · M/(M − 1) (the finite-population correction).
        int m = 500;
        int n = 100;
        WindowComposer composer = new WindowComposer(new int[m]);
        SplittableRandom random = new SplittableRandom(5);
        int[] rows = new int[n];
        int windows = 20_000;
        double sum = 0;
        double sumSquares = 0;
        for (int w = 0; w < windows; w++) {
            composer.compose(TrafficOrder.shuffled(), n, random, rows);
            double mean = Arrays.stream(rows).average().orElseThrow();
            sum += mean;
            sumSquares += mean * mean;
        }
        double mean = sum / windows;
        double variance = sumSquares / windows - mean * mean;
        double expected = ((double) m * m - 1) / 12 * (1.0 / n - 1.0 / m) * m / (m - 1);
        assertThat(mean).isCloseTo((m - 1) / 2.0, within(0.5));
        // 20 000 windows: the variance estimate's relative error is about sqrt(2 / 20 000) = 1 %.
        assertThat(variance / expected).isCloseTo(1.0, within(0.04));
    }

    @Test
    void runsDrawWithinTheirClassWithoutRepeatsUntilTheClassIsUsedUp() {
        int[] labels = Arrays.copyOf(balancedLabels(), 100);
        WindowComposer composer = new WindowComposer(labels);
        int[] rows = new int[64];
        composer.compose(TrafficOrder.runs(64), 64, new SplittableRandom(4), rows);
        long distinctLabels = Arrays.stream(rows).map(r -> labels[r]).distinct().count();
        // A window of 64 meets at most two runs of 64; 10 rows per label in the pool, so rows repeat,
        // but every one of a class's 10 rows is used before any is used again.
        assertThat(distinctLabels).isBetween(1L, 2L);
        int[] perLabel = new int[10];
        Arrays.stream(rows).forEach(r -> perLabel[labels[r]]++);
        long expectedDistinct = Arrays.stream(perLabel).map(c -> Math.min(c, 10)).sum();
        assertThat(Arrays.stream(rows).distinct().count()).isEqualTo(expectedDistinct);
    }

    @Test
    void anOrderOutOfRangeIsRefusedWithTheFix() {
        assertThatThrownBy(() -> TrafficOrder.oneClass(1.2)).hasMessageContaining("share 1.2 must lie in (0, 1)");
        assertThatThrownBy(() -> TrafficOrder.runs(0)).hasMessageContaining("run length 0.0 must be a whole number");
    }
}
