package io.varshift.trainer.evaluate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.alarm.Cusum;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.corruption.ShiftKind;
import io.varshift.core.corruption.ShiftedImages;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.core.model.LoadedModel;
import io.varshift.trainer.progress.JobContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Power and delay: every replay shift at every severity applied to the unseen images (one eval pass
 * each); per window size, trials of {@code windowsPerTrial} consecutive shuffled windows of shifted
 * rows, judged by the per-window detector (model p &lt; α) and by a CUSUM over u = Φ⁻¹(1 − p) that
 * has first seen {@code warmupWindows} clean windows. Records the share of trials that alarm within
 * the trial and the median delay (in windows; null when more than half never alarm).
 */
final class PowerEvaluation {

    record WindowCell(int windowSize, int trials, Detection perWindow, Detection sequential, int warmupSignals) {
        ObjectNode toJson() {
            ObjectNode o = Json.object();
            o.put("windowSize", windowSize);
            o.put("trials", trials);
            o.set("perWindow", perWindow.toJson());
            o.set("sequential", sequential.toJson());
            o.put("warmupSignals", warmupSignals);
            return o;
        }
    }

    record ShiftCell(ShiftKind shift, double severity, double accuracy, double accuracyDropPoints,
            List<WindowCell> windows) {
        ObjectNode toJson() {
            ObjectNode o = Json.object();
            o.put("shift", shift.cliName());
            o.put("severity", severity);
            o.put("accuracy", accuracy);
            o.put("accuracyDropPoints", accuracyDropPoints);
            ArrayNode w = o.putArray("windows");
            windows.forEach(c -> w.add(c.toJson()));
            return o;
        }
    }

    private PowerEvaluation() {
    }

    /**
     * @param unseen the clean unseen images (the shifts are applied to them)
     * @param cleanAccuracy accuracy of the clean pass over the same images
     * @param shuffledScores per window size the scores of clean shuffled windows, drawn for the warm-up
     */
    static List<ShiftCell> run(LoadedModel model, ImageSet unseen, double cleanAccuracy, ModelCalibration calibration,
            java.util.Map<Integer, double[]> shuffledScores, EvaluationConfig config, int batchSize,
            JobContext context) {
        double threshold = Cusum.thresholdFor(config.cusumArl(), config.cusumReference());
        List<ShiftCell> cells = new ArrayList<>();
        int total = ShiftKind.values().length * config.severities().size();
        int done = 0;
        for (ShiftKind shift : ShiftKind.values()) {
            for (double severity : config.severities()) {
                String phase = String.format(java.util.Locale.ROOT, "%s %.2f (%d/%d)", shift.cliName(), severity,
                        ++done, total);
                ImageSet shifted = ShiftedImages.of(unseen, shift, severity, new Random(config.seed() ^ shift.ordinal() * 977L
                        ^ Double.doubleToLongBits(severity)));
                MeasuredRows rows = MeasuredRows.measure(model, shifted, batchSize, context, phase);
                List<WindowCell> windows = new ArrayList<>();
                for (ModelCalibration.WindowNull nulls : calibration.windows()) {
                    windows.add(trials(rows, calibration, nulls, shuffledScores.get(nulls.windowSize()), threshold,
                            config, new SplittableRandom(config.seed() ^ (shift.ordinal() * 1_000_003L)
                                    ^ Double.doubleToLongBits(severity) ^ nulls.windowSize())));
                }
                cells.add(new ShiftCell(shift, severity, rows.accuracy(), 100 * (cleanAccuracy - rows.accuracy()),
                        windows));
            }
        }
        return cells;
    }

    private static WindowCell trials(MeasuredRows rows, ModelCalibration calibration,
            ModelCalibration.WindowNull nulls, double[] cleanScores, double threshold, EvaluationConfig config,
            SplittableRandom random) {
        int size = nulls.windowSize();
        WindowComposer composer = new WindowComposer(rows.labels());
        MeasuredRows.Judge judge = rows.judge(calibration, size);
        int[] window = new int[size];
        int[] perWindow = new int[config.powerTrials()];
        int[] sequential = new int[config.powerTrials()];
        int warmupSignals = 0;
        for (int t = 0; t < config.powerTrials(); t++) {
            Cusum cusum = new Cusum(config.cusumReference(), threshold);
            for (int w = 0; w < config.warmupWindows(); w++) {
                if (cusum.observe(cleanScores[random.nextInt(cleanScores.length)])) {
                    // A false signal before the shift: counted, and cleared as an operator would, so that
                    // it is not taken for a detection.
                    warmupSignals++;
                    cusum.reset();
                }
            }
            for (int w = 1; w <= config.windowsPerTrial(); w++) {
                composer.compose(TrafficOrder.shuffled(), size, random, window);
                ModelCalibration.Judgement j = judge.window(window, size, nulls);
                if (perWindow[t] == 0 && j.modelP() < config.powerAlpha()) {
                    perWindow[t] = w;
                }
                if (cusum.observe(Cusum.score(j.modelP())) && sequential[t] == 0) {
                    sequential[t] = w;
                }
            }
        }
        return new WindowCell(size, config.powerTrials(), Detection.of(perWindow), Detection.of(sequential),
                warmupSignals);
    }
}
