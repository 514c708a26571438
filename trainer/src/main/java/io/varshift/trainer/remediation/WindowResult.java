package io.varshift.trainer.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import io.varshift.core.alarm.AlarmState;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the controller reads of one window result the agent published (agent.md, schema 2): the model
 * version it was judged with, the model-level state (covariate drift, class mix already accounted for),
 * the prediction-mix state (never a trigger), the sample count and the traffic offsets it covers.
 */
record WindowResult(String model, int version, long windowNumber, boolean judged, long samples,
                    AlarmState modelState, boolean modelOver, AlarmState mixState, List<Range> offsets) {

    /** The agent's schema this build reads. */
    static final int SCHEMA_VERSION = 2;

    /** Offsets {@code [first, last]} of one traffic partition that the window holds. */
    record Range(String topic, int partition, long first, long last) {
    }

    WindowResult {
        offsets = List.copyOf(offsets);
    }

    /**
     * @throws IllegalArgumentException naming the field when the value is not a window result of schema 2
     */
    static WindowResult parse(byte[] value) {
        if (value == null || value.length == 0) {
            throw new IllegalArgumentException("empty record");
        }
        JsonNode o;
        try {
            o = Json.parse(new String(value, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage());
        }
        if (!o.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonFields f = new JsonFields("window result", o);
        int schema = f.integer("schemaVersion");
        if (schema != SCHEMA_VERSION) {
            throw new IllegalArgumentException("schemaVersion " + schema + " is not supported (this build reads "
                    + SCHEMA_VERSION + "); upgrade the trainer with the agent");
        }
        String model = f.string("model");
        if (!ModelStore.isValidModelName(model)) {
            throw new IllegalArgumentException("model '" + model + "' is not a valid model name");
        }
        // The agent writes the version as a string; a number reads the same.
        JsonNode version = o.get("version");
        String versionText = version != null && version.isValueNode() && !version.isNull() ? version.asText()
                : f.string("version");
        if (!versionText.matches("[1-9][0-9]{0,8}")) {
            throw new IllegalArgumentException("version '" + versionText + "' is not a positive whole number");
        }
        JsonFields verdict = new JsonFields("window result modelVerdict", f.object("modelVerdict"));
        JsonFields mix = new JsonFields("window result predictionMix", f.object("predictionMix"));
        List<Range> ranges = new ArrayList<>();
        for (JsonNode r : f.array("offsets")) {
            JsonFields range = new JsonFields("window result offsets[]", r);
            long first = range.longValue("first");
            long last = range.longValue("last");
            if (first < 0 || last < first) {
                throw new IllegalArgumentException("offsets [" + first + ", " + last + "] are not a range");
            }
            ranges.add(new Range(range.string("topic"), range.integer("partition"), first, last));
        }
        return new WindowResult(model, Integer.parseInt(versionText), f.longValue("windowNumber"),
                f.bool("judged"), f.longValue("samples"), AlarmState.valueOf(verdict.string("state")),
                verdict.bool("over"), AlarmState.valueOf(mix.string("state")), ranges);
    }
}
