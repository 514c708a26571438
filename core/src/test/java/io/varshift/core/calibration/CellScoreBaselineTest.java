package io.varshift.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The cell score test against closed forms and simulations: the score of a sample, the window
 * statistic T², the honesty of the cross-fitted baseline on fresh clean data, and its power on a
 * change confined to one cell of one channel in half the samples.
 */
class CellScoreBaselineTest {

    private static final int CLASSES = 3;
    private static final int CHANNELS = 4;
    private static final int CELLS = 4;

    /** Rows whose cell means are N(class-dependent mean, 1), independent. */
    private static SampleContributions rows(int[] classes, SplittableRandom random, double shiftOfFeatureZero) {
        int n = classes.length;
        int features = CHANNELS * CELLS;
        SampleContributions out = new SampleContributions(new double[CHANNELS], CELLS);
        out.add(new float[n * CHANNELS], new float[n * CHANNELS], n);
        float[] cells = new float[n * features];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < features; f++) {
                cells[i * features + f] = (float) (classes[i] * 0.5 * ((f % 3) - 1) + random.nextGaussian()
                        + (f == 0 ? shiftOfFeatureZero : 0));
            }
        }
        out.addCells(cells, n, CELLS);
        return out;
    }

    private static int[] classes(int n, SplittableRandom random) {
        int[] k = new int[n];
        for (int i = 0; i < n; i++) {
            k[i] = random.nextInt(CLASSES);
        }
        return k;
    }

    private static int[] all(int n) {
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = i;
        }
        return rows;
    }

    @Test
    void aSampleScoresTheLogOfItsLargestSquaredStandardisedCellDistanceUnderItsFit() {
        SplittableRandom random = new SplittableRandom(1);
        int[] classes = classes(900, random);
        SampleContributions held = rows(classes, random, 0);
        CellScoreBaseline baseline = CellScoreBaseline.fit("bn", held, all(900), classes, CLASSES, 7).baseline();
        int[] foldOf = CellScoreBaseline.folds(all(900), 900, 7);
        float[] cells = held.cellMeans();
        int features = CHANNELS * CELLS;
        for (int fit = 0; fit < CellScoreBaseline.FOLDS; fit++) {
            // Class 1's moments of every feature over the rows outside fold `fit`, by hand.
            double[] mean = new double[features];
            double[] square = new double[features];
            int n = 0;
            for (int i = 0; i < classes.length; i++) {
                if (classes[i] == 1 && foldOf[i] != fit) {
                    n++;
                    for (int f = 0; f < features; f++) {
                        mean[f] += cells[i * features + f];
                        square[f] += cells[i * features + f] * (double) cells[i * features + f];
                    }
                }
            }
            float[] sample = new float[features];
            for (int f = 0; f < features; f++) {
                mean[f] /= n;
                double sd = Math.sqrt(square[f] / n - mean[f] * mean[f]);
                // Every cell at the class mean except feature 5, three sd above it.
                sample[f] = (float) (mean[f] + (f == 5 ? 3 * sd : 0));
            }
            // The window's sample number picks the fit: fit, fit + 5, ... all use fit `fit`.
            assertThat(baseline.score(sample, 0, 1, fit)).isCloseTo(Math.log(9), within(1e-4));
            assertThat(baseline.score(sample, 0, 1, fit + 5L * CellScoreBaseline.FOLDS))
                    .isEqualTo(baseline.score(sample, 0, 1, fit));
        }
        assertThat(foldOf).containsOnly(0, 1, 2, 3, 4);
        float[] any = new float[features];
        assertThatThrownBy(() -> baseline.score(any, 0, 3, 0)).hasMessageContaining("predicted class 3");
        assertThatThrownBy(() -> baseline.score(new float[5], 0, 0, 0)).hasMessageContaining("needs 16 cell means");
    }

    @Test
    void theLargestCellDistanceIsFoundWhereverItIsAndANonFiniteCellMakesTheScoreNaN() {
        // 3 channels x 3 cells = 9 features: not a multiple of the scoring loop's stride of four.
        int channels = 3;
        int cells = 3;
        int features = channels * cells;
        int n = 600;
        SplittableRandom random = new SplittableRandom(4);
        SampleContributions held = new SampleContributions(new double[channels], cells);
        held.add(new float[n * channels], new float[n * channels], n);
        float[] values = new float[n * features];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        held.addCells(values, n, cells);
        int[] one = new int[n];
        CellScoreBaseline baseline = CellScoreBaseline.fit("bn", held, all(n), one, 1, 3).baseline();
        for (int at = 0; at < features; at++) {
            float[] sample = new float[features];
            for (int f = 0; f < features; f++) {
                sample[f] = (float) random.nextGaussian();
            }
            sample[at] += 6;
            // Brute force: the largest squared standardised distance under fit 2, one feature at a time.
            double largest = 0;
            for (int f = 0; f < features; f++) {
                double d = sample[f] - baseline.fitMean(2, 0, f);
                largest = Math.max(largest, (float) ((float) d * (float) d * baseline.fitPrecision(2, 0, f)));
            }
            assertThat(baseline.score(sample, 0, 0, 2)).isCloseTo(Math.log(largest + CellScoreBaseline.LOG_FLOOR),
                    within(1e-6));
            float[] broken = sample.clone();
            broken[at] = Float.NaN;
            assertThat(baseline.score(broken, 0, 0, 2)).isNaN();
        }
    }

    @Test
    void theWindowStatisticIsTheSquaredZOfTheMeanScoreUnderTheWindowsClassMix() {
        SplittableRandom random = new SplittableRandom(2);
        int[] classes = classes(1200, random);
        CellScoreBaseline b = CellScoreBaseline.fit("bn", rows(classes, random, 0), all(1200), classes, CLASSES, 8)
                .baseline();
        long[] counts = {30, 0, 10};
        double n = 40;
        double[] e = b.scoreMeans();
        double[] v = b.scoreVariances();
        long[] a = b.counts();
        double expected = 0.75 * e[0] + 0.25 * e[2];
        double variance = (0.75 / n + 0.75 * 0.75 / a[0]) * v[0] + (0.25 / n + 0.25 * 0.25 / a[2]) * v[2];
        double scoreSum = n * (expected + 1.5 * Math.sqrt(variance));
        assertThat(b.statistic(scoreSum, counts)).isCloseTo(2.25, within(1e-6));
        assertThat(b.statistic(n * expected, counts)).isCloseTo(0, within(1e-9));
        assertThatThrownBy(() -> b.statistic(1, new long[] {1, 2})).hasMessageContaining("2 predicted-class counts");
    }

    @Test
    void crossFittedScoresMakeFreshCleanWindowsChiSquareWhereInSampleScoresWouldNot() {
        SplittableRandom random = new SplittableRandom(3);
        int[] classes = classes(600, random);
        SampleContributions held = rows(classes, random, 0);
        CellScoreBaseline b = CellScoreBaseline.fit("bn", held, all(600), classes, CLASSES, 9).baseline();
        // Mostly in-sample: row i scored against fit i mod 5, which four in five rows were fitted in.
        double inSample = mean(b.scoreRows(held, classes));
        double crossFitted = 0;
        for (int k = 0; k < CLASSES; k++) {
            crossFitted += b.scoreMeans()[k] * b.counts()[k] / 600.0;
        }
        int windows = 3000;
        int size = 64;
        double statistics = 0;
        int over = 0;
        double freshScores = 0;
        for (int w = 0; w < windows; w++) {
            int[] k = classes(size, random);
            double[] scores = b.scoreRows(rows(k, random, 0), k);
            long[] counts = new long[CLASSES];
            double sum = 0;
            for (int i = 0; i < size; i++) {
                counts[k[i]]++;
                sum += scores[i];
            }
            freshScores += sum / size / windows;
            double t2 = b.statistic(sum, counts);
            statistics += t2 / windows;
            over += t2 > 3.841 ? 1 : 0;
        }
        // T² ~ χ²(1) on fresh clean windows: mean 1, 5 % above 3.841 (3000 windows: se 0.4 %).
        assertThat(statistics).isBetween(0.85, 1.15);
        assertThat(over / (double) windows).isBetween(0.035, 0.065);
        // The rows a fit was fitted on score lower than out-of-sample rows do: a baseline of
        // in-sample scores would put every fresh window above it.
        System.out.printf("cell scores: in-sample %.4f, cross-fitted %.4f, fresh %.4f%n", inSample, crossFitted,
                freshScores);
        assertThat(crossFitted - inSample).isGreaterThan(0.03);
    }

    @Test
    void aChangeInOneCellOfHalfTheSamplesIsCaughtByTheCellTestAndTheModel() {
        // 64 positions per sample, read as a 1 x 64 map: 4 cells of 16 positions.
        ModelCalibration calibration = ClassMixtureData.calibrated(1e-3, 64);
        GaussianLayerData[][] layers = ClassMixtureData.layers(1, 64);
        // Layer 0, channel 1: its first cell (16 of 64 positions) 3 sd higher in half the samples.
        for (int k = 0; k < layers[0].length; k++) {
            layers[0][k] = layers[0][k].patched(1, 0, 16, 3, 0.5);
        }
        SplittableRandom random = new SplittableRandom(61);
        int cellOver = 0;
        int momentOver = 0;
        int modelOver = 0;
        int windows = 100;
        for (int w = 0; w < windows; w++) {
            ModelCalibration.Judgement j = ClassMixtureData.window(calibration, layers, ClassMixtureData.BALANCED, 100,
                    random).judge(calibration);
            cellOver += j.cellP()[0] < 1e-3 ? 1 : 0;
            momentOver += j.momentP()[0] < 1e-3 ? 1 : 0;
            modelOver += j.modelP() < 1e-3 ? 1 : 0;
        }
        System.out.printf("patched cell: cell test over in %d, moment test in %d of %d windows%n", cellOver,
                momentOver, windows);
        assertThat(cellOver).isGreaterThanOrEqualTo(90);
        assertThat(modelOver).isGreaterThanOrEqualTo(90);
    }

    @Test
    void jsonRoundTripKeepsEveryFieldAndRefusesAWrongShape() {
        SplittableRandom random = new SplittableRandom(4);
        int[] classes = classes(300, random);
        SampleContributions held = rows(classes, random, 0);
        CellScoreBaseline b = CellScoreBaseline.fit("bn", held, all(300), classes, CLASSES, 1).baseline();
        CellScoreBaseline back = CellScoreBaseline.fromJson(b.toJson());
        assertThat(back.scoreRows(held, classes)).containsExactly(b.scoreRows(held, classes));
        assertThat(back.scoreVariances()).containsExactly(b.scoreVariances());
        var json = b.toJson();
        ((ArrayNode) json.get("cellVariance").get(2).get(0))
                .set(0, IntNode.valueOf(0));
        assertThatThrownBy(() -> CellScoreBaseline.fromJson(json)).hasMessageContaining("fit 2 class 0")
                .hasMessageContaining("must be positive");
        var oneFit = b.toJson();
        ((ArrayNode) oneFit.get("cellMean")).remove(4);
        assertThatThrownBy(() -> CellScoreBaseline.fromJson(oneFit)).hasMessageContaining("has 4 fits; expected 5");
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
