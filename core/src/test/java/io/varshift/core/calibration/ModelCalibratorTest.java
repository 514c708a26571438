package io.varshift.core.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.varshift.core.moments.ChannelMoments;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The class-conditional window test on simulated layers whose input distribution depends on the
 * class (as real BN inputs do): calibrated on one sample, judged on fresh windows from the same
 * distribution in shuffled and skewed class mixes, and on drifted ones.
 */
class ModelCalibratorTest {

    static final int CLASSES = ClassMixtureData.CLASSES;
    static final int CHANNELS = ClassMixtureData.CHANNELS;
    static final double[] BALANCED = ClassMixtureData.BALANCED;
    static final double[] ONE_CLASS_AT_60 = ClassMixtureData.ONE_CLASS_AT_60;

    
    @Test
    void freshCleanWindowsAlarmAtAboutAlphaWhateverTheClassMix() {
        ModelCalibration calibration = ClassMixtureData.calibrated(0.05);
        GaussianLayerData[][] clean = ClassMixtureData.layers(1);
        // The promise is [α/2, 2α]; 1000 windows put a standard error of 0.7 % on each rate.
        assertThat(ClassMixtureData.modelRate(calibration, clean, BALANCED, 1000, 31)).isBetween(0.025, 0.1);
        assertThat(ClassMixtureData.modelRate(calibration, clean, ONE_CLASS_AT_60, 1000, 32)).isBetween(0.025, 0.1);
    }

    @Test
    void aTwentyPercentWiderInputIsCaughtInMostWindows() {
        ModelCalibration calibration = ClassMixtureData.calibrated(0.01);
        assertThat(ClassMixtureData.modelRate(calibration, ClassMixtureData.layers(1.2), BALANCED, 200, 33)).isGreaterThan(0.9);
    }

    @Test
    void mixtureMomentsEqualThePooledMomentsOfTheSameData() {
        SplittableRandom random = new SplittableRandom(41);
        int[] classes = new int[600];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = i < 400 ? 0 : 1 + random.nextInt(CLASSES - 1);
        }
        SampleContributions rows = ClassMixtureData.sums(ClassMixtureData.layers(1), classes, random).get(0);
        int[] all = new int[classes.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        ClassConditionalBaseline baseline = ClassConditionalBaseline.of("bn1", rows, all, classes, CLASSES);
        long[] counts = baseline.counts();
        double[][] expected = baseline.expected(counts);
        ChannelMoments pooled = rows.total();
        for (int c = 0; c < CHANNELS; c++) {
            assertThat(expected[0][c]).isCloseTo(pooled.mean(c), within(1e-6));
            assertThat(expected[1][c]).isCloseTo(pooled.variance(c), within(1e-5));
        }
    }

    @Test
    void jsonRoundTripJudgesTheSame() {
        ModelCalibration calibration = ClassMixtureData.calibrated(0.01);
        ModelCalibration back = ModelCalibration.fromJson(calibration.toJson());
        ClassMixtureData.Window window = ClassMixtureData.window(calibration, ClassMixtureData.layers(1.1), BALANCED,
                100, new SplittableRandom(51));
        ModelCalibration.Judgement a = window.judge(calibration);
        ModelCalibration.Judgement b = window.judge(back);
        assertThat(b.modelP()).isEqualTo(a.modelP());
        assertThat(b.layerP()).containsExactly(a.layerP());
        assertThat(b.cellP()).containsExactly(a.cellP());
        assertThat(back.cellScores().get(1).scoreMeans()).containsExactly(calibration.cellScores().get(1).scoreMeans());
        assertThat(b.predictionMixP()).isEqualTo(a.predictionMixP());
        assertThat(back.scoreThreshold()).isCloseTo(2, within(1e-12));
    }

    @Test
    void tooFewHeldOutSamplesAreRefusedWithTheFix() {
        int[] classes = new int[10];
        ModelCalibrator.HeldOut heldOut = new ModelCalibrator.HeldOut(List.of("bn1", "bn2"),
                ClassMixtureData.sums(ClassMixtureData.layers(1), classes, new SplittableRandom(1)), classes, null, CLASSES);
        assertThatThrownBy(() -> new ModelCalibrator(500, 1).calibrate(heldOut, List.of(64), 0.01))
                .hasMessageContaining("hold out more samples");
    }
}
