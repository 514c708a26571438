package io.varshift.agent.loop;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.varshift.core.reference.LayerReference;
import io.varshift.core.alarm.AlarmState;
import io.varshift.core.alarm.Cusum;
import io.varshift.core.window.LayerVerdict;

/** The loop's status as JSON for /status, refreshed by the loop thread and read by HTTP threads. */
final class StatusView {

    private volatile String json = "{}";
    private volatile Set<String> notLoaded = Set.of();

    void refresh(Collection<ModelLane> lanes) {
        JsonArray list = new JsonArray();
        Set<String> missing = new HashSet<>();
        for (ModelLane lane : lanes) {
            if (!lane.hasModel()) {
                missing.add(lane.name);
                continue;
            }
            JsonObject m = new JsonObject();
            m.addProperty("model", lane.name);
            m.addProperty("version", lane.model().version());
            m.addProperty("pendingVersion", lane.hasPending());
            m.addProperty("windowsClosed", lane.windowsClosed());
            JsonObject open = new JsonObject();
            open.addProperty("samples", lane.samplesIncludingBatch());
            if (lane.openedAt() != null) {
                open.addProperty("openedAt", lane.openedAt().toString());
            }
            m.add("openWindow", open);
            JsonArray layers = new JsonArray();
            List<LayerReference> references = lane.model().layers();
            JudgedWindow last = lane.lastJudged();
            for (int i = 0; i < references.size(); i++) {
                JsonObject l = new JsonObject();
                l.addProperty("layer", references.get(i).name());
                if (last == null) {
                    l.addProperty("state", AlarmState.OK.name());
                } else {
                    LayerVerdict layer = last.verdict().layers().get(i);
                    l.addProperty("state", layer.drift().state().name());
                    addFinite(l, "varianceShift", layer.statistics().varianceShift());
                    addFinite(l, "driftScore", layer.drift().score());
                    addFinite(l, "driftThreshold", layer.drift().threshold());
                }
                layers.add(l);
            }
            m.add("layers", layers);
            if (last != null) {
                m.addProperty("modelState", last.verdict().model().state().name());
                m.addProperty("predictionMixState", last.verdict().predictionMix().state().name());
                lane.model().reference().calibration()
                        .ifPresent(c -> falseAlarmPace(m, last.window(), c.falseAlarmRate(), lane.enterAfter()));
            }
            list.add(m);
        }
        JsonObject s = new JsonObject();
        s.add("models", list);
        json = s.toString();
        notLoaded = Set.copyOf(missing);
    }

    /**
     * The expected time between false alarms at the observed traffic rate (the last window's length):
     * a clean window is over with probability α, so one every window/α; the model alarm needs
     * enterAfter consecutive over windows (α^enterAfter per window, independent windows) or a CUSUM
     * signal (one per {@link Cusum#DEFAULT_ARL} windows).
     */
    private static void falseAlarmPace(JsonObject m, ClosedWindow window, double alpha, int enterAfter) {
        double seconds = Duration.between(window.openedAt(), window.closedAt()).toNanos() / 1e9;
        if (!(seconds > 0)) {
            return;
        }
        JsonObject pace = new JsonObject();
        pace.addProperty("windowSeconds", seconds);
        pace.addProperty("falseAlarmRatePerWindow", alpha);
        pace.addProperty("expectedSecondsBetweenFalseOverWindows", seconds / alpha);
        pace.addProperty("expectedSecondsBetweenFalseModelAlarms",
                seconds / (Math.pow(alpha, enterAfter) + 1 / Cusum.DEFAULT_ARL));
        m.add("falseAlarms", pace);
    }

    String json() {
        return json;
    }

    Set<String> notLoaded() {
        return notLoaded;
    }

    private static void addFinite(JsonObject o, String name, double v) {
        if (Double.isFinite(v)) {
            o.addProperty(name, v);
        }
    }
}
