package io.varshift.trainer.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import io.varshift.core.json.Json;
import io.varshift.trainer.report.StoredResult;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The detector benchmark's report, generated from a stored {@code detectors.json} alone: the clean
 * false-alarm rates, the detection table, the recovery table, two charts, and a reading whose every
 * sentence is computed from the numbers.
 */
public final class DetectorReport {

    /** A corruption "costs accuracy" from this many points on. */
    static final double COSTLY_DROP_POINTS = 2;
    /** "Detected": an alarm within the trial with at least this probability. */
    static final double DETECTED = 0.9;
    /** Where a detection that never came is drawn on the delay axis. */
    private static final double NEVER = 6;
    private static final double SERIES_OFFSET = 0.12;
    private static final int CHART_WIDTH = 900;
    private static final int CHART_HEIGHT = 560;

    private final JsonNode json;

    public DetectorReport(JsonNode json) {
        this.json = json;
    }

    /** @throws IllegalArgumentException when the file is not a benchmark result */
    public static DetectorReport read(Path file) {
        return new DetectorReport(StoredResult.read(file, "benchmark-detectors", "detectors.json", "cells",
                "detectors"));
    }

    /**
     * Writes the markdown and its charts ({@code NAME-delay.png}, {@code NAME-recovery.png}) beside it.
     *
     * @param grid the corruption grid PNG, written as {@code NAME-corruptions.png}; null to leave it out
     * @return the chart paths
     */
    public List<Path> write(Path markdown, String source, byte[] grid) {
        String name = markdown.getFileName().toString();
        if (!name.endsWith(".md")) {
            throw new IllegalArgumentException("report " + markdown + " must name a .md file");
        }
        String stem = name.substring(0, name.length() - 3);
        Path delay = markdown.resolveSibling(stem + "-delay.png");
        Path recovery = markdown.resolveSibling(stem + "-recovery.png");
        Path corruptions = markdown.resolveSibling(stem + "-corruptions.png");
        try {
            if (markdown.getParent() != null) {
                Files.createDirectories(markdown.getParent());
            }
            Files.write(delay, png(delayChart()));
            Files.write(recovery, png(recoveryChart()));
            if (grid != null) {
                Files.write(corruptions, grid);
            }
            Files.writeString(markdown, markdown(source, delay.getFileName().toString(),
                    recovery.getFileName().toString(), Files.exists(corruptions)
                            ? corruptions.getFileName().toString() : null), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the detector report " + markdown + ": " + e.getMessage(), e);
        }
        return List.of(delay, recovery);
    }

    /** The false-alarm and detection tables as text, for the console. */
    public String consoleTables() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-16s %10s %24s %10s%n", "detector", "threshold", "clean rate [95% CI]",
                "ms/window"));
        for (JsonNode d : detectors()) {
            b.append(String.format(Locale.ROOT, "%-16s %10.3f %8.4f [%.4f,%.4f] %10.2f%n", d.get("name").asText(),
                    d.get("threshold").asDouble(), d.get("cleanRate").asDouble(),
                    d.get("cleanLower").asDouble(), d.get("cleanUpper").asDouble(),
                    d.get("msPerWindow").asDouble()));
        }
        b.append('\n');
        b.append(String.format(Locale.ROOT, "%-12s %5s %7s", "shift", "sev", "drop"));
        for (String d : detectionNames()) {
            b.append(String.format(Locale.ROOT, " %14s", d));
        }
        b.append('\n');
        for (JsonNode c : cells()) {
            b.append(String.format(Locale.ROOT, "%-12s %5.2f %7.2f", c.get("shift").asText(),
                    c.get("severity").asDouble(), c.get("accuracyDropPoints").asDouble()));
            for (String d : detectionNames()) {
                JsonNode o = c.get("detection").get(d);
                b.append(String.format(Locale.ROOT, " %9.2f (%s)", o.get("alarmWithin").asDouble(), delay(o)));
            }
            b.append('\n');
        }
        return b.toString();
    }

    String markdown(String source, String delayChart, String recoveryChart, String corruptionGrid) {
        JsonNode config = json.get("config");
        JsonNode split = json.get("split");
        double alpha = config.get("alpha").asDouble();
        int window = config.get("windowSize").asInt();
        StringBuilder b = new StringBuilder();
        b.append("# Detector benchmark\n\n");
        b.append("Generated by `./varshift trainer benchmark-detectors` from `").append(source)
                .append("`; do not edit by hand: rerun the command (`--report-from FILE` rewrites this page from the"
                        + " stored JSON alone).\n\n");
        b.append(String.format(Locale.ROOT, "Model `%s` v%d, config `%s`: windows of %d images, per-window α = %s,"
                        + " %d trials of %d corrupted windows per corruption and severity (after %d clean windows"
                        + " for the CUSUM). The calibration used %d images (%d held-out test images, %d held-back"
                        + " training images); every rate below is measured on %d test images it never saw"
                        + " (clean accuracy %.4f).%n%n",
                json.get("model").asText(), json.get("version").asInt(), config.get("name").asText(),
                window, alpha, config.get("trials").asInt(), config.get("windowsPerTrial").asInt(),
                config.get("warmupWindows").asInt(), split.get("calibrationSamples").asInt(),
                split.get("heldOutTestSamples").asInt(), split.get("validationSamples").asInt(),
                split.get("unseenSamples").asInt(), json.get("unseen").get("accuracy").asDouble()));
        b.append("## The detectors\n\n");
        b.append("| detector | what it tests |\n| --- | --- |\n");
        for (JsonNode d : detectors()) {
            b.append("| `").append(d.get("name").asText()).append("` | ").append(d.get("description").asText())
                    .append(" |\n");
        }
        b.append("| `varshift-cusum` | the CUSUM over Varshift's window scores (in-control ARL ")
                .append(String.format(Locale.ROOT, "%.0f", config.get("cusumArl").asDouble()))
                .append(" windows) |\n\n");
        b.append("Every peer's reference is all the calibration images. Its threshold is its (1 − α) quantile over ")
                .append(config.get("calibrationWindows"))
                .append(" windows of those images, each scored against the rest of them (a random split of i.i.d."
                        + " images gives two independent samples, so these scores follow the null of a fresh window"
                        + " against the reference; windows from a separate fixed pool would carry that pool's own"
                        + " offset in every window). Varshift keeps the calibration stored with the model.\n\n");
        b.append("## Clean false-alarm rates\n\n");
        b.append(String.format(Locale.ROOT, "%d clean windows of unseen images. The comparison is fair when every"
                + " rate lies within [0.5α, 2α] = [%s, %s].%n%n", detectors().get(0).get("cleanWindows").asInt(),
                fmt(alpha / 2), fmt(2 * alpha)));
        b.append("| detector | threshold (−log10 p; MMD²) | clean rate | 95 % interval | within [0.5α, 2α] | own decision (p < α) |"
                + " statistic ms/window |\n| --- | ---: | ---: | --- | --- | ---: | ---: |\n");
        List<String> unfair = new ArrayList<>();
        for (JsonNode d : detectors()) {
            double rate = d.get("cleanRate").asDouble();
            boolean fair = rate >= alpha / 2 && rate <= 2 * alpha;
            if (!fair) {
                unfair.add(d.get("name").asText());
            }
            String own = d.has("ownDecisionRate") ? fmt(d.get("ownDecisionRate").asDouble())
                    + (d.has("ownDecisionWindows") ? " (" + d.get("ownDecisionWindows").asInt() + " windows)" : "")
                    : "—";
            b.append(String.format(Locale.ROOT, "| `%s` | %.4g | %s | [%s, %s] | %s | %s | %.2f |%n",
                    d.get("name").asText(), d.get("threshold").asDouble(), fmt(rate),
                    fmt(d.get("cleanLower").asDouble()), fmt(d.get("cleanUpper").asDouble()),
                    fair ? "yes" : "**no**", own, d.get("msPerWindow").asDouble()));
        }
        JsonNode forward = json.get("forward");
        b.append(String.format(Locale.ROOT, "%nEvery detector starts from the model's forward: %.1f ms per window of %d"
                        + " without probes, %.1f ms with the BN probes, cell means, penultimate features and softmax"
                        + " kept (what this benchmark runs; the agent's own probe cost is in agent.md).%n%n",
                forward.get("plainMsPerWindow").asDouble(), window,
                forward.get("measuredMsPerWindow").asDouble()));
        b.append(unfair.isEmpty() ? "Every detector's clean rate is within [0.5α, 2α].\n\n"
                : "Outside [0.5α, 2α]: " + String.join(", ", unfair) + "; their detection figures are not on equal"
                        + " terms.\n\n");
        if (corruptionGrid != null) {
            b.append("## The corruption suite\n\n![one test image under every corruption and severity](")
                    .append(corruptionGrid).append(")\n\n");
        }
        b.append("## Detection\n\n");
        b.append(String.format(Locale.ROOT, "P(alarm within %d windows), median delay in windows in brackets (— when"
                + " more than half the trials never alarm).%n%n", config.get("windowsPerTrial").asInt()));
        b.append("| corruption | severity | accuracy | drop (points) |");
        detectionNames().forEach(d -> b.append(" `").append(d).append("` |"));
        b.append("\n| --- | ---: | ---: | ---: |");
        detectionNames().forEach(d -> b.append(" ---: |"));
        b.append('\n');
        for (JsonNode c : cells()) {
            b.append(String.format(Locale.ROOT, "| %s | %.2f | %.4f | %.2f |", c.get("shift").asText(),
                    c.get("severity").asDouble(), c.get("accuracy").asDouble(),
                    c.get("accuracyDropPoints").asDouble()));
            for (String d : detectionNames()) {
                JsonNode o = c.get("detection").get(d);
                b.append(String.format(Locale.ROOT, " %.2f (%s) |", o.get("alarmWithin").asDouble(), delay(o)));
            }
            b.append('\n');
        }
        b.append("\n![median delay against accuracy drop, per detector](").append(delayChart).append(")\n\n");
        b.append("## Label-free recovery\n\n");
        b.append("Accuracy on each corrupted pool after re-estimating every BN layer's running statistics (Adjust BN)"
                + " on N unlabeled images drawn from it, against no adaptation and against re-estimation on the whole"
                + " pool; accuracy is measured on the whole pool.\n\n");
        List<String> sizes = recoveryKeys();
        b.append("| corruption | severity | no adaptation |");
        sizes.forEach(s -> b.append(" N = ").append(s).append(" |"));
        b.append("\n| --- | ---: | ---: |");
        sizes.forEach(s -> b.append(" ---: |"));
        b.append('\n');
        for (JsonNode c : cells()) {
            JsonNode r = c.get("recovery");
            b.append(String.format(Locale.ROOT, "| %s | %.2f | %.4f |", c.get("shift").asText(),
                    c.get("severity").asDouble(), r.get("none").asDouble()));
            for (String s : sizes) {
                b.append(r.has(s) ? String.format(Locale.ROOT, " %.4f |", r.get(s).asDouble()) : " — |");
            }
            b.append('\n');
        }
        b.append("\n![mean accuracy over the corruptions per severity, by adaptation size](").append(recoveryChart)
                .append(")\n\n");
        b.append("## Reading\n\n").append(reading(alpha));
        return b.toString();
    }

    /** Sentences computed from the table: wins, losses and recovery, for a user choosing a monitor. */
    String reading(double alpha) {
        StringBuilder b = new StringBuilder();
        List<JsonNode> costly = cells().stream().filter(c -> c.get("accuracyDropPoints").asDouble()
                >= COSTLY_DROP_POINTS).toList();
        b.append(String.format(Locale.ROOT, "- %d of %d corruption settings cost at least %.0f points of accuracy."
                + " Detected (P ≥ %.1f within the trial) among them:", costly.size(), cells().size(),
                COSTLY_DROP_POINTS, DETECTED));
        for (String d : detectionNames()) {
            long n = costly.stream().filter(detected(d)).count();
            b.append(String.format(Locale.ROOT, " `%s` %d,", d, n));
        }
        b.setLength(b.length() - 1);
        b.append(".\n");
        List<String> varshiftMisses = new ArrayList<>();
        Map<String, List<String>> peerWins = new LinkedHashMap<>();
        for (JsonNode c : costly) {
            boolean ours = detected(VarshiftDetector.NAME).test(c) || detected(VarshiftDetector.NAME + "-cusum").test(c);
            if (!ours) {
                varshiftMisses.add(label(c));
                for (String d : detectionNames()) {
                    if (!d.startsWith(VarshiftDetector.NAME) && detected(d).test(c)) {
                        peerWins.computeIfAbsent(d, k -> new ArrayList<>()).add(label(c));
                    }
                }
            }
        }
        b.append(varshiftMisses.isEmpty()
                ? "- Varshift (per-window or CUSUM) detects every setting that costs accuracy.\n"
                : "- Costly settings Varshift (per-window and CUSUM) misses: " + String.join(", ", varshiftMisses)
                        + ".\n");
        peerWins.forEach((d, list) -> b.append("- Of those, `").append(d).append("` detects: ")
                .append(String.join(", ", list)).append(".\n"));
        List<String> peerMisses = new ArrayList<>();
        for (JsonNode c : costly) {
            if (detected(VarshiftDetector.NAME).test(c)) {
                List<String> missing = new ArrayList<>();
                for (String d : detectionNames()) {
                    if (!d.startsWith(VarshiftDetector.NAME) && !detected(d).test(c)) {
                        missing.add(d);
                    }
                }
                if (missing.size() == detectionNames().size() - 2) {
                    peerMisses.add(label(c));
                }
            }
        }
        b.append(peerMisses.isEmpty() ? "- No costly setting is detected by Varshift alone.\n"
                : "- Costly settings only Varshift detects (every peer misses): " + String.join(", ", peerMisses)
                        + ".\n");
        List<JsonNode> harmless = cells().stream().filter(c -> c.get("accuracyDropPoints").asDouble()
                < COSTLY_DROP_POINTS).toList();
        b.append(String.format(Locale.ROOT, "- Of the %d settings that cost less than %.0f points, detected:",
                harmless.size(), COSTLY_DROP_POINTS));
        for (String d : detectionNames()) {
            b.append(String.format(Locale.ROOT, " `%s` %d,", d, harmless.stream().filter(detected(d)).count()));
        }
        b.setLength(b.length() - 1);
        b.append(" (an alarm there is a change a user may or may not want to hear of).\n");
        List<String> sizes = recoveryKeys();
        b.append("- Recovery, mean accuracy over the costly settings: no adaptation ")
                .append(String.format(Locale.ROOT, "%.4f", mean(costly, "none")));
        for (String s : sizes) {
            b.append(String.format(Locale.ROOT, ", N = %s: %.4f", s, mean(costly, s)));
        }
        b.append(".\n");
        long hurt = costly.stream().filter(c -> {
            JsonNode r = c.get("recovery");
            return r.get("all").asDouble() < r.get("none").asDouble();
        }).count();
        b.append(String.format(Locale.ROOT, "- Re-estimating on the whole pool lowers accuracy in %d of the %d costly"
                + " settings.%n", hurt, costly.size()));
        return b.toString();
    }

    private static String label(JsonNode c) {
        return String.format(Locale.ROOT, "%s %.2f (−%.1f pt)", c.get("shift").asText(),
                c.get("severity").asDouble(), c.get("accuracyDropPoints").asDouble());
    }

    private static Predicate<JsonNode> detected(String detector) {
        return c -> c.get("detection").get(detector).get("alarmWithin").asDouble()
                >= DETECTED;
    }

    private static double mean(List<JsonNode> cells, String key) {
        return cells.stream().filter(c -> c.get("recovery").has(key))
                .mapToDouble(c -> c.get("recovery").get(key).asDouble()).average().orElse(Double.NaN);
    }

    /** Median delay against accuracy drop, one series per detector; never detected at {@value #NEVER}. */
    JFreeChart delayChart() {
        XYSeriesCollection data = new XYSeriesCollection();
        List<String> names = detectionNames();
        for (int i = 0; i < names.size(); i++) {
            XYSeries series = new XYSeries(names.get(i));
            // Each detector's points sit a little above or below the whole delays, so that equal delays stay visible.
            double offset = (i - (names.size() - 1) / 2.0) * SERIES_OFFSET;
            for (JsonNode c : cells()) {
                JsonNode o = c.get("detection").get(names.get(i));
                double drop = Math.max(0, c.get("accuracyDropPoints").asDouble());
                series.add(drop, (never(o) ? NEVER : o.get("medianDelay").asDouble()) + offset);
            }
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createScatterPlot("Median detection delay vs accuracy cost, "
                        + json.get("model").asText() + " v" + json.get("version").asInt() + " (" + (int) NEVER
                        + " = not within the trial; detectors offset by " + SERIES_OFFSET + ")",
                "accuracy drop (points)", "median delay (windows)", data, PlotOrientation.VERTICAL, true, false,
                false);
        chart.getXYPlot().getRangeAxis().setRange(0.5, NEVER + 0.5);
        chart.getXYPlot().setBackgroundPaint(Color.WHITE);
        chart.getXYPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
        chart.getXYPlot().setDomainGridlinePaint(Color.LIGHT_GRAY);
        return chart;
    }

    /** Mean accuracy over the corruptions per severity, one line per adaptation. */
    JFreeChart recoveryChart() {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        List<String> keys = new ArrayList<>();
        keys.add("none");
        keys.addAll(recoveryKeys());
        Map<Double, List<JsonNode>> bySeverity = new LinkedHashMap<>();
        cells().forEach(c -> bySeverity.computeIfAbsent(c.get("severity").asDouble(), k -> new ArrayList<>()).add(c));
        for (String key : keys) {
            String series = key.equals("none") ? "no adaptation" : "N = " + key;
            bySeverity.forEach((severity, list) -> data.addValue(mean(list, key), series,
                    String.format(Locale.ROOT, "%.2f", severity)));
        }
        JFreeChart chart = ChartFactory.createLineChart("Accuracy after BN re-estimation on N unlabeled corrupted"
                        + " images (mean over corruptions)", "severity", "accuracy", data, PlotOrientation.VERTICAL,
                true, false, false);
        chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) chart.getCategoryPlot().getRangeAxis()).setAutoRangeIncludesZero(false);
        return chart;
    }

    private static byte[] png(JFreeChart chart) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, CHART_WIDTH, CHART_HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render a benchmark chart: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private static String delay(JsonNode detection) {
        return never(detection) ? "—" : detection.get("medianDelay").asText();
    }

    /** No median delay: more than half the trials never alarm (stored as null, or left out of the JSON). */
    private static boolean never(JsonNode detection) {
        return !detection.has("medianDelay") || detection.get("medianDelay").isNull();
    }

    private static String fmt(double rate) {
        return String.format(Locale.ROOT, "%.4f", rate);
    }

    private List<JsonNode> detectors() {
        List<JsonNode> out = new ArrayList<>();
        json.get("detectors").forEach(out::add);
        return out;
    }

    private List<JsonNode> cells() {
        List<JsonNode> out = new ArrayList<>();
        json.get("cells").forEach(out::add);
        return out;
    }

    /** The detection columns in the order the first cell lists them (Varshift, its CUSUM, the peers). */
    List<String> detectionNames() {
        List<String> names = new ArrayList<>();
        cells().get(0).get("detection").fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The recovery sizes in the stored order, then "all". */
    private List<String> recoveryKeys() {
        List<String> keys = new ArrayList<>();
        json.get("config").get("recoverySizes").forEach(e -> keys.add(e.asText()));
        keys.add("all");
        return keys;
    }
}
