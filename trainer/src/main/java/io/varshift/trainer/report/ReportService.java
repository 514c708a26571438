package io.varshift.trainer.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.data.ImageSet;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.model.ModelLoader;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.training.TrainingData;
import io.varshift.trainer.training.TrainingService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /** The report and where its files were written. */
    public record Written(ShiftReport report, Path text, Path json, Path chart) {

        /** The report's JSON with the paths of its files: report.json and the job's result. */
        public ObjectNode toJson() {
            ObjectNode json = report.toJson();
            ObjectNode files = json.putObject("files");
            files.put("text", text.toAbsolutePath().toString());
            files.put("json", json().toAbsolutePath().toString());
            files.put("chart", chart.toAbsolutePath().toString());
            return json;
        }
    }

    public Written report(ReportPlan plan, JobContext context) {
        ModelArtifact artifact = store.loadVersionOrLatest(plan.model(), plan.version());
        TrainingData data = TrainingData.forModel(artifact, dataDir);
        ImageSet train = TrainingService.limit(data.train(), plan.limit());
        ImageSet heldOut = TrainingService.limit(data.heldOut(), plan.limit());
        try (LoadedModel loaded = ModelLoader.load(artifact)) {
            // Re-estimated running statistics no longer hold training-mode variances: no dropout theory then.
            String reestimated = reestimation(artifact);
            ShiftMeasurement.Measured measured = ShiftMeasurement.measure(loaded.spec(), loaded.block(),
                    loaded.probes(), loaded.reference().layers(), reestimated == null, loaded.model().getNDManager(),
                    train, heldOut, plan.batchSize(), context);
            ShiftReport report = new ShiftReport(artifact.name(), artifact.version(), loaded.spec(), reestimated,
                    measured.trainSamples(), measured.heldOutSamples(), measured.trainAccuracy(),
                    measured.heldOutAccuracy(), measured.layers());
            return write(report);
        }
    }

    /** "adjust-bn from v1" when the version's running statistics were re-estimated, else null. */
    static String reestimation(ModelArtifact artifact) {
        JsonNode provenance = artifact.modelJson().get("provenance");
        if (provenance == null || !provenance.isObject()) {
            return null;
        }
        String method = provenance.has("method") ? provenance.get("method").asText() : "re-estimation";
        return provenance.has("from") ? method + " from v" + provenance.get("from").asInt() : method;
    }

    private Written write(ShiftReport report) {
        Path dir = directory(report.model(), report.version());
        try {
            Files.createDirectories(dir);
            Written written = new Written(report, dir.resolve("report.txt"), dir.resolve(JSON_FILE),
                    dir.resolve("report.png"));
            AtomicFiles.write(written.text(), report.toText().getBytes(StandardCharsets.UTF_8), "report text");
            AtomicFiles.write(written.chart(), ShiftChart.png(report), "report chart");
            AtomicFiles.writeJson(written.json(), written.toJson(), "report JSON");
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report of " + report.model() + " v" + report.version()
                    + " to " + dir + ": " + e.getMessage(), e);
        }
    }
}
