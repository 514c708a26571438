package io.varshift.trainer.remediation;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

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

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("kind", "model-alarm");
        o.addProperty("model", model);
        o.addProperty("version", version);
        o.addProperty("alarmWindows", alarmWindows);
        JsonArray numbers = new JsonArray();
        windows.forEach(numbers::add);
        o.add("windows", numbers);
        JsonArray offsets = new JsonArray();
        for (WindowResult.Range r : ranges) {
            JsonObject range = new JsonObject();
            range.addProperty("topic", r.topic());
            range.addProperty("partition", r.partition());
            range.addProperty("first", r.first());
            range.addProperty("last", r.last());
            offsets.add(range);
        }
        o.add("offsets", offsets);
        o.addProperty("samples", samples);
        o.addProperty("windowSamples", windowSamples);
        return o;
    }
}
