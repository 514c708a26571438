package io.varshift.trainer.benchmark;

import io.varshift.core.calibration.ModelCalibration;
import io.varshift.trainer.evaluate.MeasuredRows;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Varshift's BN detector exactly as the agent judges a window: every BN layer's channel moments and
 * cell scores against the class-conditional baseline, the model p-value from the stored calibration.
 * Its threshold is that calibration's, not re-fitted on the benchmark's clean windows.
 */
final class VarshiftDetector implements BenchmarkDetector {

    static final String NAME = "varshift";

    private final ModelCalibration calibration;
    private final ModelCalibration.WindowNull nulls;
    private final Map<MeasuredRows, MeasuredRows.Judge> judges = new IdentityHashMap<>();

    VarshiftDetector(ModelCalibration calibration, int windowSize) {
        this.calibration = calibration;
        this.nulls = calibration.windows().stream().filter(w -> w.windowSize() == windowSize).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the model is calibrated for windows of "
                        + calibration.windows().stream().map(w -> String.valueOf(w.windowSize())).toList()
                        + ", not " + windowSize + "; benchmark one of those or retrain with --window-size "
                        + windowSize));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "BN-input channel moments and cell scores, class-conditional, model p from the stored calibration";
    }

    /** The model p-value of the window. */
    double pValue(Pool pool, int[] rows, int n) {
        // One judge per pool: it caches the pool's cell scores against the calibration.
        MeasuredRows.Judge judge = judges.computeIfAbsent(pool.rows, r -> r.judge(calibration, nulls.windowSize()));
        return judge.window(rows, n, nulls).modelP();
    }

    /** Drops the cached judge of a pool that is no longer used. */
    void forget(Pool pool) {
        judges.remove(pool.rows);
    }

    @Override
    public double score(Pool pool, int[] rows, int n) {
        return logP(pValue(pool, rows, n));
    }

    /** Varshift keeps its stored calibration; the benchmark does not re-threshold it. */
    @Override
    public double calibrationScore(int[] referenceRows, int n) {
        throw new UnsupportedOperationException("Varshift is judged with the calibration stored with the model");
    }

    @Override
    public boolean scoreIsLogP() {
        return true;
    }

    static double logP(double p) {
        return -Math.log10(Math.max(p, Double.MIN_NORMAL));
    }
}
