package io.varshift.trainer.evaluate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;

import java.util.List;
import java.util.Locale;

/**
 * How much evaluate-alarms measures. {@code default} meets the must-show (100 000 clean windows per
 * false-alarm cell, 20 000 in each of 5 splits, so that an upper bound at α = 1e-3 can fall below 2α); {@code quick} is for tests
 * and a first look (a few hundred windows, a slice of the unseen images).
 *
 * @param falseAlarmWindows clean windows per (order, window size) and split; every α is judged on the same windows
 * @param splits calibration/unseen splits of the test images the false-alarm rates pool (the first is the
 *     model's own calibration; see {@link AlarmEvaluation})
 * @param powerTrials trials per (shift, severity, window size)
 * @param unseenLimit at most this many unseen images (0 = all of them)
 * @param alphas per-window false-alarm rates the clean windows are judged at
 * @param severities shift severities of the power study
 * @param powerAlpha α of the per-window detector in the power study
 * @param windowsPerTrial shifted windows per trial: "an alarm within this many windows"
 * @param warmupWindows clean windows the CUSUM sees before the shift starts
 * @param cusumArl in-control average run length of the CUSUM, in windows
 * @param cusumReference the CUSUM's reference value k
 */
public record EvaluationConfig(String name, int falseAlarmWindows, int splits, int powerTrials, int unseenLimit,
        List<Double> alphas, List<Double> severities, double powerAlpha, int windowsPerTrial, int warmupWindows,
        double cusumArl, double cusumReference, long seed) {

    /** Fewest unseen images an evaluation accepts: below this, windows of 1000 repeat most rows. */
    public static final int MIN_UNSEEN = 1000;

    public static final EvaluationConfig DEFAULT = new EvaluationConfig("default", 20_000, 5, 500, 0,
            List.of(1e-2, 1e-3), List.of(0.05, 0.1, 0.2, 0.5), 1e-3, 5, 20, 10_000, 0.5, 20_240_611L);
    public static final EvaluationConfig QUICK = new EvaluationConfig("quick", 500, 2, 20, MIN_UNSEEN,
            List.of(1e-2, 1e-3), List.of(0.05, 0.1, 0.2, 0.5), 1e-3, 5, 20, 10_000, 0.5, 20_240_611L);

    public EvaluationConfig {
        if (splits < 1) {
            throw new IllegalArgumentException("evaluation config '" + name + "': splits = " + splits + " must be >= 1");
        }
        alphas = List.copyOf(alphas);
        severities = List.copyOf(severities);
    }

    /** @throws IllegalArgumentException naming the known configs */
    public static EvaluationConfig named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "default" -> DEFAULT;
            case "quick" -> QUICK;
            default -> throw new IllegalArgumentException("config '" + name + "' is not known; use quick or default");
        };
    }

    /** The config as stored in alarms.json: every component under its own name, in order. */
    ObjectNode toJson() {
        return Json.mapper().valueToTree(this);
    }
}
