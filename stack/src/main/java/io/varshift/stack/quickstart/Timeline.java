package io.varshift.stack.quickstart;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.varshift.core.json.Json;

/**
 * What the agent published during a quickstart run, read back from its window-results and alerts
 * topics, with each window placed in the clean or the shifted phase by the traffic offsets it covers.
 */
final class Timeline {

    enum Phase { CLEAN, SHIFTED, MIXED }

    record LayerPoint(String layer, double varianceRatio, double varianceShift, double driftScore,
            double driftThreshold, String state) {
    }

    /** @param closedAt when the agent closed it (ISO-8601), or null when the record does not say */
    record Window(long number, String version, long samples, Phase phase, List<LayerPoint> layers, String closedAt) {
        boolean alarmed() {
            return layers.stream().anyMatch(l -> "ALARM".equals(l.state()));
        }
    }

    record Alert(long windowNumber, String layer, String from, String to, double value, double threshold) {
    }

    /** One audited step of the trainer's remediation loop (quickstart --remediate). */
    record Step(String at, String step, JsonNode detail) {
    }

    private final String trafficTopic;
    private final long onsetOffset;
    private final List<Window> windows = new ArrayList<>();
    private final List<Alert> alerts = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();

    /** @param onsetOffset first traffic offset (partition 0) that carries the shift */
    Timeline(String trafficTopic, long onsetOffset) {
        this.trafficTopic = trafficTopic;
        this.onsetOffset = onsetOffset;
    }

    void addWindow(JsonNode json) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (JsonNode range : json.get("offsets")) {
            if (trafficTopic.equals(range.get("topic").asText())) {
                first = Math.min(first, range.get("first").asLong());
                last = Math.max(last, range.get("last").asLong());
            }
        }
        Phase phase = last < onsetOffset ? Phase.CLEAN : first >= onsetOffset ? Phase.SHIFTED : Phase.MIXED;
        List<LayerPoint> layers = new ArrayList<>();
        for (JsonNode l : json.get("layers")) {
            layers.add(new LayerPoint(l.get("layer").asText(), number(l, "varianceRatio"),
                    number(l, "varianceShift"), number(l, "driftScore"), number(l, "driftThreshold"),
                    l.get("state").asText()));
        }
        windows.add(new Window(json.get("windowNumber").asLong(), json.get("version").asText(),
                json.get("samples").asLong(), phase, layers, json.hasNonNull("closedAt") ? json.get("closedAt").asText() : null));
    }

    /** Layer alerts name their layer; model-level ones (kind model, prediction-mix) are shown by kind. */
    void addAlert(JsonNode json) {
        String kind = json.has("kind") ? json.get("kind").asText() : "layer";
        String subject = "layer".equals(kind) ? json.get("layer").asText() : "[" + kind + "]";
        alerts.add(new Alert(json.get("windowNumber").asLong(), subject,
                json.get("from").asText(), json.get("to").asText(), number(json, "value"),
                number(json, "threshold")));
    }

    /** A record of the remediation audit topic. */
    void addStep(JsonNode json) {
        steps.add(new Step(json.get("at").asText(), json.get("step").asText(),
                json.path("detail").isObject() ? json.get("detail") : Json.object()));
    }

    List<Step> steps() {
        return steps;
    }

    /** The version the loop published, or null when it published none. */
    String promotedVersion() {
        return steps.stream().filter(s -> "promoted".equals(s.step()) && s.detail().has("version"))
                .map(s -> s.detail().get("version").asText()).findFirst().orElse(null);
    }

    /** Whether the last window of {@code version} has every layer OK and inside its threshold. */
    boolean recoveredOn(String version) {
        List<Window> judged = windows.stream().filter(w -> w.version().equals(version)).toList();
        return !judged.isEmpty() && judged.get(judged.size() - 1).layers().stream()
                .allMatch(l -> "OK".equals(l.state()) && l.driftScore() <= l.driftThreshold());
    }

    long samples() {
        return windows.stream().mapToLong(Window::samples).sum();
    }

    List<Window> windows() {
        return windows;
    }

    List<Alert> alerts() {
        return alerts;
    }

    List<String> layerNames() {
        Set<String> names = new LinkedHashSet<>();
        windows.forEach(w -> w.layers().forEach(l -> names.add(l.layer())));
        return List.copyOf(names);
    }

    boolean alarmIn(Phase phase) {
        return windows.stream().anyMatch(w -> w.phase() == phase && w.alarmed());
    }

    /** Layers in ALARM in any shifted window. */
    Set<String> alarmedLayers() {
        Set<String> names = new LinkedHashSet<>();
        windows.stream().filter(w -> w.phase() != Phase.CLEAN)
                .forEach(w -> w.layers().stream().filter(l -> "ALARM".equals(l.state())).forEach(l -> names.add(l.layer())));
        return names;
    }

    /** Window number of the first shifted window, or -1. */
    long onsetWindow() {
        return windows.stream().filter(w -> w.phase() != Phase.CLEAN).mapToLong(Window::number).min().orElse(-1);
    }

    private static double number(JsonNode o, String name) {
        JsonNode e = o.get(name);
        return e == null || e.isNull() ? Double.NaN : e.asDouble();
    }
}
