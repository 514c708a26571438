package io.varshift.agent.loop;

import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.varshift.core.alarm.AlarmTransition;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;
import io.varshift.core.moments.ChannelMoments;
import io.varshift.core.shift.LayerStatistics;
import io.varshift.core.window.LayerVerdict;
import io.varshift.core.window.Signal;
import io.varshift.core.window.WindowVerdict;

/**
 * The language-neutral JSON of window results and alerts (schema in agent.md), built as Jackson trees
 * and written by core's shared mapper: doubles as {@link Double#toString(double)}, a statistic without
 * a value as null ({@code WireFormatTest} pins the bytes).
 */
public final class WindowJson {

    /** Bumped on any incompatible change of the two record layouts. */
    static final int SCHEMA_VERSION = 2;

    private WindowJson() {
    }

    /** Alert kinds: one layer's covariate drift, the whole model's, the predicted-class mix. */
    public static final String LAYER = "layer";
    public static final String MODEL = "model";
    public static final String PREDICTION_MIX = "prediction-mix";

    static ObjectNode result(JudgedWindow judged) {
        return result(judged, false);
    }

    /**
     * @param withMoments whether each layer also carries the window's moments (count, per-channel mean
     *     and population variance of the BN input), so that a reader can merge windows (Chan et al.)
     */
    public static ObjectNode result(JudgedWindow judged, boolean withMoments) {
        ClosedWindow w = judged.window();
        WindowVerdict verdict = judged.verdict();
        ObjectNode o = header(w);
        o.put("openedAt", w.openedAt().toString());
        o.put("closedAt", w.closedAt().toString());
        o.put("closeReason", w.closeReason());
        o.put("samples", w.samples());
        o.put("sampleRate", w.sampleRate());
        o.put("judged", verdict.judged());
        if (verdict.judged()) {
            o.put("calibrationWindowSize", verdict.calibratedWindow());
        }
        o.set("modelVerdict", signal(verdict.model()));
        o.set("predictionMix", signal(verdict.predictionMix()));
        ObjectNode sequential = Json.object();
        number(sequential, "statistic", verdict.sequential().statistic());
        number(sequential, "threshold", verdict.sequential().threshold());
        sequential.put("over", verdict.sequential().over());
        o.set("sequential", sequential);
        o.set("predictedClassCounts", JsonFields.array(verdict.classCounts()));
        ArrayNode out = Json.array();
        for (LayerVerdict layer : verdict.layers()) {
            LayerStatistics s = layer.statistics();
            ObjectNode l = Json.object();
            l.put("layer", layer.layer());
            number(l, "varianceRatio", s.varianceRatio());
            number(l, "varianceShift", s.varianceShift());
            number(l, "meanChannelShift", s.meanChannelShift());
            number(l, "maxChannelShift", s.maxChannelShift());
            number(l, "meanShift", s.meanShift());
            number(l, "driftScore", layer.drift().score());
            number(l, "driftThreshold", layer.drift().threshold());
            number(l, "momentScore", layer.momentScore());
            number(l, "cellScore", layer.cellScore());
            l.put("over", layer.drift().over());
            l.put("state", layer.drift().state().name());
            if (withMoments) {
                l.set("moments", moments(w.moments().get(out.size())));
            }
            out.add(l);
        }
        o.set("layers", out);
        o.set("offsets", offsets(w.offsets()));
        return o;
    }

    private static ObjectNode signal(Signal signal) {
        ObjectNode o = Json.object();
        number(o, "score", signal.score());
        number(o, "threshold", signal.threshold());
        o.put("over", signal.over());
        o.put("state", signal.state().name());
        return o;
    }

    /** @param layerOrNull the layer for kind {@value #LAYER}, null for the model-level kinds */
    public static ObjectNode alert(ClosedWindow w, String kind, String layerOrNull, AlarmTransition t) {
        ObjectNode o = header(w);
        o.put("kind", kind);
        if (layerOrNull != null) {
            o.put("layer", layerOrNull);
        }
        o.put("from", t.from().name());
        o.put("to", t.to().name());
        o.put("statistic", PREDICTION_MIX.equals(kind) ? "predictionMixScore" : "driftScore");
        number(o, "value", t.statistic());
        number(o, "threshold", t.threshold());
        o.put("closedAt", w.closedAt().toString());
        o.set("offsets", offsets(w.offsets()));
        return o;
    }

    /** The compact UTF-8 JSON of a tree, as the agent publishes its records (also partials and fleet state). */
    public static byte[] bytes(JsonNode o) {
        try {
            return Json.mapper().writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            // A tree of plain values always writes.
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static ObjectNode header(ClosedWindow w) {
        ObjectNode o = Json.object();
        o.put("schemaVersion", SCHEMA_VERSION);
        o.put("model", w.model());
        o.put("version", w.version());
        o.put("windowId", Long.toHexString(w.windowId()));
        o.put("windowNumber", w.windowNumber());
        return o;
    }

    private static ArrayNode offsets(Map<TopicPartition, long[]> offsets) {
        ArrayNode a = Json.array();
        offsets.forEach((tp, range) -> {
            ObjectNode r = Json.object();
            r.put("topic", tp.topic());
            r.put("partition", tp.partition());
            r.put("first", range[0]);
            r.put("last", range[1]);
            a.add(r);
        });
        return a;
    }

    private static ObjectNode moments(ChannelMoments m) {
        ObjectNode o = Json.object();
        o.put("count", m.count());
        ArrayNode mean = Json.array();
        ArrayNode variance = Json.array();
        for (int c = 0; c < m.channels(); c++) {
            mean.add(m.mean(c));
            variance.add(m.variance(c));
        }
        o.set("mean", mean);
        o.set("variance", variance);
        return o;
    }

    /** JSON has no NaN: a statistic without a value (no calibration) is null. */
    private static void number(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }
}
