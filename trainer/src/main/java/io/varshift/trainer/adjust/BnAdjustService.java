package io.varshift.trainer.adjust;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.data.ImageSet;
import io.varshift.core.data.NpyDataset;
import io.varshift.core.json.Json;
import io.varshift.core.model.BnReestimator;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.model.ModelLoader;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.training.ArtifactWriter;
import io.varshift.trainer.training.EvalPass;
import io.varshift.trainer.training.ReferenceBuilder;
import io.varshift.trainer.training.TrainingData;
import io.varshift.trainer.training.TrainingService;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The paper's Adjust BN (on training data) and label-free recalibration (on recent traffic): both
 * re-estimate every BN layer's running statistics in eval mode, layer by layer, rebuild the
 * reference and its calibration, and write a new version that says where it came from.
 */
public final class BnAdjustService {

    private static final Logger LOG = Logger.getLogger(BnAdjustService.class);

    private final ModelStore store;
    private final Path dataDir;
    private final ReferenceBuilder.Calibration fallbackCalibration;

    /** @param fallbackCalibration used when the source version carries no calibration to repeat */
    public BnAdjustService(ModelStore store, Path dataDir,
                           ReferenceBuilder.Calibration fallbackCalibration) {
        this.store = store;
        this.dataDir = dataDir;
        this.fallbackCalibration = fallbackCalibration;
    }

    /**
     * Adjust BN on the model's training data (Fashion-MNIST's or the user's, dealt again as at training);
     * the reference is calibrated on the held-out part.
     */
    public Published adjust(AdjustPlan plan, JobContext context) {
        ModelArtifact artifact = load(plan.model(), plan.version());
        TrainingData data = TrainingData.forModel(artifact, dataDir);
        ImageSet train = TrainingService.limit(data.train(), plan.limit());
        ObjectNode provenance = Json.object();
        provenance.put("method", "adjust-bn");
        provenance.put("data", (data.isFashionMnist() ? "fashion-mnist training split"
                : "training part of " + data.description().get("source").asText()) + ", first " + train.size()
                + " samples");
        return reestimate(artifact, train, data.heldOut(), plan.batchSize(), provenance, context);
    }

    /** Recalibration on unlabelled traffic; the same traffic is the clean baseline of the new calibration. */
    public Published recalibrate(RecalibrationPlan plan, JobContext context) {
        ModelArtifact artifact = load(plan.model(), plan.version());
        long[] shape = ModelSpec.fromJson(artifact.modelJson()).inputShape();
        HeapBudget.check(artifact.name(), plan.limit(), shape, Runtime.getRuntime().maxMemory());
        ObjectNode provenance = Json.object();
        provenance.put("method", "recalibrate");
        ImageSet traffic;
        if (plan.kafka() != null) {
            KafkaTraffic.Result read = KafkaTraffic.read(plan.kafka(), artifact.name(), shape, plan.limit(),
                    context);
            traffic = read.images();
            provenance.put("data", "kafka topic " + plan.kafka().topic() + " at "
                    + plan.kafka().bootstrap() + ", " + plan.kafka().rangeDescription());
            provenance.set("source", read.note());
        } else {
            traffic = NpyDataset.load(plan.data(), shape, plan.limit());
            provenance.put("data", plan.data().toAbsolutePath().toString());
        }
        provenance.put("samples", traffic.size());
        return reestimate(artifact, traffic, traffic, plan.batchSize(), provenance, context);
    }

    private Published reestimate(ModelArtifact artifact, ImageSet data, ImageSet clean, int batchSize,
                                 ObjectNode provenance, JobContext context) {
        try (Candidate candidate = prepare(artifact, data, clean, batchSize, provenance, context)) {
            return new Published(artifact.name(), publish(candidate), candidate.provenance());
        }
    }

