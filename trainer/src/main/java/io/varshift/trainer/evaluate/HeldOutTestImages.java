package io.varshift.trainer.evaluate;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.varshift.core.artifact.ModelArtifact;

/**
 * How many Fashion-MNIST test images a model's calibration used (the first N): the offline
 * evaluations take the test images after them as traffic the calibration never saw. A model trained
 * on a user's images has no such unseen part, so they refuse it.
 */
public final class HeldOutTestImages {

    private HeldOutTestImages() {
    }

    /**
     * @param job the command, for the message, e.g. "evaluate-alarms"
     * @throws IllegalArgumentException when model.json does not record the count, or the model was
     *     trained on a user's data
     */
    public static int of(ModelArtifact artifact, String job) {
        String name = "model '" + artifact.name() + "' v" + artifact.version();
        JsonElement training = artifact.modelJson().get("training");
        if (training == null || !training.isJsonObject() || !training.getAsJsonObject().has("heldOutSamples")) {
            throw new IllegalArgumentException(name + ": model.json has no training.heldOutSamples, so the images the"
                    + " calibration used are unknown; " + job + " a model trained by this trainer");
        }
        if (artifact.modelJson().has("provenance")) {
            String method = artifact.modelJson().getAsJsonObject("provenance").has("method")
                    ? artifact.modelJson().getAsJsonObject("provenance").get("method").getAsString() : "re-estimation";
            throw new IllegalArgumentException(name + " was made by " + method + ", whose calibration used other"
                    + " images than training.heldOutSamples says; " + job + " a version written by train");
        }
        JsonObject t = training.getAsJsonObject();
        if (t.has("data")) {
            throw new IllegalArgumentException(name + " was trained on " + t.getAsJsonObject("data").get("source")
                    .getAsString() + "; " + job + " measures on Fashion-MNIST test images the calibration never saw,"
                    + " which this model has no share of: evaluate a Fashion-MNIST model");
        }
        return t.get("heldOutSamples").getAsInt();
    }
}
