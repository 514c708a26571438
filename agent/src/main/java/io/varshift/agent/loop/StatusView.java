package io.varshift.agent.loop;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.varshift.core.reference.LayerReference;
import io.varshift.core.alarm.AlarmState;
import io.varshift.core.alarm.Cusum;
import io.varshift.core.json.Json;
import io.varshift.core.window.LayerVerdict;

/** The loop's status as JSON for /status, refreshed by the loop thread and read by HTTP threads. */
final class StatusView {

    private volatile String json = "{}";
    private volatile Set<String> notLoaded = Set.of();

    void refresh(Collection<ModelLane> lanes) {
        ArrayNode list = Json.array();
        Set<String> missing = new HashSet<>();
        for (ModelLane lane : lanes) {
            if (!lane.hasModel()) {
                missing.add(lane.name);
                continue;
            }
            ObjectNode m = Json.object();
            m.put("model", lane.name);
            m.put("version", lane.model().version());
            m.put("pendingVersion", lane.hasPending());
            m.put("windowsClosed", lane.windowsClosed());
            ObjectNode open = Json.object();
            open.put("samples", lane.samplesIncludingBatch());
            if (lane.openedAt() != null) {
                open.put("openedAt", lane.openedAt().toString());
            }
            m.set("openWindow", open);
            ArrayNode layers = Json.array();
            List<LayerReference> references = lane.model().layers();
            JudgedWindow last = lane.lastJudged();
            for (int i = 0; i < references.size(); i++) {
                ObjectNode l = Json.object();
                l.put("layer", references.get(i).name());
                if (last == null) {
                    l.put("state", AlarmState.OK.name());
                } else {
                    LayerVerdict layer = last.verdict().layers().get(i);
                    l.put("state", layer.drift().state().name());
                    addFinite(l, "varianceShift", layer.statistics().varianceShift());
                    addFinite(l, "driftScore", layer.drift().score());
                    addFinite(l, "driftThreshold", layer.drift().threshold());
                }
                layers.add(l);
            }
            m.set("layers", layers);
            if (last != null) {
                m.put("modelState", last.verdict().model().state().name());
                m.put("predictionMixState", last.verdict().predictionMix().state().name());
                lane.model().reference().calibration()
                        .ifPresent(c -> falseAlarmPace(m, last.window(), c.falseAlarmRate(), lane.enterAfter()));
            }
            list.add(m);
        }
        ObjectNode s = Json.object();
        s.set("models", list);
        json = Json.compact(s);
        notLoaded = Set.copyOf(missing);
    }

    /**
     * The expected time between false alarms at the observed traffic rate (the last window's length):
     * a clean window is over with probability α, so one every window/α; the model alarm needs
     * enterAfter consecutive over windows (α^enterAfter per window, independent windows) or a CUSUM
     * signal (one per {@link Cusum#DEFAULT_ARL} windows).
     */
    private static void falseAlarmPace(ObjectNode m, ClosedWindow window, double alpha, int enterAfter) {
        double seconds = Duration.between(window.openedAt(), window.closedAt()).toNanos() / 1e9;
        if (!(seconds > 0)) {
            return;
        }
        ObjectNode pace = Json.object();
        pace.put("windowSeconds", seconds);
        pace.put("falseAlarmRatePerWindow", alpha);
        pace.put("expectedSecondsBetweenFalseOverWindows", seconds / alpha);
        pace.put("expectedSecondsBetweenFalseModelAlarms",
                seconds / (Math.pow(alpha, enterAfter) + 1 / Cusum.DEFAULT_ARL));
        m.set("falseAlarms", pace);
    }

    String json() {
        return json;
    }

    Set<String> notLoaded() {
        return notLoaded;
    }

    private static void addFinite(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        }
    }
}
