package io.varshift.core.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CusumTest {

    /** Mean windows to the first signal on N(0, 1) scores, by simulation. */
    private static double simulatedRunLength(double k, double h, int runs, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double total = 0;
        for (int r = 0; r < runs; r++) {
            Cusum cusum = new Cusum(k, h);
            long t = 0;
            do {
                t++;
            } while (!cusum.observe(random.nextGaussian()));
            total += t;
        }
        return total / runs;
    }

    @Test
    void brookEvansRunLengthAgreesWithSimulation() {
        double arl = Cusum.averageRunLength(0.5, 4);
        double simulated = simulatedRunLength(0.5, 4, 4_000, 11);
        // Simulation standard error ≈ ARL/√runs ≈ 1.6 %.
        assertThat(arl / simulated).isBetween(0.95, 1.05);
        assertThat(arl).isBetween(300.0, 400.0);
    }

    @Test
    void thresholdForAGivenRunLengthReachesIt() {
        double h = Cusum.thresholdFor(500, 0.5);
        assertThat(Cusum.averageRunLength(0.5, h)).isBetween(499.0, 501.0);
        assertThat(simulatedRunLength(0.5, h, 3_000, 12) / 500).isBetween(0.94, 1.06);
    }

    @Test
    void aSmallPersistentShiftIsCaughtWithinAFewWindows() {
        double h = Cusum.thresholdFor(10_000, 0.5);
        SplittableRandom random = new SplittableRandom(13);
        Cusum cusum = new Cusum(0.5, h);
        int windows = 0;
        // A shift of 1.5 sd: a single window at α = 1e-2 (z > 2.33) catches it about 20 % of the time.
        while (!cusum.observe(1.5 + random.nextGaussian())) {
            windows++;
        }
        assertThat(windows).isLessThan(20);
    }
}
