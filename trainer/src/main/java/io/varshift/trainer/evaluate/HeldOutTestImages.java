package io.varshift.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
        ObjectNode modelJson = artifact.modelJson();
        JsonNode training = modelJson.get("training");
        if (training == null || !training.isObject() || !training.has("heldOutSamples")) {
            throw new IllegalArgumentException(name + ": model.json has no training.heldOutSamples, so the images the"
                    + " calibration used are unknown; " + job + " a model trained by this trainer");
        }
        if (modelJson.has("provenance")) {
            String method = modelJson.get("provenance").has("method")
                    ? modelJson.get("provenance").get("method").asText() : "re-estimation";
            throw new IllegalArgumentException(name + " was made by " + method + ", whose calibration used other"
                    + " images than training.heldOutSamples says; " + job + " a version written by train");
        }
        if (training.has("data")) {
            throw new IllegalArgumentException(name + " was trained on " + training.get("data").get("source")
                    .asText() + "; " + job + " measures on Fashion-MNIST test images the calibration never saw,"
                    + " which this model has no share of: evaluate a Fashion-MNIST model");
        }
        return training.get("heldOutSamples").asInt();
    }
}
