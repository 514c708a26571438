package io.varshift.core.bench;

import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.calibration.ModelCalibrator;
import io.varshift.core.calibration.SampleContributions;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;
import io.varshift.core.window.WindowJudge;
import io.varshift.core.window.WindowVerdict;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of judging one closed window (every layer's class-conditional statistic and p-value, the
 * model statistic, the prediction-mix test, the CUSUM and the state machines) for a model shaped
 * like the Fashion-MNIST ConvNet the agent bench uses: BN layers of 16, 16, 32 and 32 channels and
 * ten classes; and of scoring a 1000-sample window's samples by their cell means (16 cells per
 * channel), the per-sample part of the cell score test. Score: µs per window, against the forward of the window's samples (a window of 1000
 * at the agent bench's ~7000 images/s forward is ~140 ms).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JudgeBenchmark {

    private static final int[] CHANNELS = {16, 16, 32, 32};
    private static final int CLASSES = 10;
    private static final int HELD_OUT = 2000;
    private static final int CELLS = 16;

    private WindowJudge judge;
    private List<ChannelMoments> window;
    private List<SampleContributions> windowRows;
    private ModelCalibration calibration;
    private int[] windowClasses;
    private double[] cellScoreSums;
    private long[] counts;
    private long id;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        int[] classes = new int[HELD_OUT];
        for (int i = 0; i < HELD_OUT; i++) {
            classes[i] = random.nextInt(CLASSES);
        }
        List<String> names = new ArrayList<>();
        List<SampleContributions> rows = new ArrayList<>();
        List<LayerReference> layers = new ArrayList<>();
        window = new ArrayList<>();
        windowRows = new ArrayList<>();
        for (int l = 0; l < CHANNELS.length; l++) {
            int c = CHANNELS[l];
            names.add("bn" + l);
            double[] var = new double[c];
            java.util.Arrays.fill(var, 1);
            layers.add(new LayerReference("bn" + l, new double[c], var));
            rows.add(sums(random, HELD_OUT, c, classes));
            SampleContributions live = sums(random, 1000, c, classes);
            windowRows.add(live);
            window.add(live.total());
        }
        calibration = new ModelCalibrator(1000, 2).calibrate(
                new ModelCalibrator.HeldOut(names, rows, classes, classes, CLASSES), List.of(1000), 1e-3);
        ModelReference reference = new ModelReference(layers, calibration);
        windowClasses = java.util.Arrays.copyOf(classes, 1000);
        cellScoreSums = new double[CHANNELS.length];
        for (int l = 0; l < CHANNELS.length; l++) {
            for (double s : calibration.cellScores().get(l).scoreRows(windowRows.get(l), windowClasses)) {
                cellScoreSums[l] += s;
            }
        }
        judge = new WindowJudge(reference, 2, 3, 10_000);
        counts = new long[CLASSES];
        for (int i = 0; i < 1000; i++) {
            counts[classes[i]]++;
        }
    }

    /** Rows of 49 positions per sample whose mean depends on the class. */
    private static SampleContributions sums(SplittableRandom random, int samples, int channels, int[] classes) {
        SampleContributions out = new SampleContributions(new double[channels], 49);
        float[] s1 = new float[samples * channels];
        float[] s2 = new float[samples * channels];
        for (int i = 0; i < samples; i++) {
            for (int c = 0; c < channels; c++) {
                double m = 0.1 * classes[i % classes.length] + random.nextGaussian();
                s1[i * channels + c] = (float) (49 * m);
                s2[i * channels + c] = (float) (49 * (m * m + 1));
            }
        }
        out.add(s1, s2, samples);
        // 16 cells per channel, as a 4 x 4 grid over a feature map gives.
        float[] cells = new float[samples * channels * CELLS];
        for (int i = 0; i < cells.length; i++) {
            cells[i] = (float) (0.1 * classes[(i / (channels * CELLS)) % classes.length] + random.nextGaussian());
        }
        out.addCells(cells, samples, CELLS);
        return out;
    }

    @Benchmark
    public WindowVerdict judgeOneWindow() {
        return judge.judge(window, cellScoreSums, counts, id++);
    }

    /** The per-sample part: scoring a window's 1000 samples by their cell means on every layer. */
    @Benchmark
    public double scoreOneWindowOfSamples() {
        double total = 0;
        for (int l = 0; l < CHANNELS.length; l++) {
            for (double s : calibration.cellScores().get(l).scoreRows(windowRows.get(l), windowClasses)) {
                total += s;
            }
        }
        return total;
    }
}
