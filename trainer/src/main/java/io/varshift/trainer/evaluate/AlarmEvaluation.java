package io.varshift.trainer.evaluate;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.varshift.core.alarm.Cusum;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.data.FashionMnist;
import io.varshift.core.data.ImageSet;
import io.varshift.core.spec.LoadedModel;
import io.varshift.core.spec.ModelLoader;
import io.varshift.trainer.jobs.JobContext;
import io.varshift.trainer.report.AtomicFiles;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code trainer evaluate-alarms}: measures a model's promised rates offline on the test images its
 * calibration never saw (indices [heldOutSamples, 10000) of the Fashion-MNIST test split): realised
 * false-alarm rates under clean traffic orders, then power and delay under every replay shift.
 * Writes one JSON document, which {@link AlarmReport} turns into the markdown report.
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
        return version == null ? store.loadLatest(model) : store.load(model, version);
    }

    /**
     * @throws IllegalArgumentException when the model has no calibration, its held-out count is not
     *     recorded, or fewer than {@value EvaluationConfig#MIN_UNSEEN} unseen images remain
     */
    public JsonObject evaluate(ModelArtifact artifact, EvaluationConfig config, int batchSize, JobContext context) {
        String name = "model '" + artifact.name() + "' v" + artifact.version();
        int heldOut = heldOutSamples(artifact, name);
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
            MeasuredRows clean = MeasuredRows.measure(model, unseen, batchSize, context, "unseen images");
            FalseAlarmEvaluation.Result falseAlarms = FalseAlarmEvaluation.run(clean, calibration,
                    TrafficOrder.STANDARD, config, context);
            List<PowerEvaluation.ShiftCell> power = PowerEvaluation.run(model, unseen, clean.accuracy(), calibration,
                    falseAlarms.shuffledScores(), config, batchSize, context);
            return json(artifact, heldOut, end, clean.accuracy(), calibration, config, falseAlarms, power);
        }
    }

    private static int heldOutSamples(ModelArtifact artifact, String name) {
        JsonElement training = artifact.modelJson().get("training");
        if (training == null || !training.isJsonObject() || !training.getAsJsonObject().has("heldOutSamples")) {
            throw new IllegalArgumentException(name + ": model.json has no training.heldOutSamples, so the images the"
                    + " calibration used are unknown; evaluate a model trained by this trainer");
        }
        return training.getAsJsonObject().get("heldOutSamples").getAsInt();
    }

    private static JsonObject json(ModelArtifact artifact, int heldOut, int to, double accuracy,
            ModelCalibration calibration, EvaluationConfig config, FalseAlarmEvaluation.Result falseAlarms,
            List<PowerEvaluation.ShiftCell> power) {
        JsonObject o = new JsonObject();
        o.addProperty("model", artifact.name());
        o.addProperty("version", artifact.version());
        o.add("config", config.toJson());
        JsonObject c = new JsonObject();
        c.addProperty("heldOutSamples", heldOut);
        c.addProperty("calibrationSamples", calibration.heldOutSamples());
        c.addProperty("falseAlarmRate", calibration.falseAlarmRate());
        JsonArray sizes = new JsonArray();
        calibration.windows().forEach(w -> sizes.add(w.windowSize()));
        c.add("windowSizes", sizes);
        JsonArray replicates = new JsonArray();
        calibration.windows().forEach(w -> replicates.add(w.replicates()));
        c.add("replicates", replicates);
        c.addProperty("layers", calibration.layers().size());
        o.add("calibration", c);
        JsonObject unseen = new JsonObject();
        unseen.addProperty("from", heldOut);
        unseen.addProperty("to", to);
        unseen.addProperty("samples", to - heldOut);
        unseen.addProperty("accuracy", accuracy);
        o.add("unseen", unseen);
        JsonArray cells = new JsonArray();
        falseAlarms.cells().forEach(cell -> cells.add(cell.toJson()));
        o.add("falseAlarms", cells);
        JsonObject p = new JsonObject();
        p.addProperty("alpha", config.powerAlpha());
        p.addProperty("windowsPerTrial", config.windowsPerTrial());
        p.addProperty("warmupWindows", config.warmupWindows());
        p.addProperty("cusumReference", config.cusumReference());
        p.addProperty("cusumArl", config.cusumArl());
        p.addProperty("cusumThreshold", Cusum.thresholdFor(config.cusumArl(),
                config.cusumReference()));
        JsonArray shifts = new JsonArray();
        power.forEach(s -> shifts.add(s.toJson()));
        p.add("shifts", shifts);
        o.add("power", p);
        return o;
    }

    /** Writes the JSON atomically (a reader never sees half of it) and returns its path. */
    public static Path write(JsonObject result, Path outDir) {
        Path target = outDir.resolve(JSON_FILE);
        AtomicFiles.writeJson(target, result, "alarm evaluation");
        return target;
    }
}
