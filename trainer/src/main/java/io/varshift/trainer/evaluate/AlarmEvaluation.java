package io.varshift.trainer.evaluate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.alarm.Cusum;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.calibration.ModelCalibrator;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.json.Json;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.model.ModelLoader;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.report.AtomicFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code trainer evaluate-alarms}: measures a model's promised rates offline on the test images its
 * calibration never saw (indices [heldOutSamples, 10000) of the Fashion-MNIST test split): realised
 * false-alarm rates under clean traffic orders, then power and delay under every replay shift.
 * Writes one JSON document, which {@link AlarmReport} turns into the markdown report.
 *
 * <p>The calibration promises its rate on average over the luck of its held-out sample; one
 * calibration judged on one unseen pool shows that luck as well (statistics.md). So the false-alarm
 * rates pool {@link EvaluationConfig#splits()} splits of the same measured test images: split 1 is
 * the model's own calibration against the images after it; every further split deals the images at
 * random into a calibration part of the same size, calibrated afresh by the same calibrator (same
 * replicates and window sizes, seed + split), and an unseen part. Power uses split 1.
 */
public final class AlarmEvaluation {

    public static final String JSON_FILE = "alarms.json";

    private final ModelStore store;
    private final Path dataDir;

    public AlarmEvaluation(ModelStore store, Path dataDir) {
        this.store = store;
        this.dataDir = dataDir;
    }

    /** The default output folder: {@code run/evaluations/<model>-v<version>}. */
    public static Path defaultOut(Path runDir, String model, int version) {
        return runDir.resolve("evaluations").resolve(model + "-v" + version);
    }

    public ModelArtifact artifact(String model, Integer version) {
        return store.loadVersionOrLatest(model, version);
    }

    /**
     * @throws IllegalArgumentException when the model has no calibration, its held-out count is not
     *     recorded, or fewer than {@value EvaluationConfig#MIN_UNSEEN} unseen images remain
     */
    public ObjectNode evaluate(ModelArtifact artifact, EvaluationConfig config, int batchSize, JobContext context) {
        String name = "model '" + artifact.name() + "' v" + artifact.version();
        int heldOut = HeldOutTestImages.of(artifact, "evaluate-alarms");
        ImageSet test = FashionMnist.in(dataDir).test();
        int end = config.unseenLimit() == 0 ? test.size() : Math.min(test.size(), heldOut + config.unseenLimit());
        int unseenCount = Math.max(0, end - heldOut);
        if (unseenCount < EvaluationConfig.MIN_UNSEEN) {
            throw new IllegalArgumentException(name + ": only " + unseenCount + " test images after the "
                    + heldOut + " held out for calibration; evaluate-alarms needs at least "
                    + EvaluationConfig.MIN_UNSEEN + " images the calibration never saw; train with a smaller --held-out");
        }
        ImageSet unseen = test.slice(heldOut, end);
        try (LoadedModel model = ModelLoader.load(artifact)) {
            ModelCalibration calibration = model.reference().calibration().orElseThrow(() ->
                    new IllegalArgumentException(name + " has no calibration in reference.json; retrain or recalibrate"
                            + " it with this trainer"));
            MeasuredRows measured = MeasuredRows.measure(model, test.slice(0, end), batchSize, context, "test images");
            List<FalseAlarmEvaluation.Split> splits = splits(measured, heldOut, calibration, model.probes().layerNames(),
                    config, name, context);
            MeasuredRows clean = splits.get(0).unseen();
            FalseAlarmEvaluation.Result falseAlarms = FalseAlarmEvaluation.run(splits, TrafficOrder.STANDARD, config,
                    context);
            List<PowerEvaluation.ShiftCell> power = PowerEvaluation.run(model, unseen, clean.accuracy(), calibration,
                    falseAlarms.shuffledScores(), config, batchSize, context);
            return json(artifact, heldOut, end, clean.accuracy(), calibration, config, splits, falseAlarms, power);
        }
    }

    /**
     * Split 1: the model's calibration, unseen rows [heldOut, end). Splits 2..: a random deal of rows
     * [0, end) into heldOut calibration rows, calibrated afresh, and the rest. A calibration that also
     * used held-back training images cannot be re-dealt from test images alone: it is evaluated on split
     * 1 only.
     */
    private static List<FalseAlarmEvaluation.Split> splits(MeasuredRows measured, int heldOut,
            ModelCalibration calibration, List<String> layerNames, EvaluationConfig config, String name,
            JobContext context) {
        int end = measured.samples();
        List<FalseAlarmEvaluation.Split> splits = new ArrayList<>();
        splits.add(new FalseAlarmEvaluation.Split(measured.select(range(heldOut, end)), calibration));
        if (calibration.heldOutSamples() != heldOut) {
            context.progress(0, name + ": calibrated on " + calibration.heldOutSamples() + " rows, " + heldOut
                    + " of them test images; evaluating its own split only");
            return splits;
        }
        int replicates = calibration.windows().get(0).replicates();
        for (int s = 1; s < config.splits(); s++) {
            context.checkCancelled();
            context.progress((double) s / config.splits(), "calibrating split " + (s + 1) + " of " + config.splits());
            int[] order = range(0, end);
            SplittableRandom random = new SplittableRandom(config.seed() + s);
            for (int i = end - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            MeasuredRows calibrationRows = measured.select(Arrays.copyOfRange(order, 0, heldOut));
            ModelCalibration fresh = new ModelCalibrator(replicates, calibration.seed() + s).calibrate(
                    calibrationRows.heldOut(layerNames), calibration.windowSizes(), calibration.falseAlarmRate());
            splits.add(new FalseAlarmEvaluation.Split(measured.select(Arrays.copyOfRange(order, heldOut, end)), fresh));
        }
        return splits;
    }

    private static int[] range(int from, int to) {
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        return rows;
    }

    private static ObjectNode json(ModelArtifact artifact, int heldOut, int to, double accuracy,
            ModelCalibration calibration, EvaluationConfig config, List<FalseAlarmEvaluation.Split> splits,
            FalseAlarmEvaluation.Result falseAlarms, List<PowerEvaluation.ShiftCell> power) {
        ObjectNode o = Json.object();
        o.put("model", artifact.name());
        o.put("version", artifact.version());
        o.set("config", config.toJson());
        ObjectNode c = o.putObject("calibration");
        c.put("heldOutSamples", heldOut);
        c.put("calibrationSamples", calibration.heldOutSamples());
        c.put("falseAlarmRate", calibration.falseAlarmRate());
        ArrayNode sizes = c.putArray("windowSizes");
        calibration.windows().forEach(w -> sizes.add(w.windowSize()));
        ArrayNode replicates = c.putArray("replicates");
        calibration.windows().forEach(w -> replicates.add(w.replicates()));
        c.put("layers", calibration.layers().size());
        ObjectNode unseen = o.putObject("unseen");
        unseen.put("from", heldOut);
        unseen.put("to", to);
        unseen.put("samples", to - heldOut);
        unseen.put("accuracy", accuracy);
        ArrayNode splitArray = o.putArray("splits");
        for (int s = 0; s < splits.size(); s++) {
            ObjectNode split = splitArray.addObject();
            split.put("split", s + 1);
            split.put("calibrationRows", s == 0 ? "the model's own: test images 0 to " + heldOut
                    : "a random " + heldOut + " of test images 0 to " + to + " (deal seed " + (config.seed() + s) + ")");
            split.put("calibrationSeed", splits.get(s).calibration().seed());
            split.put("unseenSamples", splits.get(s).unseen().samples());
            split.put("unseenAccuracy", splits.get(s).unseen().accuracy());
        }
        ArrayNode cells = o.putArray("falseAlarms");
        falseAlarms.cells().forEach(cell -> cells.add(cell.toJson()));
        ObjectNode p = o.putObject("power");
        p.put("alpha", config.powerAlpha());
        p.put("windowsPerTrial", config.windowsPerTrial());
        p.put("warmupWindows", config.warmupWindows());
        p.put("cusumReference", config.cusumReference());
        p.put("cusumArl", config.cusumArl());
        p.put("cusumThreshold", Cusum.thresholdFor(config.cusumArl(),
                config.cusumReference()));
        ArrayNode shifts = p.putArray("shifts");
        power.forEach(s -> shifts.add(s.toJson()));
        return o;
    }

    /** Writes the JSON atomically (a reader never sees half of it) and returns its path. */
    public static Path write(ObjectNode result, Path outDir) {
        Path target = outDir.resolve(JSON_FILE);
        AtomicFiles.writeJson(target, result, "alarm evaluation");
        return target;
    }
}
