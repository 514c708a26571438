package io.varshift.trainer.remediation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.json.Json;

import java.util.List;

/**
 * Why a remediation starts: the model-level alarm of {@code model} v{@code version} persisted for
 * {@code alarmWindows} windows; {@code windows} are the window numbers since the state left OK and
 * {@code ranges} the traffic they hold, per topic partition.
 *
 * @param windowSamples samples per window of the agent (the verification cuts windows of this size)
 */
record Trigger(String model, int version, int alarmWindows, List<Long> windows, List<WindowResult.Range> ranges,
               long samples, int windowSamples) {

    Trigger {
        windows = List.copyOf(windows);
        ranges = List.copyOf(ranges);
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("kind", "model-alarm");
        o.put("model", model);
        o.put("version", version);
        o.put("alarmWindows", alarmWindows);
        ArrayNode numbers = o.putArray("windows");
        windows.forEach(numbers::add);
        // A range is {topic, partition, first, last}: the record as it is.
        ArrayNode offsets = o.putArray("offsets");
        ranges.forEach(r -> offsets.add(Json.mapper().<JsonNode>valueToTree(r)));
        o.put("samples", samples);
        o.put("windowSamples", windowSamples);
        return o;
    }
}
