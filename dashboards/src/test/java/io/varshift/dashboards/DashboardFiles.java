package io.varshift.dashboards;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** The module's files as the tests see them, read from the module folder (surefire's {@code basedir}). */
final class DashboardFiles {

    static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    static final Path DASHBOARD = ROOT.resolve("grafana/varshift.json");
    static final Path PROMETHEUS_CONFIG = ROOT.resolve("prometheus/prometheus.yml");
    static final Path RECORDING_RULES = ROOT.resolve("prometheus/rules/recording.yml");
    static final Path ALERT_RULES = ROOT.resolve("prometheus/rules/alerts.yml");
    static final Path RULE_TESTS = ROOT.resolve("prometheus/tests");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private DashboardFiles() {
    }

    static JsonNode json(Path file) {
        return read(JSON, file);
    }

    static JsonNode yaml(Path file) {
        return read(YAML, file);
    }

    private static JsonNode read(ObjectMapper mapper, Path file) {
        try {
            return mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every rule of every group of a Prometheus rule file. */
    static List<JsonNode> rules(Path ruleFile) {
        List<JsonNode> rules = new ArrayList<>();
        yaml(ruleFile).path("groups").forEach(group -> group.path("rules").forEach(rules::add));
        return rules;
    }

    /** The promtool unit test files. */
    static List<Path> ruleTests() {
        try (Stream<Path> files = Files.list(RULE_TESTS)) {
            return files.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + RULE_TESTS + ": " + e.getMessage(), e);
        }
    }
}
