package io.varshift.trainer.report;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.data.ImageSet;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.shift.LayerStatistics;
import io.varshift.core.spec.BnProbes;
import io.varshift.core.spec.LoadedModel;
import io.varshift.core.spec.ModelLoader;
import io.varshift.trainer.jobs.JobContext;
import io.varshift.trainer.jobs.ReportRequest;
import io.varshift.trainer.training.EvalPass;
import io.varshift.trainer.training.TrainingData;
import io.varshift.trainer.training.TrainingService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The paper's measurement for one model version: per BN layer, the variance its input really has in
 * eval mode (on training and on held-out data) against the stored moving variance, and for a
 * dropout directly before the BN the theoretical shift. Writes report.txt, report.json, report.png.
 */
public final class ReportService {

    static final String JSON_FILE = "report.json";

    private final ModelStore store;
    private final Path dataDir;
    private final Path reportDir;

    public ReportService(ModelStore store, Path dataDir, Path reportDir) {
        this.store = store;
        this.dataDir = dataDir;
        this.reportDir = reportDir;
    }

    /** Where a version's report files live: {@code <report-dir>/<model>/<version>/}. */
    public Path directory(String model, int version) {
        return reportDir.resolve(model).resolve(Integer.toString(version));
    }

    /** The stored report.json of a version, if a report job has written one. */
    public Path jsonFile(String model, int version) {
        return directory(model, version).resolve(JSON_FILE);
    }

    public JsonObject report(ReportRequest request, JobContext context) {
        ModelArtifact artifact = store.loadVersionOrLatest(request.model(), request.version());
        TrainingData data = TrainingData.forModel(artifact, dataDir);
        ImageSet train = TrainingService.limit(data.train(), request.limit());
        ImageSet heldOut = TrainingService.limit(data.heldOut(), request.limit());
        try (LoadedModel loaded = ModelLoader.load(artifact)) {
            NDManager manager = loaded.model().getNDManager();
            EvalPass.Measured onTrain = EvalPass.measure(loaded.block(), loaded.probes(), manager, train,
                    request.batchSize(), false, context, "training data");
            EvalPass.Measured onHeldOut = EvalPass.measure(loaded.block(), loaded.probes(), manager, heldOut,
                    request.batchSize(), false, context, "held-out data");
            // Re-estimated running statistics no longer hold training-mode variances: no dropout theory then.
            String reestimated = reestimation(artifact);
            List<LayerShift> layers = new ArrayList<>();
            BnProbes probes = loaded.probes();
            boolean dropoutSeen = false;
            for (int i = 0; i < probes.layerCount(); i++) {
                String name = probes.layerNames().get(i);
                LayerReference stored = loaded.reference().layers().get(i);
                DropoutTheory theory = reestimated != null ? null : DropoutTheory.forLayer(loaded.spec(), name,
                        onTrain.collector().moments(i), dropoutSeen).orElse(null);
                dropoutSeen |= theory != null;
                layers.add(new LayerShift(name, stored.channels(), average(stored.runningVar()),
                        LayerStatistics.of(onTrain.collector().moments(i), stored),
                        LayerStatistics.of(onHeldOut.collector().moments(i), stored), theory));
            }
            ShiftReport report = new ShiftReport(artifact.name(), artifact.version(), loaded.spec(), reestimated,
                    train.size(), heldOut.size(), onTrain.accuracy(), onHeldOut.accuracy(), layers);
            return write(report);
        }
    }

    /** "adjust-bn from v1" when the version's running statistics were re-estimated, else null. */
    static String reestimation(ModelArtifact artifact) {
        JsonObject modelJson = artifact.modelJson();
        if (!modelJson.has("provenance") || !modelJson.get("provenance").isJsonObject()) {
            return null;
        }
        JsonObject provenance = modelJson.getAsJsonObject("provenance");
        String method = provenance.has("method") ? provenance.get("method").getAsString() : "re-estimation";
        return provenance.has("from") ? method + " from v" + provenance.get("from").getAsInt() : method;
    }

    static double average(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private JsonObject write(ShiftReport report) {
        Path dir = directory(report.model(), report.version());
        try {
            Files.createDirectories(dir);
            JsonObject json = report.toJson();
            Path jsonFile = dir.resolve(JSON_FILE);
            Path textFile = dir.resolve("report.txt");
            Path chartFile = dir.resolve("report.png");
            AtomicFiles.write(textFile, report.toText().getBytes(StandardCharsets.UTF_8), "report text");
            AtomicFiles.write(chartFile, ShiftChart.png(report), "report chart");
            JsonObject files = new JsonObject();
            files.addProperty("text", textFile.toAbsolutePath().toString());
            files.addProperty("json", jsonFile.toAbsolutePath().toString());
            files.addProperty("chart", chartFile.toAbsolutePath().toString());
            json.add("files", files);
            AtomicFiles.writeJson(jsonFile, json, "report JSON");
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report of " + report.model() + " v" + report.version()
                    + " to " + dir + ": " + e.getMessage(), e);
        }
    }
}
