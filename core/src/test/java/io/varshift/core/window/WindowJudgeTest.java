package io.varshift.core.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.varshift.core.alarm.AlarmState;
import io.varshift.core.calibration.ClassMixtureData;
import io.varshift.core.calibration.GaussianLayerData;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WindowJudgeTest {

    static final ModelReference REFERENCE = reference();

    static ModelReference reference() {
        double[] mean = new double[ClassMixtureData.CHANNELS];
        double[] var = {1, 1, 1, 1};
        return new ModelReference(List.of(new LayerReference("bn1", mean, var),
                new LayerReference("bn2", mean, var)), ClassMixtureData.calibrated(0.01));
    }

    /** Judges {@code windows} fresh windows of 100 samples; returns the verdicts in order. */
    static List<WindowVerdict> run(WindowJudge judge, GaussianLayerData[][] layers, double[] mix, int windows,
            long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<WindowVerdict> out = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            ClassMixtureData.Window window = ClassMixtureData.window(REFERENCE.calibration().orElseThrow(), layers, mix,
                    100, random);
            out.add(judge.judge(window.moments(), window.cellScoreSums(), window.counts(), w));
        }
        return out;
    }

    static WindowJudge judge() {
        return new WindowJudge(REFERENCE, 2, 3, 10_000);
    }

    @Test
    void cleanTrafficInAnyClassMixNeverRaisesTheModelAlarm() {
        WindowJudge judge = judge();
        List<WindowVerdict> verdicts = new ArrayList<>(run(judge, ClassMixtureData.layers(1), ClassMixtureData.BALANCED, 40, 1));
        verdicts.addAll(run(judge, ClassMixtureData.layers(1), ClassMixtureData.ONE_CLASS_AT_60, 40, 2));
        assertThat(verdicts).extracting(v -> v.model().state()).doesNotContain(AlarmState.ALARM);
        assertThat(verdicts).allSatisfy(v -> assertThat(v.calibratedWindow()).isEqualTo(100));
    }

    @Test
    void aSixtyPercentClassMixRaisesThePredictionMixSignalNotTheCovariateOne() {
        List<WindowVerdict> verdicts = run(judge(), ClassMixtureData.layers(1), ClassMixtureData.ONE_CLASS_AT_60, 20, 3);
        WindowVerdict last = verdicts.get(verdicts.size() - 1);
        assertThat(last.predictionMix().state()).isEqualTo(AlarmState.ALARM);
        assertThat(last.predictionMix().score()).isGreaterThan(last.predictionMix().threshold());
        assertThat(verdicts).extracting(v -> v.model().state()).doesNotContain(AlarmState.ALARM);
    }

    @Test
    void aWiderInputRaisesTheModelAlarmAfterTwoWindowsAndLocalisesIt() {
        List<WindowVerdict> verdicts = run(judge(), ClassMixtureData.layers(1.3), ClassMixtureData.BALANCED, 3, 4);
        assertThat(verdicts.get(1).model().state()).isEqualTo(AlarmState.ALARM);
        assertThat(verdicts.get(1).model().transition()).isPresent();
        assertThat(verdicts.get(1).layers()).extracting(l -> l.drift().state()).contains(AlarmState.ALARM);
        assertThat(verdicts.get(0).layers().get(0).statistics().varianceRatio()).isGreaterThan(1.3);
    }

    @Test
    void aSmallPersistentShiftThatSingleWindowsMostlyMissIsCaughtByTheCusum() {
        GaussianLayerData[][] mild = ClassMixtureData.layers(1.04);
        List<WindowVerdict> verdicts = run(judge(), mild, ClassMixtureData.BALANCED, 60, 5);
        long singleOver = verdicts.stream().filter(v -> v.model().over()).count();
        int firstSequential = -1;
        for (int i = 0; i < verdicts.size() && firstSequential < 0; i++) {
            if (verdicts.get(i).sequential().over()) {
                firstSequential = i;
            }
        }
        assertThat(singleOver).as("windows over alone").isLessThan(verdicts.size() / 2);
        assertThat(firstSequential).as("first window the CUSUM is over").isBetween(0, 40);
    }

    @Test
    void aJudgeRestoredFromAnothersMemoryGoesOnAsIfOneJudgeHadSeenEveryWindow() {
        GaussianLayerData[][] mild = ClassMixtureData.layers(1.04);
        List<WindowVerdict> one = run(judge(), mild, ClassMixtureData.BALANCED, 30, 7);
        // The same windows, each judged by a fresh judge (another process) restored from the last one.
        List<WindowVerdict> moved = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        JudgeMemory memory = null;
        for (int w = 0; w < 30; w++) {
            WindowJudge judge = judge();
            if (memory != null) {
                judge.restore(memory);
            }
            ClassMixtureData.Window window = ClassMixtureData.window(REFERENCE.calibration().orElseThrow(), mild,
                    ClassMixtureData.BALANCED, 100, random);
            moved.add(judge.judge(window.moments(), window.cellScoreSums(), window.counts(), w));
            memory = judge.memory();
        }
        assertThat(moved).extracting(v -> v.sequential().statistic())
                .containsExactlyElementsOf(one.stream().map(v -> v.sequential().statistic()).toList());
        assertThat(moved).extracting(v -> v.model().state())
                .containsExactlyElementsOf(one.stream().map(v -> v.model().state()).toList());
        assertThat(one).extracting(v -> v.sequential().statistic()).anyMatch(s -> s > 0);
    }

    @Test
    void aMemoryOfAnotherLayerCountIsRefused() {
        JudgeMemory memory = judge().memory();
        WindowJudge other = new WindowJudge(new ModelReference(REFERENCE.layers().subList(0, 1)), 2, 3, 10_000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> other.restore(memory))
                .hasMessageContaining("judge memory of 2 layers for a model of 1 layers");
    }

    @Test
    void withoutCalibrationWindowsGetStatisticsButNoVerdict() {
        ModelReference plain = new ModelReference(REFERENCE.layers());
        WindowJudge judge = new WindowJudge(plain, 2, 3, 10_000);
        List<WindowVerdict> verdicts = run(judge, ClassMixtureData.layers(2), ClassMixtureData.BALANCED, 3, 6);
        assertThat(verdicts).allSatisfy(v -> {
            assertThat(v.judged()).isFalse();
            assertThat(v.model().over()).isFalse();
            assertThat(v.layers().get(0).drift().score()).isNaN();
            assertThat(v.layers().get(0).statistics().varianceRatio()).isGreaterThan(2);
        });
    }
}
