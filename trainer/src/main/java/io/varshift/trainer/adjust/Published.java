package io.varshift.trainer.adjust;

import com.google.gson.JsonObject;

/**
 * A re-estimated version written to the store.
 *
 * @param provenance the new version's {@code provenance} section of model.json, as written
 */
public record Published(String model, int version, JsonObject provenance) {

    /** The job's result: the provenance with the model and the version written. */
    public JsonObject toJson() {
        JsonObject out = provenance.deepCopy();
        out.addProperty("model", model);
        out.addProperty("version", version);
        return out;
    }
}