    /**
     * A re-estimated model held in memory, not yet in the store: the remediation loop verifies it before
     * {@link #publish} writes it (or never does, in dry-run mode or when a check fails).
     *
     * @param accuracyBefore the source version's accuracy on {@code clean} (NaN without labels)
     * @param result         the new reference, its calibration and the accuracy on {@code clean}
     * @param adjustments    per layer the running statistics before and after
     * @param provenance     what model.json's {@code provenance} will say; callers may add to it
     */
    public record Candidate(ModelArtifact source, LoadedModel loaded, double accuracyBefore,
                            ReferenceBuilder.Result result, List<BnReestimator.LayerAdjustment> adjustments,
                            ObjectNode provenance) implements AutoCloseable {

        @Override
        public void close() {
            loaded.close();
        }
    }

    /**
     * Re-estimates the source version's BN statistics on {@code data} and calibrates the new reference on
     * {@code clean}, in memory. The caller closes the candidate.
     */
    public Candidate prepare(ModelArtifact artifact, ImageSet data, ImageSet clean, int batchSize,
                             ObjectNode provenance, JobContext context) {
        LoadedModel loaded = ModelLoader.load(artifact);
        try {
            var manager = loaded.model().getNDManager();
            double before = EvalPass.run(loaded.block(), manager, clean, batchSize, context, "accuracy before");
            int layers = loaded.probes().layerCount();
            List<BnReestimator.LayerAdjustment> adjustments = BnReestimator.reestimate(loaded.block(), data,
                    batchSize, manager, layer -> {
                        context.checkCancelled();
                        context.progress((layer + 1.0) / layers, "re-estimating BN statistics");
                    });
            ReferenceBuilder.Result result = ReferenceBuilder.build(loaded.block(), manager, clean,
                    loaded.spec().classes().size(), batchSize,
                    calibrationOf(loaded), context);
            provenance.put("from", artifact.version());
            provenance.put("accuracyBefore", before);
            provenance.put("accuracyAfter", result.accuracy());
            ArrayNode ratios = provenance.putArray("layers");
            for (BnReestimator.LayerAdjustment a : adjustments) {
                ratios.addObject().put("layer", a.layer()).put("varianceRatioBefore", a.varianceRatioBefore());
            }
            return new Candidate(artifact, loaded, before, result, adjustments, provenance);
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }

    /** Writes the candidate as the model's next version, its training summary and provenance in model.json. */
    public int publish(Candidate candidate) {
        ModelArtifact artifact = candidate.source();
        String name = artifact.name();
        ObjectNode sections = Json.object();
        ObjectNode source = artifact.modelJson();
        if (source.has("training")) {
            sections.set("training", source.get("training"));
        }
        sections.set("provenance", candidate.provenance());
        int written = ArtifactWriter.write(store, name, candidate.loaded().spec(), candidate.loaded().block(),
                candidate.result().reference(), sections);
        LOG.infof("%s v%d -> v%d by %s: %s", name, artifact.version(), written,
                candidate.provenance().get("method").asText(), candidate.adjustments().stream()
                        .map(a -> String.format("%s %.3f", a.layer(), a.varianceRatioBefore()))
                        .collect(Collectors.joining(", ")));
        return written;
    }

    /** The model's store (the remediation loop reads versions and writes rollbacks there). */
    public ModelStore store() {
        return store;
    }

    /** Where Fashion-MNIST lives, for the held-out data of a model trained on it. */
    public Path dataDir() {
        return dataDir;
    }

    /** Repeats the source version's calibration settings so the agent's windows stay covered. */
    private ReferenceBuilder.Calibration calibrationOf(LoadedModel loaded) {
        return loaded.reference().calibration()
                .map(c -> new ReferenceBuilder.Calibration(c.windowSizes(), c.falseAlarmRate(),
                        c.windows().get(0).replicates(), loaded.spec().seed()))
                .orElse(fallbackCalibration);
    }

    private ModelArtifact load(String name, Integer version) {
        return store.loadVersionOrLatest(name, version);
    }
}
