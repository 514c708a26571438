package io.varshift.trainer.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;
import io.varshift.core.spec.ModelSpec;
import io.varshift.core.spec.ModelSpecException;
import io.varshift.trainer.training.TrainingData;
import io.varshift.trainer.training.TrainingPlan;

import java.util.List;
import java.util.Set;

/**
 * Train a model on Fashion-MNIST or on a user's labelled images and write a new artifact version with
 * its reference statistics and the calibration of the agent's null for each window size.
 *
 * @param spec the architecture and its options; with user data, its input shape and classes are
 *        replaced by the data's
 * @param limit training samples to use (0 = all)
 * @param heldOut Fashion-MNIST only: held-out samples (the first of the test split) for accuracy and
 *        calibration (0 = all 10 000); user data hold out {@link UserData#heldOutFraction()} instead
 * @param validation Fashion-MNIST only: training images held back from training (the last of the training
 *        split) and added to the calibration: more clean samples make the baseline's own error smaller
 *        against large windows
 * @param data the user's images, or null for Fashion-MNIST
 * @param normalization per-channel input normalisation the model applies first, or null for none; checked
 *        against the input channels once the data's shape is known
 */
public record TrainRequest(String model, ModelSpec spec, int epochs, int batchSize, int limit, int heldOut,
                           int validation,
                           List<Integer> windowSizes, double falseAlarmRate, int replicates, UserData data,
                           ModelSpec.Normalization normalization)
        implements JobRequest {

    private static final Set<String> FIELDS = Set.of("model", "architecture", "width", "blocks", "depth",
            "dropoutPlacement",
            "dropoutKind", "dropRatio", "uoutBeta", "seed", "epochs", "batchSize", "limit", "heldOut",
            "validation", "windowSizes", "falseAlarmRate", "replicates", "data", "normalization");

    /** A Fashion-MNIST request. */
    public TrainRequest(String model, ModelSpec spec, int epochs, int batchSize, int limit, int heldOut,
                        int validation, List<Integer> windowSizes, double falseAlarmRate, int replicates) {
        this(model, spec, epochs, batchSize, limit, heldOut, validation, windowSizes, falseAlarmRate, replicates, null,
                null);
    }

    public TrainRequest {
        JobRequest.requireName("model", model);
        if (spec == null) {
            throw new InvalidRequestException("spec", "is required");
        }
        JobRequest.requireRange("epochs", epochs, 1, 1000);
        JobRequest.requireRange("batchSize", batchSize, 1, 4096);
        JobRequest.requireRange("limit", limit, 0, data == null ? 60_000 : TrainingData.MAX_USER_SAMPLES);
        JobRequest.requireRange("heldOut", heldOut, 0, 10_000);
        JobRequest.requireRange("validation", validation, 0, MAX_VALIDATION);
        if (data != null && validation > 0) {
            throw new InvalidRequestException("validation", "holds back Fashion-MNIST training images; with user data"
                    + " hold out a share (--held-out-fraction, REST data.heldOutFraction) or a folder"
                    + " (--held-out-data, REST data.heldOutPath)");
        }
        if (data == null && limit > 0 && limit > 60_000 - validation) {
            throw new InvalidRequestException("limit", limit + " training samples and " + validation
                    + " validation samples do not fit in the 60 000 training images");
        }
        windowSizes = JobRequest.requireCalibration(windowSizes, falseAlarmRate, replicates);
        int largest = windowSizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
        int heldOutSamples = (heldOut == 0 ? 10_000 : heldOut) + validation;
        // User data are counted when read: the trainer refuses a held-out part smaller than one window then.
        if (data == null && heldOutSamples < largest) {
            throw new InvalidRequestException("heldOut", heldOutSamples + " calibration samples are fewer than one window"
                    + " of " + largest + "; the calibration needs at least one window of clean samples");
        }
    }

    /** At most half the training images may be held back for calibration. */
    public static final int MAX_VALIDATION = 30_000;
    /** The largest input side a spec accepts, the placeholder of a user-data spec before the data are read. */
    static final int LARGEST_SIDE = 4096;

    @Override
    public JobType type() {
        return JobType.TRAIN;
    }

    /** What the training service trains. */
    public TrainingPlan plan() {
        return new TrainingPlan(model, spec, epochs, batchSize, limit, heldOut, validation, windowSizes,
                falseAlarmRate, replicates, data, normalization);
    }

    /** Builds the spec from the flat REST fields with the Fashion-MNIST input shape and classes. */
    static TrainRequest fromJson(ObjectNode body, JobDefaults defaults) {
        BodyFields f = new BodyFields(body, FIELDS);
        UserData data = UserData.fromJson(body, defaults.trafficDir());
        if (data != null && BodyFields.present(body, "heldOut")) {
            throw new InvalidRequestException("heldOut", "counts Fashion-MNIST test images; with data hold out a share"
                    + " (data.heldOutFraction) or a folder (data.heldOutPath)");
        }
        ModelSpec spec = spec(f.string("architecture", "convnet"), f.integer("width", 16), f.integer("blocks", 2),
                f.integer("depth", 0), f.string("dropoutPlacement", "none"), f.string("dropoutKind", "bernoulli"),
                f.decimal("dropRatio", 0), f.decimal("uoutBeta", 0), f.longInteger("seed", 42), data != null);
        return new TrainRequest(f.string("model", null), spec, f.integer("epochs", 1), f.integer("batchSize", 128),
                f.integer("limit", 0), f.integer("heldOut", 5000), f.integer("validation", 0),
                f.integers("windowSizes", defaults.windowSizes()),
                f.decimal("falseAlarmRate", defaults.falseAlarmRate()),
                f.integer("replicates", defaults.replicates()), data, normalization(body));
    }

    /** The REST form {@code normalization: {mean: [...], std: [...]}}, or null without one. */
    static ModelSpec.Normalization normalization(ObjectNode body) {
        if (!BodyFields.present(body, "normalization")) {
            return null;
        }
        if (!body.get("normalization").isObject()) {
            throw new InvalidRequestException("normalization", "must be an object {mean: [...], std: [...]}, got "
                    + Json.compact(body.get("normalization")));
        }
        BodyFields f = new BodyFields((ObjectNode) body.get("normalization"), Set.of("mean", "std"));
        return new ModelSpec.Normalization(f.decimals("mean"), f.decimals("std"));
    }

    /** A Fashion-MNIST spec; the spec's own message names the offending field. */
    public static ModelSpec spec(String architecture, int width, int blocks, String placement, String kind,
                                 double dropRatio, double uoutBeta, long seed) {
        return spec(architecture, width, blocks, 0, placement, kind, dropRatio, uoutBeta, seed);
    }

    /** The same with a depth: 18 or 34 for resnet (0 = its default), 0 for the other families. */
    public static ModelSpec spec(String architecture, int width, int blocks, int depth, String placement, String kind,
                                 double dropRatio, double uoutBeta, long seed) {
        return spec(architecture, width, blocks, depth, placement, kind, dropRatio, uoutBeta, seed, false);
    }

    /**
     * @param forUserData the input shape is not known until the data are read: the spec is checked
     *        against the largest input here (so that many blocks are not refused for 28×28) and built
     *        again, and checked, with the data's shape and classes when training starts
     */
    public static ModelSpec spec(String architecture, int width, int blocks, int depth, String placement, String kind,
                                 double dropRatio, double uoutBeta, long seed, boolean forUserData) {
        try {
            ModelSpec.Builder builder = ModelSpec.fashionMnist(ModelSpec.Architecture.parse(architecture));
            if (forUserData) {
                builder.setInputShape(1, LARGEST_SIDE, LARGEST_SIDE);
            }
            return builder.optWidth(width).optBlocks(blocks).optDepth(depth)
                    .optDropout(ModelSpec.DropoutPlacement.parse(placement), ModelSpec.DropoutKind.parse(kind))
                    .optDropRatio(dropRatio).optUoutBeta(uoutBeta).optSeed(seed)
                    .build();
        } catch (ModelSpecException e) {
            // Spec fields the request does not have (inputShape, classes) are the request's spec as a whole.
            throw new InvalidRequestException(FIELDS.contains(e.field()) ? e.field() : "spec", e.getMessage());
        }
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = JobRequest.specJson(this, spec, List.of("architecture", "width", "blocks", "depth",
                "dropoutPlacement", "dropoutKind", "dropRatio", "uoutBeta", "seed"));
        o.put("epochs", epochs);
        o.put("batchSize", batchSize);
        o.put("limit", limit);
        o.put("heldOut", heldOut);
        o.put("validation", validation);
        JobRequest.addCalibration(o, windowSizes, falseAlarmRate, replicates);
        if (data != null) {
            o.set("data", data.toJson());
        }
        if (normalization != null) {
            o.set("normalization", normalization.toJson());
        }
        return o;
    }
}
