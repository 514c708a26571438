package io.varshift.trainer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.json.Json;
import io.varshift.trainer.adjust.BnAdjustService;
import io.varshift.trainer.imported.ImportService;
import io.varshift.trainer.jobs.AdjustBnRequest;
import io.varshift.trainer.jobs.ImportRequest;
import io.varshift.trainer.jobs.JobExecutor;
import io.varshift.trainer.jobs.JobRequest;
import io.varshift.trainer.jobs.RecalibrateRequest;
import io.varshift.trainer.jobs.ReportRequest;
import io.varshift.trainer.jobs.TrainRequest;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.report.ReportService;
import io.varshift.trainer.training.ArtifactWriter;
import io.varshift.trainer.training.ReferenceBuilder;
import io.varshift.trainer.training.TrainingMetrics;
import io.varshift.trainer.training.TrainingService;
import jakarta.inject.Singleton;

/** Runs every job type; the command line calls it directly, the REST queue from its worker thread. */
@Singleton
public class TrainerJobs implements JobExecutor {

    private final ModelStore store;
    private final TrainingService training;
    private final ReportService reports;
    private final BnAdjustService adjust;
    private final ImportService importer = new ImportService();

    TrainerJobs(TrainerConfig config, MeterRegistry registry) {
        this.store = new ModelStore(config.modelStore());
        this.training = new TrainingService(config.dataDir(), new TrainingMetrics(registry));
        this.reports = new ReportService(store, config.dataDir(), config.reportDir());
        TrainerConfig.Calibration c = config.calibration();
        this.adjust = new BnAdjustService(store, config.dataDir(),
                new ReferenceBuilder.Calibration(c.windowSizes(), c.falseAlarmRate(), c.replicates(), 42));
    }

    /** The model store jobs write to (REST lists it). */
    public ModelStore store() {
        return store;
    }

    /** Adjust BN and recalibration (the remediation loop builds its candidates with it). */
    public BnAdjustService adjust() {
        return adjust;
    }

    /** Where report jobs write (REST serves it). */
    public ReportService reports() {
        return reports;
    }

    @Override
    public ObjectNode execute(JobRequest request, JobContext context) {
        return switch (request.type()) {
            case TRAIN -> train((TrainRequest) request, context);
            case REPORT -> reports.report(((ReportRequest) request).plan(), context).toJson();
            case ADJUST_BN -> adjust.adjust(((AdjustBnRequest) request).plan(), context).toJson();
            case RECALIBRATE -> adjust.recalibrate(((RecalibrateRequest) request).plan(), context).toJson();
            case IMPORT -> {
                ImportRequest r = (ImportRequest) request;
                try (TrainingService.Trained imported = importer.importWeights(r.plan(), context)) {
                    yield write(r.model(), imported);
                }
            }
        };
    }

    private ObjectNode train(TrainRequest request, JobContext context) {
        try (TrainingService.Trained trained = training.train(request.plan(), context)) {
            return write(request.model(), trained);
        }
    }

    /** A new version with the model's training (or import) summary in model.json; returns the summary. */
    private ObjectNode write(String model, TrainingService.Trained trained) {
        ObjectNode sections = Json.object();
        sections.set("training", trained.summary());
        int version = ArtifactWriter.write(store, model, trained.spec(), trained.model().getBlock(),
                trained.reference().reference(), sections);
        ObjectNode result = trained.summary().deepCopy();
        result.put("model", model);
        result.put("version", version);
        return result;
    }
}
