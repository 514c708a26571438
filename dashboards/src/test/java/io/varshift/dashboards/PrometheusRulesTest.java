package io.varshift.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** What promtool does not check: conventions, metric names, and that every rule has unit tests. */
class PrometheusRulesTest {

    private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");

    private final List<JsonNode> alerts = DashboardFiles.rules(DashboardFiles.ALERT_RULES);
    private final List<JsonNode> recordings = DashboardFiles.rules(DashboardFiles.RECORDING_RULES);

    @Test
    void theSevenAlertsExist() {
        assertThat(alerts).extracting(a -> a.path("alert").asText())
                .containsExactlyInAnyOrder("VarianceShiftAlarm", "ModelDriftAlarm", "PredictionMixChanged",
                        "VarshiftAgentDown", "ConsumerLagGrowing", "DeadLetterRateHigh", "VarshiftAgentLoopRestarting");
    }

    @Test
    void everyAlertHasASeverityASummaryADescriptionAndARunbook() {
        for (JsonNode alert : alerts) {
            String name = alert.path("alert").asText();
            assertThat(alert.path("labels").path("severity").asText()).as("severity of " + name).isIn(SEVERITIES);
            for (String annotation : List.of("summary", "description", "runbook")) {
                assertThat(alert.path("annotations").path(annotation).asText()).as(annotation + " of " + name).isNotBlank();
            }
            assertThat(alert.path("for").asText()).as("for of " + name + " (no alert on a single evaluation)").isNotBlank();
        }
    }

    @Test
    void everyAlertHasFiringAndNotFiringUnitTests() {
        Set<String> firing = new HashSet<>();
        Set<String> silent = new HashSet<>();
        for (JsonNode testCase : testCases()) {
            for (JsonNode check : testCase.path("alert_rule_test")) {
                (check.path("exp_alerts").isEmpty() ? silent : firing).add(check.path("alertname").asText());
            }
        }
        Set<String> names = alerts.stream().map(a -> a.path("alert").asText()).collect(Collectors.toSet());
        assertThat(firing).as("alerts with a firing case").containsAll(names);
        assertThat(silent).as("alerts with a not-firing case").containsAll(names);
    }

    @Test
    void everyRecordingRuleFollowsTheNamingConventionAndIsUnitTested() {
        Set<String> tested = new HashSet<>();
        for (JsonNode testCase : testCases()) {
            testCase.path("promql_expr_test").forEach(t -> tested.addAll(MetricNames.in(t.path("expr").asText())));
        }
        for (JsonNode rule : recordings) {
            String name = rule.path("record").asText();
            assertThat(name).as("level:metric:operations").matches("[a-z_]+:[a-z_]+:[a-z0-9_]+");
            assertThat(tested).as("recording rules with a promql_expr_test").contains(name);
        }
    }

    @Test
    void rulesReadOnlyDocumentedMetricsAndExistingRecordings() {
        Set<String> recorded = recordings.stream().map(r -> r.path("record").asText()).collect(Collectors.toSet());
        Set<String> unknown = new LinkedHashSet<>();
        for (JsonNode rule : concat(alerts, recordings)) {
            for (String name : MetricNames.in(rule.path("expr").asText())) {
                boolean known = recorded.contains(name) || MetricNames.DOCUMENTED.contains(name)
                        || MetricNames.PROMETHEUS_BUILT_IN.contains(name);
                if (!known) {
                    unknown.add(name + " in " + rule.path("expr").asText().strip());
                }
            }
        }
        assertThat(unknown).isEmpty();
    }

    @Test
    void theScrapeConfigPointsAtTheAgentsMetricsEndpoint() {
        JsonNode config = DashboardFiles.yaml(DashboardFiles.PROMETHEUS_CONFIG);
        JsonNode job = config.path("scrape_configs").get(0);
        assertThat(job.path("job_name").asText()).isEqualTo("varshift-agent");
        assertThat(job.path("metrics_path").asText()).isEqualTo("/q/metrics");
        assertThat(job.path("static_configs").get(0).path("targets").get(0).asText()).isEqualTo("127.0.0.1:8090");
        assertThat(config.path("global").path("scrape_interval").asText()).isEqualTo("5s");
        assertThat(config.path("rule_files")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("rules/recording.yml", "rules/alerts.yml");
    }

    private static List<JsonNode> testCases() {
        return DashboardFiles.ruleTests().stream()
                .flatMap(f -> {
                    List<JsonNode> cases = new java.util.ArrayList<>();
                    DashboardFiles.yaml(f).path("tests").forEach(cases::add);
                    return cases.stream();
                }).toList();
    }

    private static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
