package io.varshift.trainer.imported;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.Sha256;
import io.varshift.core.json.Json;
import io.varshift.core.model.ModelBlocks;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.training.ReferenceBuilder;
import io.varshift.trainer.training.TrainingData;
import io.varshift.trainer.training.TrainingService;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code trainer import}: a model trained elsewhere becomes a normal artifact. The spec's block is
 * built and initialised for the data's input shape, the exported weights are copied in by position
 * (kind and shape checked), the outputs are compared with the exporter's on its check batch, and the
 * reference and calibration are measured on the held-out part of the user's data, as after training.
 */
public final class ImportService {

    private static final Logger LOG = Logger.getLogger(ImportService.class);

    /**
     * @throws IllegalArgumentException when the data or weights cannot be read, do not fit the spec, or the
     *     outputs differ from the exporter's by more than {@link ImportedWeights#TOLERANCE}
     */
    public TrainingService.Trained importWeights(ImportPlan plan, JobContext context) {
        TrainingData data = TrainingData.user(plan.data(), plan.spec().seed());
        ImportedWeights weights = ImportedWeights.read(Path.of(plan.weights()));
        ModelSpec spec = plan.spec().toBuilder().setInputShape(data.inputShape()).setClasses(data.classes())
                .optNormalization(weights.normalization().orElse(null)).build();
        ReferenceBuilder.requireOneWindow(data.heldOut().size(), plan.windowSizes());
        context.progress(0, "import");
        // On the CPU: a GPU's convolutions (TF32 by default) differ from the exporter's beyond the 1e-4 check,
        // and an import trains nothing.
        Model model = Model.newInstance(plan.model(), ai.djl.Device.cpu());
        try {
            Block block = ModelBlocks.build(spec);
            model.setBlock(block);
            long[] in = spec.inputShape();
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, in[0], in[1], in[2]));
            weights.assignTo(block);
            ObjectNode imported = Json.object();
            imported.put("weights", plan.weights());
            imported.put("sha256", sha256(weights.file()));
            imported.put("parameters", weights.parameterCount());
            double difference = weights.checkDifference(block, model.getNDManager(), in);
            if (!(difference <= ImportedWeights.TOLERANCE)) {
                throw new IllegalArgumentException("weights file " + weights.file() + ": the model's outputs differ"
                        + " from the exporter's by up to " + difference + " on its check batch (at most "
                        + ImportedWeights.TOLERANCE + " accepted); the architecture or preprocessing differs from"
                        + " the exported model's");
            }
            imported.put("checkMaxAbsDifference", difference);
            context.progress(1, "import");
            ReferenceBuilder.Result reference = ReferenceBuilder.build(block, model.getNDManager(), data.heldOut(),
                    spec.classes().size(), plan.batchSize(), new ReferenceBuilder.Calibration(plan.windowSizes(),
                            plan.falseAlarmRate(), plan.replicates(), spec.seed()), context);
            LOG.infof("%s: imported %d parameters from %s, held-out accuracy %.4f on %d samples", plan.model(),
                    weights.parameterCount(), weights.file(), reference.accuracy(), data.heldOut().size());
            ObjectNode summary = Json.object();
            summary.set("imported", imported);
            summary.set("data", data.description());
            summary.put("trainingSamples", data.train().size());
            summary.put("heldOutSamples", data.heldOut().size());
            summary.put("calibrationSamples", data.heldOut().size());
            summary.put("heldOutAccuracy", reference.accuracy());
            summary.put("engine", Engine.getInstance().getEngineName());
            return new TrainingService.Trained(model, spec, reference, summary);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static String sha256(Path file) {
        try {
            return Sha256.hex(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
