package io.varshift.core.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varshift.core.calibration.ClassMixtureData;
import io.varshift.core.calibration.GaussianLayerData;
import io.varshift.core.reference.ModelReference;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchProbesTest {

    /**
     * Batches forwarded elsewhere and folded in order make the window a listener-fed one makes, to
     * the bit: moments, cell score sums and class counts. (The agent's forward threads rely on it.)
     */
    @Test
    void batchesFoldedInOrderGiveTheSameWindowToTheBitAsTheListener() {
        ModelReference calibrated = WindowJudgeTest.REFERENCE;
        WindowState direct = new WindowState(calibrated, ClassMixtureData.CLASSES);
        WindowState folded = new WindowState(calibrated, ClassMixtureData.CLASSES);
        GaussianLayerData[][] layers = ClassMixtureData.layers(1);
        SplittableRandom random = new SplittableRandom(5);
        BatchProbes[] batches = {new BatchProbes(2, true), new BatchProbes(2, true)};
        assertThat(batches[0].wantsCells()).isTrue();
        long sample = 0;
        for (int b = 0; b < 6; b++) {
            int n = 5 + b;
            int[] predicted = new int[n];
            for (int i = 0; i < n; i++) {
                predicted[i] = random.nextInt(ClassMixtureData.CLASSES);
            }
            BatchProbes batch = batches[b % 2];
            batch.clear();
            for (int l = 0; l < 2; l++) {
                float[][] sums = layers[l][0].sampleSums(random, n, new double[ClassMixtureData.CHANNELS]);
                direct.listener().onBatch(l, sums[0], sums[1], n, ClassMixtureData.POSITIONS);
                direct.listener().onCells(l, sums[2], n, ClassMixtureData.CHANNELS, layers[l][0].cells());
                batch.onBatch(l, sums[0], sums[1], n, ClassMixtureData.POSITIONS);
                batch.onCells(l, sums[2], n, ClassMixtureData.CHANNELS, layers[l][0].cells());
            }
            direct.forwarded(predicted, n);
            batch.score(folded.cellScores(), predicted, n, sample);
            folded.add(batch);
            sample += n;
        }
        assertThat(folded.samples()).isEqualTo(direct.samples()).isEqualTo(45);
        assertThat(folded.cellScoreSums()).containsExactly(direct.cellScoreSums());
        assertThat(folded.classCounts()).containsExactly(direct.classCounts());
        for (int l = 0; l < 2; l++) {
            for (int c = 0; c < ClassMixtureData.CHANNELS; c++) {
                assertThat(folded.moments().get(l).mean(c)).isEqualTo(direct.moments().get(l).mean(c));
                assertThat(folded.moments().get(l).variance(c)).isEqualTo(direct.moments().get(l).variance(c));
            }
        }
    }

    @Test
    void aBatchALayerDidNotReportOrWithOtherCellsOrNotScoredIsRefused() {
        ModelReference calibrated = WindowJudgeTest.REFERENCE;
        WindowState window = new WindowState(calibrated, ClassMixtureData.CLASSES);
        GaussianLayerData[][] layers = ClassMixtureData.layers(1);
        SplittableRandom random = new SplittableRandom(6);
        BatchProbes batch = new BatchProbes(2, true);
        assertThatThrownBy(() -> window.add(batch)).hasMessageContaining("not scored");

        float[][] sums = layers[0][0].sampleSums(random, 3, new double[ClassMixtureData.CHANNELS]);
        batch.onBatch(0, sums[0], sums[1], 3, ClassMixtureData.POSITIONS);
        batch.onCells(0, sums[2], 3, ClassMixtureData.CHANNELS, layers[0][0].cells());
        assertThatThrownBy(() -> batch.score(window.cellScores(), new int[3], 3, 0))
                .hasMessageContaining("BN layer 1: the probe reported -1 samples for a forward of 3");

        batch.onBatch(1, sums[0], sums[1], 3, ClassMixtureData.POSITIONS);
        batch.onCells(1, sums[2], 3, ClassMixtureData.CHANNELS, 1);
        assertThatThrownBy(() -> batch.score(window.cellScores(), new int[3], 3, 0))
                .hasMessageContaining("cell means per sample but the calibration has");
        assertThat(window.samples()).isZero();
    }
}
