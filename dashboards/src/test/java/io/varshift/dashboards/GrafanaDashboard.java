package io.varshift.dashboards;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/** Read-only view of the Grafana dashboard JSON: panels (rows unfolded), their queries, variables. */
record GrafanaDashboard(JsonNode root) {

    /** {@code $name}, {@code ${name}} or {@code ${name:format}}; Grafana's own start with {@code __}. */
    static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?}?");

    static GrafanaDashboard load() {
        return new GrafanaDashboard(DashboardFiles.json(DashboardFiles.DASHBOARD));
    }

    /** Every panel, including those nested in collapsed rows; rows themselves are not panels. */
    List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : root.path("panels")) {
            if ("row".equals(panel.path("type").asText())) {
                panel.path("panels").forEach(panels::add);
            } else {
                panels.add(panel);
            }
        }
        return panels;
    }

    List<JsonNode> variables() {
        List<JsonNode> variables = new ArrayList<>();
        root.path("templating").path("list").forEach(variables::add);
        return variables;
    }

    /** Prometheus annotation queries (the built-in Grafana annotation has none). */
    List<JsonNode> queryAnnotations() {
        List<JsonNode> annotations = new ArrayList<>();
        root.path("annotations").path("list").forEach(a -> {
            if (a.hasNonNull("expr")) {
                annotations.add(a);
            }
        });
        return annotations;
    }

    /** The PromQL expressions of the panels' queries. */
    List<String> panelExprs() {
        List<String> exprs = new ArrayList<>();
        panels().forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
        return exprs;
    }

    /** Every PromQL expression the dashboard sends: panel queries and annotation queries. */
    List<String> allExprs() {
        List<String> exprs = panelExprs();
        queryAnnotations().forEach(a -> exprs.add(a.path("expr").asText()));
        return exprs;
    }

    /** Names of the variables an expression refers to, Grafana's built-ins ({@code __...}) left out. */
    static Set<String> variablesIn(String expr) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = VARIABLE.matcher(expr);
        while (m.find()) {
            if (!m.group(1).startsWith("__")) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The expression as Grafana sends it with "All" selected for every variable (allValue {@code .+}). */
    static String withVariablesSelectingAll(String expr) {
        return VARIABLE.matcher(expr).replaceAll(".+");
    }
}
