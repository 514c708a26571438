package io.varshift.trainer.benchmark;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.corruption.ShiftKind;
import io.varshift.core.json.Json;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How much {@code benchmark-detectors} measures. {@code default} is the report's run (every
 * corruption at the suite's five severities, within an hour on two cores); {@code quick} checks the
 * pipeline end to end in the tests (three corruptions, two severities, small pools).
 *
 * @param windowSize samples per window, one of the model's calibrated sizes
 * @param alpha the per-window false-alarm rate every detector is held to
 * @param calibrationWindows clean windows from the calibration images that set the peers' thresholds
 * @param cleanWindows clean windows from unseen images on which every false-alarm rate is measured
 * @param permutationWindows of those, how many also get the MMD permutation p-value (it is costly)
 * @param trials trials per corruption and severity, each {@code windowsPerTrial} corrupted windows
 * @param warmupWindows clean windows the CUSUM sees before a trial's corruption starts
 * @param poolLimit at most this many unseen images per pool (0 = all)
 * @param recoverySizes unlabeled corrupted images the BN statistics are re-estimated on
 * @param mmdReference reference rows the MMD test keeps
 * @param featureDim dimension the penultimate features are projected to for the MMD test
 * @param permutations permutations of the MMD permutation null
 */
public record BenchmarkConfig(String name, List<ShiftKind> shifts, List<Double> severities, int windowSize,
        double alpha, int calibrationWindows, int cleanWindows, int permutationWindows, int trials,
        int windowsPerTrial, int warmupWindows, int poolLimit, List<Integer> recoverySizes, int mmdReference,
        int featureDim, int permutations, double cusumArl, double cusumReference, long seed) {

    public static final BenchmarkConfig DEFAULT = new BenchmarkConfig("default", List.of(ShiftKind.values()),
            ShiftKind.SUITE_SEVERITIES, 256, 1e-2, 4000, 4000, 300, 50, 5, 20, 0, List.of(64, 256, 1024), 1000,
            32, 100, 10_000, 0.5, 20_261_202L);
    public static final BenchmarkConfig QUICK = new BenchmarkConfig("quick",
            List.of(ShiftKind.NOISE, ShiftKind.CONTRAST, ShiftKind.INVERT), List.of(0.1, 0.5), 64, 5e-2, 200, 200,
            20, 6, 5, 5, 600, List.of(64, 256), 200, 16, 40, 1000, 0.5, 20_261_202L);

    public BenchmarkConfig {
        shifts = List.copyOf(shifts);
        severities = List.copyOf(severities);
        recoverySizes = List.copyOf(recoverySizes);
        if (!(alpha > 0 && alpha < 0.5) || calibrationWindows * alpha < 5) {
            throw new IllegalArgumentException("benchmark config " + name + ": alpha " + alpha + " needs at least "
                    + Math.ceil(5 / alpha) + " calibration windows to set a threshold, got " + calibrationWindows);
        }
    }

    /** @throws IllegalArgumentException naming the known configs */
    public static BenchmarkConfig named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "default" -> DEFAULT;
            case "quick" -> QUICK;
            default -> throw new IllegalArgumentException("config '" + name + "' is not known; use quick or default");
        };
    }

    /** The config as stored in detectors.json: every component under its own name, the shifts by CLI name. */
    ObjectNode toJson() {
        ObjectNode o = Json.mapper().valueToTree(this);
        ArrayNode names = o.putArray("shifts");
        shifts.forEach(k -> names.add(k.cliName()));
        return o;
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shifts.stream().map(ShiftKind::cliName).toArray());
    }
}
