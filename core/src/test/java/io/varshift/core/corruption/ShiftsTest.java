package io.varshift.core.corruption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ShiftsTest {

    private static final int SIDE = 28;
    /** The shifts that draw from the generator; the others must ignore it. */
    private static final Set<ShiftKind> RANDOM_KINDS = EnumSet.of(ShiftKind.NOISE, ShiftKind.OCCLUSION,
            ShiftKind.IMPULSE, ShiftKind.SHOT, ShiftKind.ROTATE, ShiftKind.SHEAR, ShiftKind.TRANSLATE, ShiftKind.FOG,
            ShiftKind.STRIPES, ShiftKind.LINES, ShiftKind.SPATTER);

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

    private static float[] constantImage(int pixels, float value) {
        float[] image = new float[pixels];
        Arrays.fill(image, value);
        return image;
    }

    /** Intensity-weighted mean position {x, y}. */
    private static double[] centroid(float[] image, int height, int width) {
        double mass = 0;
        double sx = 0;
        double sy = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                mass += image[y * width + x];
                sx += x * image[y * width + x];
                sy += y * image[y * width + x];
            }
        }
        return new double[] {sx / mass, sy / mass};
    }

    private static double sum(float[] x) {
        double sum = 0;
        for (float v : x) {
            sum += v;
        }
        return sum;
    }

    private static int count(float[] x, float value) {
        int n = 0;
        for (float v : x) {
            n += v == value ? 1 : 0;
        }
        return n;
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

    @Test
    void impulseReplacesAShareOfThreeTenthsOfTheSeverityWithBlackOrWhite() {
        // Binomial: the count of replaced pixels has sd sqrt(n p (1 - p)); 5 sd is the tolerance.
        int n = 100_000;
        for (double severity : List.of(0.1, 0.5)) {
            float[] dst = new float[n];
            Shifts.impulse(constantImage(n, 0.5f), dst, severity, new Random(21));
            int black = count(dst, 0f);
            int white = count(dst, 1f);
            assertThat(black + white + count(dst, 0.5f)).isEqualTo(n);
            double p = severity * Shifts.MAX_IMPULSE_FRACTION;
            assertThat((double) black + white).isCloseTo(n * p, within(5 * Math.sqrt(n * p * (1 - p))));
            assertThat((double) white).isCloseTo((black + white) / 2.0, within(5 * Math.sqrt((black + white) / 4.0)));
        }
    }

    @Test
    void impulseAtALowerSeverityReplacesASubsetOfThePixelsOfAHigherOne() {
        float[] src = constantImage(SIDE * SIDE, 0.5f);
        float[] low = new float[src.length];
        float[] high = new float[src.length];
        Shifts.impulse(src, low, 0.1, new Random(22));
        Shifts.impulse(src, high, 0.5, new Random(22));
        for (int i = 0; i < src.length; i++) {
            if (low[i] != 0.5f) {
                assertThat(high[i]).isEqualTo(low[i]);
            }
        }
    }

    @Test
    void poissonDrawsHaveTheirMeanAsMeanAndAsVariance() {
        // Below POISSON_NORMAL_MEAN Knuth's method, above it the rounded normal (variance + 1/12 from the rounding).
        int n = 200_000;
        for (double mean : List.of(3.0, 400.0)) {
            Random random = new Random(23);
            double sum = 0;
            double squares = 0;
            for (int i = 0; i < n; i++) {
                double k = Shifts.poisson(mean, random);
                assertThat(k).isEqualTo(Math.rint(k)).isNotNegative();
                sum += k;
                squares += k * k;
            }
            double m = sum / n;
            double v = squares / n - m * m;
            assertThat(m).isCloseTo(mean, within(5 * Math.sqrt(mean / n)));
            assertThat(v).isCloseTo(mean, within(5 * mean * Math.sqrt((2 + 1 / mean) / n) + 1.0 / 12));
        }
    }

    @Test
    void shotNoiseKeepsTheMeanAndHasVarianceXOverLambdaInUnitsOfOnePhoton() {
        // lambda = 2 / s^2: s = 0.25 gives lambda 32 (Knuth, mean 6.4), s = 0.1 lambda 200 (normal, mean 60).
        // Neither comes near the clip at 1. Sample variance: sd sigma^2 sqrt((2 + 1/mu) / n).
        int n = 200_000;
        double[][] cases = {{0.2, 0.25}, {0.3, 0.1}};
        for (double[] c : cases) {
            double x = c[0];
            double lambda = Shifts.SHOT_PHOTONS_AT_FULL / (c[1] * c[1]);
            float[] dst = new float[n];
            Shifts.shot(constantImage(n, (float) x), dst, c[1], new Random(24));
            double sd = Math.sqrt(x / lambda);
            assertThat(mean(dst)).isCloseTo(x, within(5 * sd / Math.sqrt(n)));
            double mu = lambda * x;
            assertThat(variance(dst)).isCloseTo(x / lambda,
                    within(5 * sd * sd * Math.sqrt((2 + 1 / mu) / n) + 1 / (12 * lambda * lambda)));
            for (float v : dst) {
                assertThat(v * lambda).isCloseTo(Math.rint(v * lambda), within(1e-3));
            }
        }
    }

    @Test
    void motionBlurSpreadsOneBrightPixelOverExactly2rPlus1PixelsOfItsRow() {
        int height = 5;
        int width = 31;
        float[] src = new float[height * width];
        src[2 * width + 15] = 1f;
        for (double severity : List.of(0.5, 1.0)) {
            int r = (int) Math.round(severity * Shifts.MAX_MOTION_BLUR_RADIUS);
            float[] dst = new float[src.length];
            Shifts.motionBlur(src, dst, height, width, severity);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    boolean lit = y == 2 && Math.abs(x - 15) <= r;
                    assertThat(dst[y * width + x]).isCloseTo(lit ? 1f / (2 * r + 1) : 0f, within(1e-6f));
                }
            }
        }
    }

    @Test
    void motionBlurEqualsTheBruteForceMeanOfTheRowWindowCutAtTheBorder() {
        float[] src = randomImage(25);
        float[] dst = new float[src.length];
        Shifts.motionBlur(src, dst, SIDE, SIDE, 0.5);
        int r = 3;
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                double sum = 0;
                int n = 0;
                for (int xx = Math.max(0, x - r); xx <= Math.min(SIDE - 1, x + r); xx++) {
                    sum += src[y * SIDE + xx];
                    n++;
                }
                assertThat((double) dst[y * SIDE + x]).isCloseTo(sum / n, within(1e-5));
            }
        }
    }

    @Test
    void rotatingACentredDiscChangesNothingBeyondInterpolationError() {
        // 28 x 28: the centre is (13.5, 13.5), between pixels. Away from the rim every bilinear sample reads
        // four pixels of the same value.
        double radius = 9;
        float[] disc = new float[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                disc[y * SIDE + x] = Math.hypot(x - 13.5, y - 13.5) <= radius ? 1f : 0f;
            }
        }
        for (double severity : List.of(0.35, 1.0)) {
            float[] dst = new float[disc.length];
            Shifts.rotate(disc, dst, SIDE, SIDE, severity, new Random(26));
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    double d = Math.hypot(x - 13.5, y - 13.5);
                    if (d < radius - 1.5 || d > radius + 1.5) {
                        assertThat(dst[y * SIDE + x]).isCloseTo(disc[y * SIDE + x], within(1e-5f));
                    }
                }
            }
            assertThat(sum(dst)).isCloseTo(sum(disc), within(0.03 * sum(disc)));
        }
    }

    @Test
    void rotateMovesAnOffCentreBlobToTheRotatedPositionInARandomDirection() {
        // A Gaussian blob 8 pixels right of the centre of a 29 x 29 image; its centroid turns with the image.
        int side = 29;
        double c = 14;
        float[] blob = new float[side * side];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                blob[y * side + x] = (float) Math.exp(-(Math.pow(x - c - 8, 2) + Math.pow(y - c, 2)) / (2 * 1.5 * 1.5));
            }
        }
        double severity = 0.5;
        double angle = Math.toRadians(severity * Shifts.MAX_ROTATION_DEGREES);
        // One generator for the stream of images, as replay uses it.
        Random random = new Random(44);
        Set<Double> signs = new HashSet<>();
        for (int image = 0; image < 20; image++) {
            float[] dst = new float[blob.length];
            Shifts.rotate(blob, dst, side, side, severity, random);
            double[] at = centroid(dst, side, side);
            // Clockwise as displayed: y grows downwards, so a positive angle takes +x towards +y.
            double sign = at[1] > c ? 1 : -1;
            assertThat(at[0]).isCloseTo(c + 8 * Math.cos(angle), within(0.1));
            assertThat(at[1]).isCloseTo(c + sign * 8 * Math.sin(angle), within(0.1));
            float[] expected = new float[blob.length];
            Shifts.rotateBy(blob, expected, side, side, sign * angle);
            assertThat(dst).containsExactly(expected);
            signs.add(sign);
        }
        assertThat(signs).containsExactlyInAnyOrder(-1.0, 1.0);
    }

    @Test
    void shearMovesEachRowOfAVerticalLineByKTimesItsDistanceFromTheCentreRow() {
        // Linear interpolation keeps a row's centroid exactly: it moves by the shear's offset of that row.
        int side = 29;
        float[] line = new float[side * side];
        for (int y = 0; y < side; y++) {
            line[y * side + 14] = 1f;
        }
        double severity = 0.5;
        double k = severity * Shifts.MAX_SHEAR;
        Random random = new Random(45);
        Set<Double> signs = new HashSet<>();
        for (int image = 0; image < 20; image++) {
            float[] dst = new float[line.length];
            Shifts.shear(line, dst, side, side, severity, random);
            double sign = centroidOfRow(dst, 0, side) < 14 ? 1 : -1;
            for (int y = 0; y < side; y++) {
                assertThat(centroidOfRow(dst, y, side)).isCloseTo(14 + sign * k * (y - 14), within(1e-4));
            }
            signs.add(sign);
        }
        assertThat(signs).containsExactlyInAnyOrder(-1.0, 1.0);
    }

    private static double centroidOfRow(float[] image, int y, int width) {
        double mass = 0;
        double sx = 0;
        for (int x = 0; x < width; x++) {
            mass += image[y * width + x];
            sx += x * image[y * width + x];
        }
        assertThat(mass).isCloseTo(1, within(1e-5));
        return sx / mass;
    }

    @Test
    void scaleKeepsTheCentrePixelAndShrinksABrightSquaresSideByTheFactor() {
        int side = 29;
        float[] random = new float[side * side];
        Random values = new Random(27);
        for (int i = 0; i < random.length; i++) {
            random[i] = values.nextFloat();
        }
        float[] scaled = new float[random.length];
        Shifts.scale(random, scaled, side, side, 0.6);
        assertThat(scaled[14 * side + 14]).isEqualTo(random[14 * side + 14]);

        float[] square = new float[side * side];
        for (int y = 7; y <= 21; y++) {
            Arrays.fill(square, y * side + 7, y * side + 22, 1f);
        }
        // Bilinear sampling is separable: the mass is (lit side)^2, the side 15 f within a pixel of sampling.
        for (double severity : List.of(0.2, 0.5, 1.0)) {
            float[] dst = new float[square.length];
            Shifts.scale(square, dst, side, side, severity);
            double factor = 1 - severity * Shifts.MAX_ZOOM_OUT;
            assertThat(Math.sqrt(sum(dst))).as("s = %s", severity).isCloseTo(15 * factor, within(1.0));
            assertThat(centroid(dst, side, side)).containsExactly(new double[] {14, 14}, within(1e-4));
        }
    }

    @Test
    void translateMovesADotByADrawnOffsetWithinTheBoundNeverZero() {
        // d = ceil(0.3 * 8) = 3: 48 offsets, each seen in 1000 draws but for a chance of about 48 e^-21.
        double severity = 0.3;
        int d = (int) Math.ceil(severity * Shifts.MAX_TRANSLATION);
        float[] dot = new float[SIDE * SIDE];
        dot[14 * SIDE + 14] = 1f;
        float[] image = randomImage(28);
        // Two generators in lockstep: the offset does not depend on the image.
        Random forDot = new Random(47);
        Random forImage = new Random(47);
        Set<List<Integer>> offsets = new HashSet<>();
        for (int n = 0; n < 1000; n++) {
            float[] dst = new float[dot.length];
            Shifts.translate(dot, dst, SIDE, SIDE, severity, forDot);
            assertThat(count(dst, 1f)).isEqualTo(1);
            assertThat(count(dst, 0f)).isEqualTo(dot.length - 1);
            int at = indexOf(dst, 1f);
            int dx = at % SIDE - 14;
            int dy = at / SIDE - 14;
            assertThat(Math.max(Math.abs(dx), Math.abs(dy))).isBetween(1, d);
            offsets.add(List.of(dx, dy));
            float[] moved = new float[image.length];
            Shifts.translate(image, moved, SIDE, SIDE, severity, forImage);
            float[] expected = new float[image.length];
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    int sx = x - dx;
                    int sy = y - dy;
                    boolean inside = sx >= 0 && sx < SIDE && sy >= 0 && sy < SIDE;
                    expected[y * SIDE + x] = inside ? image[sy * SIDE + sx] : 0f;
                }
            }
            assertThat(moved).containsExactly(expected);
        }
        assertThat(offsets).hasSize((2 * d + 1) * (2 * d + 1) - 1);
    }

    private static int indexOf(float[] x, float value) {
        for (int i = 0; i < x.length; i++) {
            if (x[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static Float[] toBoxed(float[] x) {
        Float[] boxed = new Float[x.length];
        for (int i = 0; i < x.length; i++) {
            boxed[i] = x[i];
        }
        return boxed;
    }

    @Test
    void translateMovesByAtLeastOnePixelAtAnySeverityAboveZero() {
        float[] dot = new float[SIDE * SIDE];
        dot[14 * SIDE + 14] = 1f;
        float[] dst = new float[dot.length];
        Shifts.translate(dot, dst, SIDE, SIDE, 0.001, new Random(29));
        assertThat(dst[14 * SIDE + 14]).isZero();
        assertThat(count(dst, 1f)).isEqualTo(1);
    }

    @Test
    void fogAddsTheScaledFieldWhichIsBilinearBetweenItsGridNodes() {
        // 28 x 28: the 4 x 4 nodes sit on the pixels 0, 9, 18 and 27 of each axis.
        float[] black = new float[SIDE * SIDE];
        float[] full = new float[black.length];
        float[] half = new float[black.length];
        Shifts.fog(black, full, SIDE, SIDE, 1, new Random(30));
        Shifts.fog(black, half, SIDE, SIDE, 0.5, new Random(30));
        double[] node = new double[16];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                node[i * 4 + j] = full[9 * i * SIDE + 9 * j] / Shifts.MAX_FOG;
                assertThat(node[i * 4 + j]).isBetween(0.0, 1.0);
            }
        }
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int i = Math.min(y / 9, 2);
                int j = Math.min(x / 9, 2);
                double ay = (y - 9.0 * i) / 9;
                double ax = (x - 9.0 * j) / 9;
                double field = (1 - ay) * ((1 - ax) * node[i * 4 + j] + ax * node[i * 4 + j + 1])
                        + ay * ((1 - ax) * node[(i + 1) * 4 + j] + ax * node[(i + 1) * 4 + j + 1]);
                assertThat((double) full[y * SIDE + x]).isCloseTo(Shifts.MAX_FOG * field, within(1e-5));
                assertThat(half[y * SIDE + x]).isCloseTo(full[y * SIDE + x] / 2, within(1e-6f));
            }
        }
        float[] src = randomImage(31);
        float[] dst = new float[src.length];
        Shifts.fog(src, dst, SIDE, SIDE, 0.35, new Random(32));
        double[] field = Shifts.fogField(SIDE, SIDE, new Random(32));
        for (int i = 0; i < src.length; i++) {
            assertThat((double) dst[i]).isCloseTo(Math.min(1, src[i] + 0.35 * Shifts.MAX_FOG * field[i]), within(1e-6));
        }
    }

    @Test
    void stripesSetExactlyEveryFourthColumnToTheMaximumOfPixelAndSeverity() {
        float[] src = randomImage(33);
        // Two generators in lockstep: the phase does not depend on the image.
        Random forBlack = new Random(46);
        Random forImage = new Random(46);
        Set<Integer> phases = new HashSet<>();
        for (int image = 0; image < 40; image++) {
            float[] black = new float[src.length];
            Shifts.stripes(new float[src.length], black, SIDE, SIDE, 0.7, forBlack);
            int phase = -1;
            for (int x = 0; x < SIDE; x++) {
                if (black[x] != 0f) {
                    phase = phase < 0 ? x : phase;
                    assertThat(x % Shifts.STRIPE_PERIOD).isEqualTo(phase);
                }
            }
            assertThat(phase).isBetween(0, Shifts.STRIPE_PERIOD - 1);
            phases.add(phase);
            float[] dst = new float[src.length];
            Shifts.stripes(src, dst, SIDE, SIDE, 0.7, forImage);
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    int i = y * SIDE + x;
                    boolean stripe = x % Shifts.STRIPE_PERIOD == phase;
                    assertThat(black[i]).isEqualTo(stripe ? 0.7f : 0f);
                    assertThat(dst[i]).isEqualTo(stripe ? Math.max(src[i], 0.7f) : src[i]);
                }
            }
        }
        assertThat(phases).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void bresenhamsLineLightsTheNearestPixelOfEveryStepAlongItsMajorAxis() {
        float[] black = new float[SIDE * SIDE];
        float[] diagonal = new float[black.length];
        Shifts.line(black, diagonal, SIDE, 0.8, 0, 0, 27, 27);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                assertThat(diagonal[y * SIDE + x]).isEqualTo(x == y ? 0.8f : 0f);
            }
        }
        float[] shallow = new float[black.length];
        Shifts.line(black, shallow, SIDE, 0.8, 0, 3, 27, 10);
        float[] steep = new float[black.length];
        Shifts.line(black, steep, SIDE, 0.8, 9, 27, 5, 0);
        for (int t = 0; t < SIDE; t++) {
            List<Integer> column = new ArrayList<>();
            List<Integer> row = new ArrayList<>();
            for (int u = 0; u < SIDE; u++) {
                if (shallow[u * SIDE + t] == 0.8f) {
                    column.add(u);
                }
                if (steep[t * SIDE + u] == 0.8f) {
                    row.add(u);
                }
            }
            assertThat(column).hasSize(1);
            assertThat(row).hasSize(1);
            assertThat((double) column.get(0)).isCloseTo(3 + 7.0 * t / 27, within(0.5));
            assertThat((double) row.get(0)).isCloseTo(5 + 4.0 * t / 27, within(0.5));
        }
        assertThat(count(shallow, 0.8f)).isEqualTo(SIDE);
        assertThat(count(steep, 0.8f)).isEqualTo(SIDE);
    }

    @Test
    void linesDrawsOneBresenhamLineBetweenBorderPixelsOnDifferentSides() {
        // Brute force: some pair of lit border pixels, not on one side, draws exactly the lit set.
        Random random = new Random(48);
        for (int image = 0; image < 30; image++) {
            float[] dst = new float[SIDE * SIDE];
            Shifts.lines(new float[SIDE * SIDE], dst, SIDE, SIDE, 0.8, random);
            assertThat(count(dst, 0.8f) + count(dst, 0f)).isEqualTo(dst.length);
            List<int[]> ends = new ArrayList<>();
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    boolean border = x == 0 || y == 0 || x == SIDE - 1 || y == SIDE - 1;
                    if (border && dst[y * SIDE + x] == 0.8f) {
                        ends.add(new int[] {x, y});
                    }
                }
            }
            boolean drawn = false;
            for (int[] a : ends) {
                for (int[] b : ends) {
                    boolean oneSide = a[0] == b[0] && (a[0] == 0 || a[0] == SIDE - 1)
                            || a[1] == b[1] && (a[1] == 0 || a[1] == SIDE - 1);
                    if (!oneSide && !drawn) {
                        float[] line = new float[dst.length];
                        Shifts.line(new float[dst.length], line, SIDE, 0.8, a[0], a[1], b[0], b[1]);
                        drawn = Arrays.equals(line, dst);
                    }
                }
            }
            assertThat(drawn).as("image %d", image).isTrue();
        }
    }

    @Test
    void spatterDropsAreGreyDiscsOfRadiusOneOrTwoCutAtTheBorder() {
        // s = 0.1: round(1.2) = one drop. Brute force over every centre and both radii.
        Random random = new Random(49);
        Set<Integer> radii = new HashSet<>();
        for (int image = 0; image < 30; image++) {
            float[] dst = new float[SIDE * SIDE];
            Shifts.spatter(new float[SIDE * SIDE], dst, SIDE, SIDE, 0.1, random);
            assertThat(count(dst, Shifts.SPATTER_VALUE) + count(dst, 0f)).isEqualTo(dst.length);
            int found = 0;
            for (int r = 1; r <= 2; r++) {
                for (int c = 0; c < dst.length; c++) {
                    float[] disc = new float[dst.length];
                    for (int i = 0; i < disc.length; i++) {
                        int dx = i % SIDE - c % SIDE;
                        int dy = i / SIDE - c / SIDE;
                        disc[i] = dx * dx + dy * dy <= r * r ? Shifts.SPATTER_VALUE : 0f;
                    }
                    if (Arrays.equals(disc, dst)) {
                        found = r;
                    }
                }
            }
            assertThat(found).as("image %d", image).isPositive();
            radii.add(found);
        }
        assertThat(radii).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void spatterDrawsRoundedTwelveTimesSeverityDropsAndNoneBelowOneTwentyFourth() {
        float[] src = randomImage(34);
        float[] none = new float[src.length];
        Shifts.spatter(src, none, SIDE, SIDE, 0.04, new Random(35));
        assertThat(none).containsExactly(src);
        float[] black = new float[src.length];
        Shifts.spatter(new float[src.length], black, SIDE, SIDE, 0.5, new Random(35));
        int lit = count(black, Shifts.SPATTER_VALUE);
        assertThat(lit).isBetween(5, 6 * 13);
        float[] dst = new float[src.length];
        Shifts.spatter(src, dst, SIDE, SIDE, 0.5, new Random(35));
        for (int i = 0; i < src.length; i++) {
            assertThat(dst[i]).isEqualTo(black[i] == 0f ? src[i] : Shifts.SPATTER_VALUE);
        }
    }

    @Test
    void edgesOfAConstantImageAreZeroSoTheBlendOnlyDarkens() {
        float[] dst = new float[SIDE * SIDE];
        Shifts.edges(constantImage(SIDE * SIDE, 0.7f), dst, SIDE, SIDE, 0.35);
        for (float v : dst) {
            assertThat(v).isCloseTo(0.65f * 0.7f, within(1e-6f));
        }
    }

    @Test
    void edgesOfAUnitStepAreOneOnTheTwoColumnsBesideIt() {
        float[] step = new float[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            Arrays.fill(step, y * SIDE + 14, (y + 1) * SIDE, 1f);
        }
        float[] dst = new float[step.length];
        Shifts.edges(step, dst, SIDE, SIDE, 0.5);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                double edge = x == 13 || x == 14 ? 1 : 0;
                assertThat((double) dst[y * SIDE + x]).isCloseTo(0.5 * step[y * SIDE + x] + 0.5 * edge, within(1e-6));
            }
        }
    }

    @Test
    void edgesEqualTheBruteForceSobelMagnitudeWithReplicatedBorder() {
        float[] src = randomImage(36);
        float[] dst = new float[src.length];
        Shifts.edges(src, dst, SIDE, SIDE, 0.35);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                double gx = 0;
                double gy = 0;
                for (int v = -1; v <= 1; v++) {
                    for (int u = -1; u <= 1; u++) {
                        int yy = Math.min(SIDE - 1, Math.max(0, y + v));
                        int xx = Math.min(SIDE - 1, Math.max(0, x + u));
                        double p = src[yy * SIDE + xx];
                        gx += u * (2 - Math.abs(v)) * p;
                        gy += v * (2 - Math.abs(u)) * p;
                    }
                }
                double edge = Math.min(1, Math.hypot(gx, gy) / Shifts.SOBEL_UNIT_STEP);
                assertThat((double) dst[y * SIDE + x]).isCloseTo(0.65 * src[y * SIDE + x] + 0.35 * edge, within(1e-5));
            }
        }
    }

    @Test
    void everyShiftButContrastCopiesTheImageExactlyAtSeverityZero() {
        // Contrast re-adds the mean, which rounds; every other shift leaves the pixels untouched.
        float[] src = randomImage(37);
        for (ShiftKind kind : EnumSet.complementOf(EnumSet.of(ShiftKind.CONTRAST))) {
            float[] dst = new float[src.length];
            kind.apply(src, dst, SIDE, SIDE, 0, new Random(38));
            assertThat(dst).as(kind.cliName()).containsExactly(src);
        }
    }

    @Test
    void everyShiftKeepsValuesInTheUnitIntervalAtTheSuiteSeveritiesAndAtOne() {
        List<float[]> images = List.of(randomImage(39), new float[SIDE * SIDE], constantImage(SIDE * SIDE, 1f));
        List<Double> severities = new ArrayList<>(ShiftKind.SUITE_SEVERITIES);
        severities.add(1.0);
        for (ShiftKind kind : ShiftKind.values()) {
            for (double severity : severities) {
                for (float[] src : images) {
                    float[] dst = new float[src.length];
                    kind.apply(src, dst, SIDE, SIDE, severity, new Random(40));
                    for (float v : dst) {
                        assertThat(v).as("%s at %s", kind.cliName(), severity).isBetween(0f, 1f);
                    }
                }
            }
        }
    }

    @Test
    void everyShiftMayWriteIntoItsSource() {
        for (ShiftKind kind : ShiftKind.values()) {
            for (double severity : ShiftKind.SUITE_SEVERITIES) {
                float[] src = randomImage(41);
                float[] expected = new float[src.length];
                kind.apply(src, expected, SIDE, SIDE, severity, new Random(42));
                kind.apply(src, src, SIDE, SIDE, severity, new Random(42));
                assertThat(src).as("%s at %s", kind.cliName(), severity).containsExactly(expected);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameImageAndOtherSeedsOtherImagesForTheRandomShifts() {
        // Rotate and shear have two outcomes (the sign) and stripes four: ten seeds, not all alike. The seeds are
        // far apart: java.util.Random's first draws after nearby seeds are nearly equal.
        float[] src = randomImage(43);
        for (ShiftKind kind : ShiftKind.values()) {
            Set<List<Float>> outputs = new HashSet<>();
            for (long k = 1; k <= 10; k++) {
                long seed = k * 0x9E3779B97F4A7C15L;
                float[] first = new float[src.length];
                float[] again = new float[src.length];
                kind.apply(src, first, SIDE, SIDE, 0.35, new Random(seed));
                kind.apply(src, again, SIDE, SIDE, 0.35, new Random(seed));
                assertThat(again).as(kind.cliName()).containsExactly(first);
                outputs.add(Arrays.asList(toBoxed(first)));
            }
            if (RANDOM_KINDS.contains(kind)) {
                assertThat(outputs).as(kind.cliName()).hasSizeGreaterThan(1);
            } else {
                assertThat(outputs).as(kind.cliName()).hasSize(1);
            }
        }
    }

    @Test
    void theSuiteSeveritiesRiseFromMildToStrongInsideTheUnitInterval() {
        assertThat(ShiftKind.SUITE_SEVERITIES).hasSize(5).isSorted().doesNotHaveDuplicates()
                .allSatisfy(s -> assertThat(s).isGreaterThan(0.0).isLessThanOrEqualTo(1.0));
        assertThat(ShiftKind.values()).hasSizeGreaterThanOrEqualTo(18);
    }
}
