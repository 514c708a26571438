package io.varshift.core.corruption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;

import org.junit.jupiter.api.Test;

class ShiftsTest {

    private static final int SIDE = 28;

    private static float[] randomImage(long seed) {
        Random random = new Random(seed);
        float[] image = new float[SIDE * SIDE];
        for (int i = 0; i < image.length; i++) {
            image[i] = random.nextFloat();
        }
        return image;
    }

    private static double mean(float[] x) {
        double sum = 0;
        for (float v : x) {
            sum += v;
        }
        return sum / x.length;
    }

    private static double variance(float[] x) {
        double m = mean(x);
        double sum = 0;
        for (float v : x) {
            sum += (v - m) * (v - m);
        }
        return sum / x.length;
    }

    @Test
    void contrastMultipliesThePixelVarianceBySquaredKeepFactorAndKeepsTheMean() {
        float[] src = randomImage(1);
        float[] dst = new float[src.length];
        Shifts.contrast(src, dst, 0.6);
        assertThat(variance(dst)).isCloseTo(0.4 * 0.4 * variance(src), within(1e-6));
        assertThat(mean(dst)).isCloseTo(mean(src), within(1e-6));
    }

    @Test
    void contrastAtFullSeverityIsTheFlatMeanImage() {
        float[] src = randomImage(2);
        float[] dst = new float[src.length];
        Shifts.contrast(src, dst, 1);
        for (float v : dst) {
            assertThat(v).isCloseTo((float) mean(src), within(1e-6f));
        }
    }

    @Test
    void brightnessAddsTheSeverityAndClipsAtOne() {
        float[] dst = new float[3];
        Shifts.brightness(new float[] {0f, 0.2f, 0.9f}, dst, 0.3);
        assertThat(dst).containsExactly(new float[] {0.3f, 0.5f, 1f}, within(1e-6f));
    }

    @Test
    void noiseAddsTheExpectedVarianceAwayFromTheClipBounds() {
        // Mid-grey, sd 0.1: clipping needs a 5-sigma draw. Sample variance of n draws has sd sigma^2 sqrt(2/n).
        int n = 200_000;
        float[] src = new float[n];
        java.util.Arrays.fill(src, 0.5f);
        float[] dst = new float[n];
        Shifts.noise(src, dst, 0.2, new Random(3));
        double sd = 0.2 * Shifts.MAX_NOISE_SD;
        assertThat(variance(dst)).isCloseTo(sd * sd, within(5 * sd * sd * Math.sqrt(2.0 / n)));
        assertThat(mean(dst)).isCloseTo(0.5, within(5 * sd / Math.sqrt(n)));
    }

    @Test
    void noiseAtFullSeverityIsClippedToTheUnitInterval() {
        float[] dst = new float[SIDE * SIDE];
        Shifts.noise(randomImage(4), dst, 1, new Random(5));
        assertThat(dst).contains(0f, 1f);
        for (float v : dst) {
            assertThat(v).isBetween(0f, 1f);
        }
    }

