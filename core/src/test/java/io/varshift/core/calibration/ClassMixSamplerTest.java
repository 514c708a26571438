package io.varshift.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ClassMixSamplerTest {

    @Test
    void anEighthOfTheWindowsOrMoreHoldOneClassAndEveryRowComesFromThePool() {
        int classes = 5;
        int[] pool = new int[1000];
        int[] classOf = new int[2000];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = 2 * i;
            classOf[2 * i] = i % classes;
            classOf[2 * i + 1] = -1;
        }
        ClassMixSampler sampler = new ClassMixSampler(pool, fill(classOf), classes);
        SplittableRandom random = new SplittableRandom(3);
        int[] rows = new int[50];
        int windows = 8000;
        int pure = 0;
        int balanced = 0;
        for (int w = 0; w < windows; w++) {
            sampler.draw(random, rows, rows.length);
            int[] counts = new int[classes];
            for (int row : rows) {
                assertThat(row % 2).isZero();
                counts[classOf[row]]++;
            }
            int max = 0;
            for (int c : counts) {
                max = Math.max(max, c);
            }
            pure += max == rows.length ? 1 : 0;
            balanced += max <= 20 ? 1 : 0;
        }
        // One in 8: half the windows are class-mixed and one in 4 of those holds one class; Dirichlet
        // draws with a small concentration add a few more.
        assertThat(pure / (double) windows).isBetween(0.115, 0.30);
        // The uniform half: a class holds more than 20 of 50 rows in a uniform window about 1 % of the time.
        assertThat(balanced / (double) windows).isBetween(0.5, 0.75);
    }

    /** Rows outside the pool get class 0 (they are never drawn; the sampler only reads pool rows). */
    private static int[] fill(int[] classOf) {
        int[] out = classOf.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(0, out[i]);
        }
        return out;
    }
}
