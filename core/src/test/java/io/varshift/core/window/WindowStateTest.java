package io.varshift.core.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.varshift.core.calibration.CellScoreBaseline;
import io.varshift.core.calibration.ClassMixtureData;
import io.varshift.core.calibration.GaussianLayerData;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WindowStateTest {

    static final ModelReference REFERENCE = new ModelReference(List.of(
            new LayerReference("bn1", new double[] {1, 2}, new double[] {1, 1})));

    @Test
    void foldedBatchesAndClassCountsMakeTheWindowAndResetStartsAnEmptyOne() {
        WindowState w = new WindowState(REFERENCE, 3);
        assertThat(w.isEmpty()).isTrue();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        w.open(t0);
        w.open(t0.plusSeconds(5));
        // Two samples of one position: channel 0 sees 1 and 3 (sums shifted by the running mean 1).
        w.fold(0, new float[] {0, 0, 2, 0}, new float[] {0, 0, 4, 0}, 2, 1);
        w.forwarded(new int[] {2, 2}, 2);
        assertThat(w.openedAt()).isEqualTo(t0);
        assertThat(w.samples()).isEqualTo(2);
        assertThat(w.moments().get(0).mean(0)).isCloseTo(2, within(1e-12));
        assertThat(w.moments().get(0).variance(0)).isCloseTo(1, within(1e-12));
        assertThat(w.classCounts()).containsExactly(0, 0, 2);

        var closed = w.moments();
        w.reset();
        assertThat(w.isEmpty()).isTrue();
        assertThat(w.samples()).isZero();
        assertThat(w.classCounts()).containsExactly(0, 0, 0);
        assertThat(w.moments().get(0).count()).isZero();
        assertThat(closed.get(0).count()).as("a closed window keeps its moments").isEqualTo(2);
    }

    @Test
    void aPolicyWithoutCountOrDurationAndAModelWithoutClassesAreRefused() {
        assertThatThrownBy(() -> WindowPolicy.of(0, null)).hasMessageContaining("a sample count, a duration, or both");
        assertThatThrownBy(() -> new WindowState(REFERENCE, 0)).hasMessageContaining("classes = 0");
    }

    @Test
    void eachSamplesCellScoreIsTakenAgainstItsClassAndFitAndSummedPerLayer() {
        ModelReference calibrated = WindowJudgeTest.REFERENCE;
        ModelCalibration calibration = calibrated.calibration().orElseThrow();
        WindowState w = new WindowState(calibrated, ClassMixtureData.CLASSES);
        assertThat(w.listener().wantsCells()).isTrue();
        assertThat(new WindowState(REFERENCE, 3).listener().wantsCells()).isFalse();
        GaussianLayerData[][] layers = ClassMixtureData.layers(1);
        SplittableRandom random = new SplittableRandom(9);
        double[] expected = new double[2];
        int sample = 0;
        for (int batch = 0; batch < 3; batch++) {
            int n = 7;
            int[] predicted = new int[n];
            for (int i = 0; i < n; i++) {
                predicted[i] = random.nextInt(ClassMixtureData.CLASSES);
            }
            for (int l = 0; l < 2; l++) {
                float[][] sums = layers[l][0].sampleSums(random, n, new double[ClassMixtureData.CHANNELS]);
                w.listener().onBatch(l, sums[0], sums[1], n, ClassMixtureData.POSITIONS);
                w.listener().onCells(l, sums[2], n, ClassMixtureData.CHANNELS, layers[l][0].cells());
                CellScoreBaseline baseline = calibration.cellScores().get(l);
                for (int i = 0; i < n; i++) {
                    expected[l] += baseline.score(sums[2], i * baseline.features(), predicted[i], sample + i);
                }
            }
            w.forwarded(predicted, n);
            sample += n;
        }
        assertThat(w.cellScoreSums()[0]).isCloseTo(expected[0], within(1e-9));
        assertThat(w.cellScoreSums()[1]).isCloseTo(expected[1], within(1e-9));
        assertThat(w.samples()).isEqualTo(21);
        // A forward whose probes did not report cell means is refused, not scored as zero.
        assertThatThrownBy(() -> w.forwarded(new int[] {0}, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the probes did not report it");
        w.reset();
        assertThat(w.cellScoreSums()).containsOnly(0.0);
    }
}