    @Test
    void blurSpreadsOneBrightPixelEvenlyOverItsBox() {
        // 15 x 15 with the pixel at (7, 7): no box that reaches it is cut by the border.
        int side = 15;
        float[] src = new float[side * side];
        src[7 * side + 7] = 1f;
        float[] dst = new float[src.length];
        Shifts.blur(src, dst, side, side, 1);
        int box = 2 * Shifts.MAX_BLUR_RADIUS + 1;
        int lit = 0;
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                boolean inBox = Math.abs(y - 7) <= 3 && Math.abs(x - 7) <= 3;
                assertThat(dst[y * side + x]).isCloseTo(inBox ? 1f / (box * box) : 0f, within(1e-6f));
                lit += inBox ? 1 : 0;
            }
        }
        assertThat(lit).isEqualTo(box * box);
    }

    @Test
    void blurEqualsTheBruteForceMeanOfTheBoxCutAtTheBorder() {
        float[] src = randomImage(6);
        float[] dst = new float[src.length];
        Shifts.blur(src, dst, SIDE, SIDE, 2.0 / 3);
        int r = 2;
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                double sum = 0;
                int n = 0;
                for (int yy = Math.max(0, y - r); yy <= Math.min(SIDE - 1, y + r); yy++) {
                    for (int xx = Math.max(0, x - r); xx <= Math.min(SIDE - 1, x + r); xx++) {
                        sum += src[yy * SIDE + xx];
                        n++;
                    }
                }
                assertThat((double) dst[y * SIDE + x]).isCloseTo(sum / n, within(1e-5));
            }
        }
    }

    @Test
    void blurMayWriteIntoItsSource() {
        float[] src = randomImage(7);
        float[] expected = new float[src.length];
        Shifts.blur(src, expected, SIDE, SIDE, 1);
        Shifts.blur(src, src, SIDE, SIDE, 1);
        assertThat(src).containsExactly(expected);
    }

    @Test
    void occlusionCoversOneGreySquareOfTheSeveritysSide() {
        float[] dst = new float[SIDE * SIDE];
        Shifts.occlusion(new float[SIDE * SIDE], dst, SIDE, SIDE, 0.5, new Random(8));
        int minY = SIDE, maxY = -1, minX = SIDE, maxX = -1, covered = 0;
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                if (dst[y * SIDE + x] == Shifts.OCCLUSION_VALUE) {
                    covered++;
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                } else {
                    assertThat(dst[y * SIDE + x]).isZero();
                }
            }
        }
        assertThat(covered).isEqualTo(14 * 14);
        assertThat(maxY - minY + 1).isEqualTo(14);
        assertThat(maxX - minX + 1).isEqualTo(14);
    }

    @Test
    void invertAtFullSeverityIsTheNegativeAndAtHalfIsFlatGrey() {
        float[] src = randomImage(9);
        float[] full = new float[src.length];
        float[] half = new float[src.length];
        Shifts.invert(src, full, 1);
        Shifts.invert(src, half, 0.5);
        for (int i = 0; i < src.length; i++) {
            assertThat(full[i]).isCloseTo(1 - src[i], within(1e-6f));
            assertThat(half[i]).isCloseTo(0.5f, within(1e-6f));
        }
    }

    @Test
    void everyShiftIsTheIdentityAtSeverityZero() {
        float[] src = randomImage(10);
        for (ShiftKind kind : ShiftKind.values()) {
            float[] dst = new float[src.length];
            kind.apply(src, dst, SIDE, SIDE, 0, new Random(11));
            assertThat(dst).as(kind.cliName()).containsExactly(src, within(1e-6f));
        }
    }

    @Test
    void everyShiftKeepsValuesInTheUnitIntervalAndChangesTheImageAtFullSeverity() {
        float[] src = randomImage(12);
        for (ShiftKind kind : ShiftKind.values()) {
            float[] dst = new float[src.length];
            kind.apply(src, dst, SIDE, SIDE, 1, new Random(13));
            for (float v : dst) {
                assertThat(v).as(kind.cliName()).isBetween(0f, 1f);
            }
            assertThat(dst).as(kind.cliName()).isNotEqualTo(src);
        }
    }

    @Test
    void severityOutsideTheUnitIntervalIsRefusedNamingTheValue() {
        float[] image = new float[4];
        assertThatThrownBy(() -> Shifts.contrast(image, image, 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5").hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> Shifts.invert(image, image, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
    }

    @Test
    void anImageOfTheWrongSizeIsRefused() {
        assertThatThrownBy(() -> Shifts.blur(new float[10], new float[10], 3, 3, 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10 pixels is not 3 x 3");
        assertThatThrownBy(() -> Shifts.brightness(new float[10], new float[9], 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("destination has 9");
    }
}
