package io.varshift.agent.loop;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.varshift.core.reference.LayerReference;
import io.varshift.core.shift.LayerStatistics;

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
            WindowVerdict last = lane.lastVerdict();
            for (int i = 0; i < references.size(); i++) {
                JsonObject l = new JsonObject();
                l.addProperty("layer", references.get(i).name());
                l.addProperty("state", lane.alarms().get(i).state().name());
                if (last != null) {
                    LayerStatistics s = last.layers().get(i).statistics();
                    addFinite(l, "varianceShift", s.varianceShift());
                    addFinite(l, "driftScore", s.driftScore());
                    addFinite(l, "driftThreshold", s.driftThreshold());
                }
                layers.add(l);
            }
            m.add("layers", layers);
            list.add(m);
        }
        JsonObject s = new JsonObject();
        s.add("models", list);
        json = s.toString();
        notLoaded = Set.copyOf(missing);
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
