package io.varshift.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Structural checks standing in for a Grafana import: panels, queries, variables, datasource input. */
class GrafanaDashboardTest {

    private static final String DATASOURCE_INPUT = "${DS_PROMETHEUS}";
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)");

    private final GrafanaDashboard dashboard = GrafanaDashboard.load();

    @Test
    void isAnImportableDashboardWithAPrometheusDatasourceInput() {
        JsonNode root = dashboard.root();
        assertThat(root.path("schemaVersion").asInt()).isBetween(36, 41);
        assertThat(root.path("uid").asText()).isNotBlank();
        assertThat(root.path("title").asText()).isNotBlank();
        assertThat(root.path("id").isNull()).as("an exported dashboard has id null").isTrue();
        JsonNode inputs = root.path("__inputs");
        assertThat(inputs).hasSize(1);
        assertThat(inputs.get(0).path("name").asText()).isEqualTo("DS_PROMETHEUS");
        assertThat(inputs.get(0).path("type").asText()).isEqualTo("datasource");
        assertThat(inputs.get(0).path("pluginId").asText()).isEqualTo("prometheus");
    }

    @Test
    void everyDatasourceReferenceUsesTheInputVariable() {
        List<String> offenders = new ArrayList<>();
        collectDatasources(dashboard.root(), "$", offenders);
        assertThat(offenders).as("datasource references not bound to " + DATASOURCE_INPUT).isEmpty();
    }

    private static void collectDatasources(JsonNode node, String path, List<String> offenders) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                String where = path + "." + e.getKey();
                if (e.getKey().equals("datasource") && !isInputOrGrafanaBuiltIn(e.getValue())) {
                    offenders.add(where + " = " + e.getValue());
                }
                collectDatasources(e.getValue(), where, offenders);
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectDatasources(node.get(i), path + "[" + i + "]", offenders);
            }
        }
    }

    private static boolean isInputOrGrafanaBuiltIn(JsonNode datasource) {
        String uid = datasource.path("uid").asText();
        return DATASOURCE_INPUT.equals(uid) && "prometheus".equals(datasource.path("type").asText())
                || "-- Grafana --".equals(uid) && "grafana".equals(datasource.path("type").asText());
    }

    @Test
    void everyPanelHasATitleAUniqueIdAndQueriesWithExpressions() {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.panels()) {
            String title = panel.path("title").asText();
            assertThat(title).isNotBlank();
            assertThat(ids.add(panel.path("id").asInt())).as("duplicate panel id in " + title).isTrue();
            assertThat(panel.path("targets")).as("targets of " + title).isNotEmpty();
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as("expr of a target in " + title).isNotBlank();
                assertThat(refIds.add(target.path("refId").asText())).as("duplicate refId in " + title).isTrue();
            }
        }
    }

    @Test
    void panelsLieOnTheGridWithoutOverlapping() {
        List<JsonNode> panels = dashboard.panels();
        for (JsonNode p : panels) {
            JsonNode g = p.path("gridPos");
            assertThat(g.path("x").asInt() + g.path("w").asInt()).as("right edge of " + p.path("title")).isLessThanOrEqualTo(24);
            assertThat(g.path("w").asInt()).isPositive();
            assertThat(g.path("h").asInt()).isPositive();
        }
        for (int i = 0; i < panels.size(); i++) {
            for (int j = i + 1; j < panels.size(); j++) {
                assertThat(overlap(panels.get(i).path("gridPos"), panels.get(j).path("gridPos")))
                        .as(panels.get(i).path("title") + " overlaps " + panels.get(j).path("title")).isFalse();
            }
        }
    }

    private static boolean overlap(JsonNode a, JsonNode b) {
        return a.path("x").asInt() < b.path("x").asInt() + b.path("w").asInt()
                && b.path("x").asInt() < a.path("x").asInt() + a.path("w").asInt()
                && a.path("y").asInt() < b.path("y").asInt() + b.path("h").asInt()
                && b.path("y").asInt() < a.path("y").asInt() + a.path("h").asInt();
    }

    @Test
    void modelAndLayerVariablesComeFromAgentLabelsAndAreUsed() {
        Map<String, JsonNode> variables = dashboard.variables().stream()
                .collect(Collectors.toMap(v -> v.path("name").asText(), v -> v));
        assertThat(variables).containsKeys("model", "layer");
        for (JsonNode v : variables.values()) {
            String name = v.path("name").asText();
            Matcher query = LABEL_VALUES.matcher(v.path("query").path("query").asText());
            assertThat(query.matches()).as("variable " + name + " is label_values(selector, label)").isTrue();
            assertThat(query.group(2)).as("label of variable " + name).isEqualTo(name);
            assertThat(MetricNames.in(query.group(1))).as("metric of variable " + name)
                    .isNotEmpty().isSubsetOf(MetricNames.DOCUMENTED);
            assertThat(v.path("datasource").path("uid").asText()).isEqualTo(DATASOURCE_INPUT);
        }
        Set<String> used = new HashSet<>();
        dashboard.allExprs().forEach(e -> used.addAll(GrafanaDashboard.variablesIn(e)));
        assertThat(used).as("variables used by panel queries").containsExactlyInAnyOrderElementsOf(variables.keySet());
    }

    @Test
    void theLayerVariableIsFilteredByTheSelectedModel() {
        JsonNode layer = dashboard.variables().stream().filter(v -> v.path("name").asText().equals("layer")).findFirst().orElseThrow();
        assertThat(GrafanaDashboard.variablesIn(layer.path("definition").asText())).containsExactly("model");
    }

    @Test
    void everyMetricReadIsDocumentedRecordedOrBuiltIn() {
        Set<String> recorded = recordedNames();
        Set<String> unknown = new LinkedHashSet<>();
        for (String expr : dashboard.allExprs()) {
            for (String name : MetricNames.in(expr)) {
                boolean known = MetricNames.isRecorded(name) ? recorded.contains(name)
                        : MetricNames.DOCUMENTED.contains(name) || MetricNames.PROMETHEUS_BUILT_IN.contains(name);
                if (!known) {
                    unknown.add(name + " in " + expr);
                }
            }
        }
        assertThat(unknown).as("metric names neither documented nor recorded in " + DashboardFiles.RECORDING_RULES).isEmpty();
    }

    @Test
    void theDashboardShowsEverySignalOperatorsNeed() {
        Set<String> read = new HashSet<>();
        dashboard.allExprs().forEach(e -> read.addAll(underlyingMetrics(e)));
        assertThat(read).contains(
                "varshift_layer_alarm_state", "varshift_layer_variance_ratio", "varshift_layer_variance_shift",
                "varshift_layer_drift_score", "varshift_layer_drift_threshold", "varshift_records_consumed_total",
                "varshift_records_rejected_total", "varshift_consumer_lag_records", "varshift_forward_seconds_bucket",
                "varshift_windows_closed_total");
    }

    @Test
    void theVarianceRatioPanelDrawsTheNoShiftLineAtOne() {
        JsonNode panel = dashboard.panels().stream()
                .filter(p -> MetricNames.in(p.path("targets").get(0).path("expr").asText()).contains("varshift_layer_variance_ratio"))
                .findFirst().orElseThrow();
        List<String> exprs = new ArrayList<>();
        panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText().replace(" ", "")));
        assertThat(exprs).contains("vector(1)");
    }

    private static Set<String> recordedNames() {
        return DashboardFiles.rules(DashboardFiles.RECORDING_RULES).stream()
                .map(r -> r.path("record").asText()).collect(Collectors.toSet());
    }

    /** Metric names an expression reads, with recording rules replaced by the metrics they read. */
    private static Set<String> underlyingMetrics(String expr) {
        Map<String, String> recording = DashboardFiles.rules(DashboardFiles.RECORDING_RULES).stream()
                .collect(Collectors.toMap(r -> r.path("record").asText(), r -> r.path("expr").asText()));
        Set<String> names = new HashSet<>();
        for (String name : MetricNames.in(expr)) {
            if (recording.containsKey(name)) {
                names.addAll(MetricNames.in(recording.get(name)));
            } else {
                names.add(name);
            }
        }
        return names;
    }
}
