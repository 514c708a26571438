package io.varshift.trainer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.spec.ModelSpec;
import io.varshift.trainer.imported.ImportPlan;

import java.util.List;
import java.util.Set;

/**
 * Bring in a model trained elsewhere: build the spec's block, load exported weights into it, check its
 * outputs against the exporter's, then measure the reference and calibration on the held-out part of
 * the user's data and write a normal artifact version (own-model.md).
 *
 * @param spec the architecture and sizes the weights were exported from; its input shape and classes
 *        are replaced by the data's
 * @param weights the exporter's .npz archive
 * @param data the user's labelled images; the held-out part calibrates, the rest is what report and
 *        Adjust BN treat as the model's training data
 */
public record ImportRequest(String model, ModelSpec spec, String weights, UserData data, int batchSize,
                            List<Integer> windowSizes, double falseAlarmRate, int replicates) implements JobRequest {

    private static final Set<String> FIELDS = Set.of("model", "architecture", "width", "blocks", "depth", "seed", "weights",
            "data", "batchSize", "windowSizes", "falseAlarmRate", "replicates");

    public ImportRequest {
        JobRequest.requireName("model", model);
        if (spec == null) {
            throw new InvalidRequestException("spec", "is required");
        }
        if (weights == null || weights.isBlank()) {
            throw new InvalidRequestException("weights", "is required: the .npz archive varshift_export.py wrote");
        }
        if (data == null) {
            throw new InvalidRequestException("data", "is required: labelled images to measure the reference and"
                    + " calibration on");
        }
        JobRequest.requireRange("batchSize", batchSize, 1, 4096);
        windowSizes = JobRequest.requireCalibration(windowSizes, falseAlarmRate, replicates);
    }

    @Override
    public JobType type() {
        return JobType.IMPORT;
    }

    /** What the import service brings in. */
    public ImportPlan plan() {
        return new ImportPlan(model, spec, weights, data, batchSize, windowSizes, falseAlarmRate, replicates);
    }

    /** The REST form; weights and data paths are relative to the traffic directory and stay inside it. */
    static ImportRequest fromJson(ObjectNode body, JobDefaults defaults) {
        BodyFields f = new BodyFields(body, FIELDS);
        ModelSpec spec = TrainRequest.spec(f.string("architecture", "convnet"), f.integer("width", 16),
                f.integer("blocks", 2), f.integer("depth", 0), "none", "bernoulli", 0, 0, f.longInteger("seed", 42), true);
        UserData data = UserData.fromJson(body, defaults.trafficDir());
        String weights = JobRequest.insideTrafficDirectory("weights", f.string("weights", null), defaults.trafficDir())
                .toString();
        return new ImportRequest(f.string("model", null), spec, weights, data, f.integer("batchSize", 256),
                f.integers("windowSizes", defaults.windowSizes()), f.decimal("falseAlarmRate", defaults.falseAlarmRate()),
                f.integer("replicates", defaults.replicates()));
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = JobRequest.specJson(this, spec, List.of("architecture", "width", "blocks", "depth", "seed"));
        o.put("weights", weights);
        o.set("data", data.toJson());
        o.put("batchSize", batchSize);
        JobRequest.addCalibration(o, windowSizes, falseAlarmRate, replicates);
        return o;
    }
}
