package io.varshift.trainer.adjust;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A re-estimated version written to the store.
 *
 * @param provenance the new version's {@code provenance} section of model.json, as written
 */
public record Published(String model, int version, ObjectNode provenance) {

    /** The job's result: the provenance with the model and the version written. */
    public ObjectNode toJson() {
        ObjectNode out = provenance.deepCopy();
        out.put("model", model);
        out.put("version", version);
        return out;
    }
}
