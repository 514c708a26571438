package io.varshift.trainer.remediation;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.varshift.core.alarm.AlarmState;
import io.varshift.core.artifact.ModelStore;

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
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(new String(value, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage());
        }
        try {
            int schema = o.get("schemaVersion").getAsInt();
            if (schema != SCHEMA_VERSION) {
                throw new IllegalArgumentException("schemaVersion " + schema + " is not supported (this build reads "
                        + SCHEMA_VERSION + "); upgrade the trainer with the agent");
            }
            String model = o.get("model").getAsString();
            if (!ModelStore.isValidModelName(model)) {
                throw new IllegalArgumentException("model '" + model + "' is not a valid model name");
            }
            String versionText = o.get("version").getAsString();
            if (!versionText.matches("[1-9][0-9]{0,8}")) {
                throw new IllegalArgumentException("version '" + versionText + "' is not a positive whole number");
            }
            JsonObject verdict = o.getAsJsonObject("modelVerdict");
            JsonObject mix = o.getAsJsonObject("predictionMix");
            List<Range> ranges = new ArrayList<>();
            for (JsonElement r : o.getAsJsonArray("offsets")) {
                JsonObject range = r.getAsJsonObject();
                long first = range.get("first").getAsLong();
                long last = range.get("last").getAsLong();
                if (first < 0 || last < first) {
                    throw new IllegalArgumentException("offsets [" + first + ", " + last + "] are not a range");
                }
                ranges.add(new Range(range.get("topic").getAsString(), range.get("partition").getAsInt(), first, last));
            }
            return new WindowResult(model, Integer.parseInt(versionText), o.get("windowNumber").getAsLong(),
                    o.get("judged").getAsBoolean(), o.get("samples").getAsLong(),
                    AlarmState.valueOf(verdict.get("state").getAsString()), verdict.get("over").getAsBoolean(),
                    AlarmState.valueOf(mix.get("state").getAsString()), ranges);
        } catch (NullPointerException | IllegalStateException | UnsupportedOperationException
                 | ClassCastException e) {
            throw new IllegalArgumentException("a field of the window result is missing or of the wrong type ("
                    + e.getMessage() + ")");
        }
    }
}
