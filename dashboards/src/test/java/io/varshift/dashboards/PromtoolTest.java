package io.varshift.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Prometheus files as Prometheus itself judges them. */
class PromtoolTest {

    @Test
    void scrapeConfigIsValidAndFindsItsRuleFiles() {
        Promtool.Result result = Promtool.run(DashboardFiles.ROOT, "check", "config", DashboardFiles.PROMETHEUS_CONFIG.toString());
        assertThat(result.ok()).as(result.output()).isTrue();
        assertThat(result.output()).contains("2 rule files found");
    }

    @Test
    void recordingAndAlertingRulesAreValid() {
        Promtool.Result result = Promtool.run(DashboardFiles.ROOT, "check", "rules",
                DashboardFiles.RECORDING_RULES.toString(), DashboardFiles.ALERT_RULES.toString());
        assertThat(result.ok()).as(result.output()).isTrue();
    }

    @Test
    void ruleUnitTestsPass() {
        List<String> args = new ArrayList<>(List.of("test", "rules"));
        DashboardFiles.ruleTests().forEach(f -> args.add(f.toString()));
        assertThat(args).hasSizeGreaterThan(2);
        Promtool.Result result = Promtool.run(DashboardFiles.RULE_TESTS, args.toArray(String[]::new));
        assertThat(result.ok()).as(result.output()).isTrue();
        assertThat(result.output()).doesNotContain("FAILED");
    }

    /** Grafana cannot be run here, so each panel query is checked by Prometheus' own parser instead. */
    @Test
    void everyDashboardQueryIsValidPromQl(@TempDir Path dir) throws IOException {
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
        List<String> exprs = GrafanaDashboard.load().allExprs();
        for (int i = 0; i < exprs.size(); i++) {
            rules.append("      - record: dashboard:query_").append(i).append('\n')
                    .append("        expr: '").append(GrafanaDashboard.withVariablesSelectingAll(exprs.get(i)).replace("'", "''"))
                    .append("'\n");
        }
        Path file = dir.resolve("dashboard-queries.yml");
        Files.writeString(file, rules);
        Promtool.Result result = Promtool.run(dir, "check", "rules", file.toString());
        assertThat(result.ok()).as(rules + "\n" + result.output()).isTrue();
        assertThat(result.output()).contains(exprs.size() + " rules found");
    }

    /** promtool must reject a broken file, or the checks above prove nothing. */
    @Test
    void promtoolRejectsABrokenRule(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broken.yml");
        Files.writeString(file, "groups:\n  - name: g\n    rules:\n      - record: a:b:c\n        expr: sum(rate(x[5m])\n");
        assertThat(Promtool.run(dir, "check", "rules", file.toString()).ok()).isFalse();
    }
}
