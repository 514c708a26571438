package io.varshift.agent.loop;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import io.varshift.core.alarm.AlarmTransition;
import io.varshift.core.calibration.JsonFields;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.shift.LayerStatistics;
import io.varshift.core.window.LayerVerdict;
import io.varshift.core.window.Signal;
import io.varshift.core.window.WindowVerdict;

/** The language-neutral JSON of window results and alerts (schema in agent.md). */
public final class WindowJson {

    /** Bumped on any incompatible change of the two record layouts. */
    static final int SCHEMA_VERSION = 2;

    private WindowJson() {
    }

    /** Alert kinds: one layer's covariate drift, the whole model's, the predicted-class mix. */
    public static final String LAYER = "layer";
    public static final String MODEL = "model";
    public static final String PREDICTION_MIX = "prediction-mix";

    static JsonObject result(JudgedWindow judged) {
        return result(judged, false);
    }

    /**
     * @param withMoments whether each layer also carries the window's moments (count, per-channel mean
     *     and population variance of the BN input), so that a reader can merge windows (Chan et al.)
     */
    public static JsonObject result(JudgedWindow judged, boolean withMoments) {
        ClosedWindow w = judged.window();
        WindowVerdict verdict = judged.verdict();
        JsonObject o = header(w);
        o.addProperty("openedAt", w.openedAt().toString());
        o.addProperty("closedAt", w.closedAt().toString());
        o.addProperty("closeReason", w.closeReason());
        o.addProperty("samples", w.samples());
        o.addProperty("sampleRate", w.sampleRate());
        o.addProperty("judged", verdict.judged());
        if (verdict.judged()) {
            o.addProperty("calibrationWindowSize", verdict.calibratedWindow());
        }
        o.add("modelVerdict", signal(verdict.model()));
        o.add("predictionMix", signal(verdict.predictionMix()));
        JsonObject sequential = new JsonObject();
        number(sequential, "statistic", verdict.sequential().statistic());
        number(sequential, "threshold", verdict.sequential().threshold());
        sequential.addProperty("over", verdict.sequential().over());
        o.add("sequential", sequential);
        o.add("predictedClassCounts", JsonFields.array(verdict.classCounts()));
        JsonArray out = new JsonArray();
        for (LayerVerdict layer : verdict.layers()) {
            LayerStatistics s = layer.statistics();
            JsonObject l = new JsonObject();
            l.addProperty("layer", layer.layer());
            number(l, "varianceRatio", s.varianceRatio());
            number(l, "varianceShift", s.varianceShift());
            number(l, "meanChannelShift", s.meanChannelShift());
            number(l, "maxChannelShift", s.maxChannelShift());
            number(l, "meanShift", s.meanShift());
            number(l, "driftScore", layer.drift().score());
            number(l, "driftThreshold", layer.drift().threshold());
            number(l, "momentScore", layer.momentScore());
            number(l, "cellScore", layer.cellScore());
            l.addProperty("over", layer.drift().over());
            l.addProperty("state", layer.drift().state().name());
            if (withMoments) {
                l.add("moments", moments(w.moments().get(out.size())));
            }
            out.add(l);
        }
        o.add("layers", out);
        o.add("offsets", offsets(w.offsets()));
        return o;
    }

    private static JsonObject signal(Signal signal) {
        JsonObject o = new JsonObject();
        number(o, "score", signal.score());
        number(o, "threshold", signal.threshold());
        o.addProperty("over", signal.over());
        o.addProperty("state", signal.state().name());
        return o;
    }

    /** @param layerOrNull the layer for kind {@value #LAYER}, null for the model-level kinds */
    public static JsonObject alert(ClosedWindow w, String kind, String layerOrNull, AlarmTransition t) {
        JsonObject o = header(w);
        o.addProperty("kind", kind);
        if (layerOrNull != null) {
            o.addProperty("layer", layerOrNull);
        }
        o.addProperty("from", t.from().name());
        o.addProperty("to", t.to().name());
        o.addProperty("statistic", PREDICTION_MIX.equals(kind) ? "predictionMixScore" : "driftScore");
        number(o, "value", t.statistic());
        number(o, "threshold", t.threshold());
        o.addProperty("closedAt", w.closedAt().toString());
        o.add("offsets", offsets(w.offsets()));
        return o;
    }

    public static byte[] bytes(JsonObject o) {
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject header(ClosedWindow w) {
        JsonObject o = new JsonObject();
        o.addProperty("schemaVersion", SCHEMA_VERSION);
        o.addProperty("model", w.model());
        o.addProperty("version", w.version());
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

    private static JsonObject moments(ChannelMoments m) {
        JsonObject o = new JsonObject();
        o.addProperty("count", m.count());
        JsonArray mean = new JsonArray();
        JsonArray variance = new JsonArray();
        for (int c = 0; c < m.channels(); c++) {
            mean.add(m.mean(c));
            variance.add(m.variance(c));
        }
        o.add("mean", mean);
        o.add("variance", variance);
        return o;
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
