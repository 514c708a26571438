package io.varshift.agent.loop;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import io.varshift.core.alarm.AlarmTransition;
import io.varshift.core.shift.LayerStatistics;

/** The language-neutral JSON of window results and alerts (schema in agent.md). */
final class WindowJson {

    /** Bumped on any incompatible change of the two record layouts. */
    static final int SCHEMA_VERSION = 1;

    private WindowJson() {
    }

    static JsonObject result(WindowVerdict verdict) {
        ClosedWindow w = verdict.window();
        JsonObject o = header(w);
        o.addProperty("openedAt", w.openedAt().toString());
        o.addProperty("closedAt", w.closedAt().toString());
        o.addProperty("closeReason", w.closeReason());
        o.addProperty("samples", w.samples());
        o.addProperty("sampleRate", w.sampleRate());
        JsonArray out = new JsonArray();
        for (WindowVerdict.Layer layer : verdict.layers()) {
            LayerStatistics s = layer.statistics();
            JsonObject l = new JsonObject();
            l.addProperty("layer", layer.name());
            number(l, "varianceRatio", s.varianceRatio());
            number(l, "varianceShift", s.varianceShift());
            number(l, "meanChannelShift", s.meanChannelShift());
            number(l, "maxChannelShift", s.maxChannelShift());
            number(l, "meanShift", s.meanShift());
            number(l, "driftScore", s.driftScore());
            number(l, "driftThreshold", s.driftThreshold());
            l.addProperty("over", s.over());
            if (layer.calibration() != null) {
                l.addProperty("calibrationWindowSize", layer.calibration().windowSize());
            }
            l.addProperty("state", layer.state().name());
            out.add(l);
        }
        o.add("layers", out);
        o.add("offsets", offsets(w.offsets()));
        return o;
    }

    static JsonObject alert(ClosedWindow w, String layer, AlarmTransition t) {
        JsonObject o = header(w);
        o.addProperty("layer", layer);
        o.addProperty("from", t.from().name());
        o.addProperty("to", t.to().name());
        o.addProperty("statistic", "driftScore");
        number(o, "value", t.statistic());
        number(o, "threshold", t.threshold());
        o.addProperty("closedAt", w.closedAt().toString());
        o.add("offsets", offsets(w.offsets()));
        return o;
    }

    static byte[] bytes(JsonObject o) {
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject header(ClosedWindow w) {
        JsonObject o = new JsonObject();
        o.addProperty("schemaVersion", SCHEMA_VERSION);
        o.addProperty("model", w.model().name());
        o.addProperty("version", w.model().version());
        o.addProperty("windowId", Long.toHexString(w.windowId()));
        o.addProperty("windowNumber", w.windowNumber());
        return o;
    }

    private static JsonArray offsets(Map<TopicPartition, long[]> offsets) {
        JsonArray a = new JsonArray();
        offsets.forEach((tp, range) -> {
            JsonObject r = new JsonObject();
            r.addProperty("topic", tp.topic());
            r.addProperty("partition", tp.partition());
            r.addProperty("first", range[0]);
            r.addProperty("last", range[1]);
            a.add(r);
        });
        return a;
    }

    /** JSON has no NaN: a statistic without a value (no calibration) is null. */
    private static void number(JsonObject o, String name, double v) {
        if (Double.isFinite(v)) {
            o.addProperty(name, v);
        } else {
            o.add(name, JsonNull.INSTANCE);
        }
    }
}
