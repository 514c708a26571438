package io.varshift.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import io.varshift.core.json.Json;
import io.varshift.trainer.report.StoredResult;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

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

/**
 * Turns a stored evaluate-alarms JSON into the console table, the markdown report and its power
 * chart. Everything it says is read from the JSON, so that the report can be regenerated without
 * re-running the evaluation and never claims more than was measured.
 */
public final class AlarmReport {

    /** Shifts that cost at least this many points of accuracy must alarm with {@value #REQUIRED_POWER}. */
    static final double COSTLY_DROP_POINTS = 2;
    static final double REQUIRED_POWER = 0.9;
    static final int CHART_WIDTH = 1000;
    static final int CHART_HEIGHT = 560;

    private final JsonNode json;

    public AlarmReport(JsonNode json) {
        this.json = json;
    }

    /** @throws UncheckedIOException when the file cannot be read; IllegalArgumentException when it is not JSON */
    public static AlarmReport read(Path file) {
        return new AlarmReport(StoredResult.read(file, "evaluate-alarms", "alarms.json", "falseAlarms"));
    }

    /** The false-alarm table as fixed-width text, for the console. */
    public String falseAlarmTable() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-14s %6s %7s %7s %7s %-23s %-7s %-19s %9s%n", "order", "window", "alpha",
                "windows", "alarms", "rate [95% CI]", "<=2a", "per split min-max", "mix rate"));
        for (JsonNode c : cells()) {
            b.append(String.format(Locale.ROOT, "%-14s %6d %7.0e %7d %7d %-23s %-7s %-19s %9.4f%n",
                    c.get("order").asText(), c.get("windowSize").asInt(), c.get("alpha").asDouble(),
                    c.get("windows").asLong(), c.get("modelAlarms").asLong(), rateWithInterval(c), verdict(c),
                    splitRange(c), c.get("predictionMixRate").asDouble()));
        }
        return b.toString();
    }

    /** The power table as fixed-width text, for the console. */
    public String powerTable() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-11s %8s %7s %6s %11s %11s %9s %9s%n", "shift", "severity", "drop pt",
                "window", "P(win)", "P(cusum)", "delay win", "delay cus"));
        for (JsonNode s : shifts()) {
            for (JsonNode w : windows(s)) {
                JsonNode pw = w.get("perWindow");
                JsonNode sq = w.get("sequential");
                b.append(String.format(Locale.ROOT, "%-11s %8.2f %7.2f %6d %11.3f %11.3f %9s %9s%n",
                        s.get("shift").asText(), s.get("severity").asDouble(),
                        s.get("accuracyDropPoints").asDouble(), w.get("windowSize").asInt(),
                        pw.get("alarmWithin").asDouble(), sq.get("alarmWithin").asDouble(), delay(pw), delay(sq)));
            }
        }
        return b.toString();
    }

    /**
     * Writes the markdown report and, beside it, {@code <name>-power.png}.
     *
     * @param source how the JSON is named in the report (where it is stored)
     * @return the chart's path
     */
    public Path write(Path markdown, String source) {
        String name = markdown.getFileName().toString();
        if (!name.endsWith(".md")) {
            throw new IllegalArgumentException("report " + markdown + " must name a .md file");
        }
        Path chart = markdown.resolveSibling(name.substring(0, name.length() - 3) + "-power.png");
        try {
            if (markdown.getParent() != null) {
                Files.createDirectories(markdown.getParent());
            }
            Files.write(chart, chartPng());
            Files.writeString(markdown, markdown(source, chart.getFileName().toString()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the alarm report " + markdown + ": " + e.getMessage(), e);
        }
        return chart;
    }

    String markdown(String source, String chartFile) {
        JsonNode config = json.get("config");
        JsonNode calibration = json.get("calibration");
        JsonNode unseen = json.get("unseen");
        JsonNode power = json.get("power");
        StringBuilder b = new StringBuilder();
        b.append("# Alarm evaluation: false alarms, power and delay\n\n");
        b.append("Generated from `").append(source).append("` by `./varshift trainer evaluate-alarms --report-from ")
                .append(source).append("`; do not edit by hand: re-run the evaluation (`--model NAME --report FILE`)"
                        + " or this report step.\n\n");
        b.append("## What was measured\n\n");
        b.append(String.format(Locale.ROOT, "Model `%s` v%d. Its calibration used the first %d Fashion-MNIST test"
                        + " images (%d layers; window sizes %s; %s bootstrap replicates). The"
                        + " evaluation uses test images %d to %d (%d images the calibration never saw; clean accuracy"
                        + " %.4f), one eval pass over them, and composes windows from the per-sample sums and cell"
                        + " scores: within a window rows are drawn without replacement (within their class for the"
                        + " class orders, a class's rows starting a fresh pass only when the window has used them"
                        + " all), so that, over random pools, a window's mean varies around the population's as a"
                        + " live window's does (statistics.md). Config `%s`: %d windows per false-alarm cell in each"
                        + " split, %d power trials per cell.%n%n",
                json.get("model").asText(), json.get("version").asInt(),
                calibration.get("heldOutSamples").asInt(), calibration.get("layers").asInt(),
                calibration.get("windowSizes"), calibration.get("replicates"), unseen.get("from").asInt(),
                unseen.get("to").asInt(), unseen.get("samples").asInt(), unseen.get("accuracy").asDouble(),
                config.get("name").asText(), config.get("falseAlarmWindows").asInt(),
                config.get("powerTrials").asInt()));
        b.append("Orders: `shuffled` (i.i.d.); `runs-L` (same-TRUE-label runs of L images, run labels uniform,"
                + " the window starting anywhere in a run); `one-class-S` (one class, drawn per window, at share S,"
                + " the rest uniform). A window alarms when the model-level p-value is below α; the prediction-mix"
                + " column is the share of the same windows whose predicted-class counts test below α (label shift"
                + " is what it should see in skewed orders); the last three columns are the share of (window, layer)"
                + " pairs whose layer p-value is below α, for the layer's verdict (both tests, Bonferroni) and for"
                + " its channel-moment and cell score tests alone. Intervals are exact (Clopper–Pearson) 95 % over"
                + " the pooled windows and treat them as independent draws.\n\n");
        b.append(splitsParagraph());
        b.append("## False alarms on clean traffic\n\n");
        b.append("| order | window | α | windows | alarms | rate | 95 % interval | upper ≤ 2α | per split (min – max)"
                + " | prediction mix rate | layer-window rate | moment test | cell test |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (JsonNode c : cells()) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %s | %d | %d | %s | [%s, %s] | %s | %s | %s | %s | %s | %s |%n",
                    c.get("order").asText(), c.get("windowSize").asInt(), alpha(c.get("alpha").asDouble()),
                    c.get("windows").asLong(), c.get("modelAlarms").asLong(), rate(c.get("modelRate")),
                    rate(c.get("modelLower")), rate(c.get("modelUpper")), c.get("meetsUpperBound").asBoolean()
                            ? "yes" : "**no**", splitRange(c), rate(c.get("predictionMixRate")),
                    rate(c.get("layerWindowRate")),
                    rate(c.get("momentTestRate")), rate(c.get("cellTestRate"))));
        }
        b.append('\n').append(falseAlarmFindings()).append('\n');
        b.append("## Power and delay under the replay shifts\n\n");
        b.append(String.format(Locale.ROOT, "Every replay shift at each severity is applied to the unseen images"
                        + " (one eval pass each). A trial: %d clean shuffled windows' scores feed the CUSUM"
                        + " (k = %s, h = %.3f for an in-control ARL of %.0f windows), then %d consecutive shuffled"
                        + " windows of shifted images. Per-window detector: model p < %s; sequential: the CUSUM over"
                        + " u = Φ⁻¹(1 − p), clipped to ±8. P = share of trials that alarm within %d windows;"
                        + " delay = median first alarming window (— when more than half never alarm). Accuracy drop"
                        + " in points against the clean %.4f.%n%n",
                power.get("warmupWindows").asInt(), power.get("cusumReference").asText(),
                power.get("cusumThreshold").asDouble(), power.get("cusumArl").asDouble(),
                power.get("windowsPerTrial").asInt(), alpha(power.get("alpha").asDouble()),
                power.get("windowsPerTrial").asInt(), unseen.get("accuracy").asDouble()));
        List<Integer> sizes = windowSizes();
        b.append("| shift | severity | accuracy drop (points) |");
        for (int w : sizes) {
            b.append(" P win / cusum @").append(w).append(" | delay win / cusum @").append(w).append(" |");
        }
        b.append("\n|---|---|---|").append("---|---|".repeat(sizes.size())).append('\n');
        for (JsonNode s : shifts()) {
            b.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f |", s.get("shift").asText(),
                    s.get("severity").asDouble(), s.get("accuracyDropPoints").asDouble()));
            for (JsonNode w : windows(s)) {
                JsonNode pw = w.get("perWindow");
                JsonNode sq = w.get("sequential");
                b.append(String.format(Locale.ROOT, " %.2f / %.2f | %s / %s |", pw.get("alarmWithin").asDouble(),
                        sq.get("alarmWithin").asDouble(), delay(pw), delay(sq)));
            }
            b.append('\n');
        }
        b.append('\n').append(powerFindings()).append('\n');
        b.append("![Probability of an alarm within ").append(power.get("windowsPerTrial").asInt())
                .append(" windows against the accuracy a shift costs](").append(chartFile).append(")\n");
        return b.toString();
    }

    /** How the splits were dealt and why the rates pool them, from the JSON. */
    String splitsParagraph() {
        if (!json.has("splits")) {
            return "";
        }
        JsonNode splits = json.get("splits");
        StringBuilder accuracies = new StringBuilder();
        for (JsonNode e : splits) {
            accuracies.append(accuracies.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f",
                    e.get("unseenAccuracy").asDouble()));
        }
        return String.format(Locale.ROOT, "Every false-alarm cell pools %d split%s of the same measured test images, %d"
                        + " windows each. Split 1 is the model's own calibration judged on the images after it; every"
                        + " other split deals the test images at random into a calibration part of the same size,"
                        + " calibrated afresh by the same calibrator (same replicates and window sizes, seed + split),"
                        + " and an unseen part (unseen accuracies %s). One split's windows all share two fixed"
                        + " samples, its calibration's and its unseen pool's, so one split's rate carries their"
                        + " luck (statistics.md: at windows of 1000, from a fraction of α to a few α); the"
                        + " calibration promises the rate averaged over that luck, which the pooled rate measures."
                        + " The per-split column shows the spread.%n%n",
                splits.size(), splits.size() == 1 ? "" : "s",
                json.get("config").get("falseAlarmWindows").asInt(), accuracies);
    }

    private static String splitRange(JsonNode c) {
        if (!c.has("splitRates")) {
            return "—";
        }
        return rate(c.get("splitMinRate")) + " – " + rate(c.get("splitMaxRate"));
    }

    /** Which cells meet the bounds, from the numbers. */
    String falseAlarmFindings() {
        List<String> over = new ArrayList<>();
        List<String> deaf = new ArrayList<>();
        int total = 0;
        for (JsonNode c : cells()) {
            total++;
            if (!c.get("meetsUpperBound").asBoolean()) {
                over.add(cellName(c) + " (upper " + rate(c.get("modelUpper")) + ")");
            }
            if (c.has("atLeastHalfAlpha") && !c.get("atLeastHalfAlpha").asBoolean()) {
                deaf.add(cellName(c) + " (rate " + rate(c.get("modelRate")) + ")");
            }
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%d of %d cells have an upper bound at most 2α.", total - over.size(),
                total));
        b.append(over.isEmpty() ? "" : " Over the bound: " + String.join("; ", over) + ".");
        b.append(deaf.isEmpty() ? " Every shuffled cell's rate is at least α/2."
                : " Shuffled cells below α/2 (conservative): " + String.join("; ", deaf) + ".");
        return b.append('\n').toString();
    }

    /** Which costly shifts alarm with the required probability, from the numbers. */
    String powerFindings() {
        List<String> caught = new ArrayList<>();
        List<String> missed = new ArrayList<>();
        for (JsonNode s : shifts()) {
            if (s.get("accuracyDropPoints").asDouble() < COSTLY_DROP_POINTS) {
                continue;
            }
            String shift = String.format(Locale.ROOT, "%s %.2f (−%.1f points)", s.get("shift").asText(),
                    s.get("severity").asDouble(), s.get("accuracyDropPoints").asDouble());
            List<String> weak = new ArrayList<>();
            for (JsonNode w : windows(s)) {
                double best = Math.max(w.get("perWindow").get("alarmWithin").asDouble(),
                        w.get("sequential").get("alarmWithin").asDouble());
                if (best < REQUIRED_POWER) {
                    weak.add(String.format(Locale.ROOT, "window %d: %.2f", w.get("windowSize").asInt(), best));
                }
            }
            (weak.isEmpty() ? caught : missed).add(weak.isEmpty() ? shift : shift + " [" + String.join(", ", weak) + "]");
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%d shift settings cost at least %.0f points of accuracy. ",
                caught.size() + missed.size(), COSTLY_DROP_POINTS));
        b.append(String.format(Locale.ROOT, "%d of them alarm (per-window or CUSUM) with probability ≥ %.0f %% within"
                + " the trial at every window size", caught.size(), REQUIRED_POWER * 100));
        b.append(missed.isEmpty() ? ".\n" : "; these do not: " + String.join("; ", missed) + ".\n");
        return b.toString();
    }

    /** P(alarm within the trial, per-window detector) against the accuracy drop, one series per window size. */
    byte[] chartPng() {
        Map<Integer, XYSeries> series = new LinkedHashMap<>();
        for (int w : windowSizes()) {
            series.put(w, new XYSeries("window " + w + ", per-window"));
        }
        Map<Integer, XYSeries> sequential = new LinkedHashMap<>();
        for (int w : windowSizes()) {
            sequential.put(w, new XYSeries("window " + w + ", CUSUM"));
        }
        for (JsonNode s : shifts()) {
            // A shift that helps accuracy is drawn at 0: the axis is the cost.
            double drop = Math.max(0, s.get("accuracyDropPoints").asDouble());
            for (JsonNode w : windows(s)) {
                int size = w.get("windowSize").asInt();
                series.get(size).add(drop, w.get("perWindow").get("alarmWithin").asDouble());
                sequential.get(size).add(drop, w.get("sequential").get("alarmWithin").asDouble());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        sequential.values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createScatterPlot("Alarm within " + json.get("power")
                        .get("windowsPerTrial").asInt() + " windows vs accuracy cost, " + json.get("model").asText()
                        + " v" + json.get("version").asInt() + " (all replay shifts and severities)",
                "accuracy drop (points)", "P(alarm within trial)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.getRangeAxis().setRange(-0.02, 1.02);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, CHART_WIDTH, CHART_HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the power chart: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private List<JsonNode> cells() {
        List<JsonNode> out = new ArrayList<>();
        json.get("falseAlarms").forEach(out::add);
        return out;
    }

    private List<JsonNode> shifts() {
        List<JsonNode> out = new ArrayList<>();
        json.get("power").get("shifts").forEach(out::add);
        return out;
    }

    private static List<JsonNode> windows(JsonNode shift) {
        List<JsonNode> out = new ArrayList<>();
        shift.get("windows").forEach(out::add);
        return out;
    }

    private List<Integer> windowSizes() {
        List<Integer> out = new ArrayList<>();
        json.get("calibration").get("windowSizes").forEach(e -> out.add(e.asInt()));
        return out;
    }

    private static String cellName(JsonNode c) {
        return c.get("order").asText() + " @" + c.get("windowSize").asInt() + ", α = "
                + alpha(c.get("alpha").asDouble());
    }

    private static String verdict(JsonNode c) {
        String bound = c.get("meetsUpperBound").asBoolean() ? "ok" : "OVER";
        return c.has("atLeastHalfAlpha") && !c.get("atLeastHalfAlpha").asBoolean() ? bound + ",<a/2" : bound;
    }

    private static String rateWithInterval(JsonNode c) {
        return String.format(Locale.ROOT, "%.5f [%.5f,%.5f]", c.get("modelRate").asDouble(),
                c.get("modelLower").asDouble(), c.get("modelUpper").asDouble());
    }

    private static String delay(JsonNode detection) {
        JsonNode d = detection.get("medianDelay");
        return d == null || d.isNull() ? "—" : d.asText();
    }

    /** A rate to five decimals; "—" when the results predate the field. */
    private static String rate(JsonNode value) {
        if (value == null || value.isNull()) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.5f", value.asDouble());
    }

    private static String alpha(double a) {
        return String.format(Locale.ROOT, "%.0e", a).replace("e-0", "e-");
    }
}
