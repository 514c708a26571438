package io.varshift.trainer.experiment;

import io.quarkus.qute.Engine;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;
import io.varshift.core.spec.ModelSpec.Architecture;
import io.varshift.core.spec.ModelSpec.DropoutKind;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;
import io.varshift.trainer.report.AtomicFiles;
import org.jfree.data.category.DefaultCategoryDataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the paper-reproduction report and its charts from the stored cell results: the numbers and
 * verdicts come from {@link ReproductionFindings}, formatted here, and the page is the Qute template
 * {@code experiment/paper-reproduction.qute.md}, which holds every word around them.
 */
final class ReproductionReport {

    static final String TEMPLATE = "/experiment/paper-reproduction.qute.md";

    record Setup(String config, String architectures, int width, int blocks, int epochs, int trainSamples,
                 int batchSize, int measureSamples, int heldOutSamples, String seeds, int seedCount,
                 String uoutPlacement, String widths, int trained, int cells, String computeMinutes, String runs,
                 List<String> missing) {

        public boolean incomplete() {
            return !missing.isEmpty();
        }
    }

    /**
     * The held-out error without dropout of one architecture against the config's target, if it has one
     * ({@code target} null); {@code met} is null while no cell without dropout is stored.
     */
    record Target(String architecture, String error, String target, Boolean met) {
    }

    /** One row of the error tables (3, 4, 6), formatted. */
    record ErrorRow(String architecture, String dropout, String ratio, int seeds, String error, String errorAfter,
                    String change, String shift, String shiftAfter) {
    }

    /** One Figure 4 table (one architecture, one kind of data) and the chart beside it. */
    record Figure(String architecture, String data, List<String> series, List<FigureRow> rows, String image) {
    }

    record FigureRow(String layer, List<String> values) {
    }

    /** One width of the width sweep at its first dropout site, formatted. */
    record WidthLine(int width, int seeds, String fanIn, String dCos2, String rho, String measured, String eq12,
                     String eq14, String eq14Error, String eq14VsEq12, String direct, String shift, String error,
                     String frozenMeasured, String frozenEq14, String frozenError) {
    }

    /** One row of the theory tables, formatted. */
    record TheoryLine(String architecture, int width, String placement, String ratio, String layer, String equation,
                      String measured, String theory, String relative, String dCos2, String direct, String rho,
                      String eq14) {
    }

    /**
     * The theory section: tables and the summary sentence.
     *
     * @param controlledError the largest |measured/theory − 1| at the first site in %, null without checks
     */
    record Theory(int controlledSamples, String firstSite, List<TheoryLine> controlled, List<TheoryLine> trained,
                  String controlledError, String trainedError, int trainedModels) {
    }

    /** One claim of the paper, its interval and verdict, formatted. */
    record ClaimLine(String architecture, String claim, String source, String measured, String region, int seeds,
                     Interval.Verdict verdict) {
    }

    /** How many claims got each verdict. */
    record Tally(int reproduces, int contradicted, int inconclusive, int noData, int total) {
    }

    record Undertrained(String architecture, String error) {
    }

    private static final Engine ENGINE = Engine.builder().addDefaults().addValueResolver(new ReflectionValueResolver())
            .build();

    private static final Template PAGE = ENGINE.parse(resource(TEMPLATE));

    private final ReproductionFindings findings;
    private final ExperimentConfig config;
    private final String command;

    /**
     * @param command the command that continues the sweep; the page also shows it with {@code --report-only}
     */
    ReproductionReport(ExperimentConfig config, ExperimentRunner.Outcome outcome, String command) {
        this.findings = new ReproductionFindings(config, outcome);
        this.config = config;
        this.command = command;
    }

    /** Writes {@code markdown} and the PNG charts into {@code chartDir}; returns the chart files written. */
    List<Path> write(Path markdown, Path chartDir) {
        Path base = markdown.toAbsolutePath().getParent();
        String link = base.relativize(chartDir.toAbsolutePath()).toString().replace('\\', '/');
        List<Path> charts = new ArrayList<>();
        List<Figure> figures = figures(chartDir, link, charts);
        List<ClaimLine> claims = claims();
        String page = PAGE.data("setup", setup()).data("targets", targets()).data("table3", table3())
                .data("table4", table4()).data("table6", table6()).data("figures", figures)
                .data("widths", widths()).data("widthDrop", ratio(config.widthSweep().dropRatio()))
                .data("widthSite", findings.widthRows().stream().flatMap(w -> w.trained().stream()).findFirst()
                        .map(CellResult.TheoryRow::layer).orElse("–"))
                .data("theory", theory()).data("claims", claims).data("tally", tally(claims))
                .data("undertrained", undertrained()).data("command", command).render();
        AtomicFiles.write(markdown, page.getBytes(StandardCharsets.UTF_8), "report");
        return charts;
    }

    private static String resource(String name) {
        try (InputStream in = ReproductionReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("report template " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read report template " + name, e);
        }
    }

    // ---------------------------------------------------------------- formatting

    private static String placementName(DropoutPlacement p) {
        return switch (p) {
            case NONE -> "no dropout";
            case BEFORE_BN -> "Dropout-(a): directly before BN";
            case BEFORE_CONV -> "Dropout-(b): before the conv";
            case AFTER_BN -> "after all BN";
        };
    }

    private static String ratio(double drop) {
        return String.format(Locale.ROOT, "%.1f (p = %.1f)", drop, 1 - drop);
    }

    private static String decimals(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String optional(double v, int decimals) {
        return Double.isFinite(v) ? decimals(v, decimals) : "–";
    }

    private static String maxShift(List<CellResult> rs) {
        return ReproductionFindings.stats(rs, r -> r.before().maxHeldOutShift()).format(1, 3);
    }

    private static String heldOutError(List<CellResult> rs) {
        return ReproductionFindings.stats(rs, r -> r.before().heldOutError()).format(100, 2);
    }

    private static String change(List<CellResult> rs) {
        return ReproductionFindings.stats(rs, ReproductionFindings::adjustChange).format(100, 2);
    }

    private static ErrorRow errorRow(Architecture a, String dropout, String ratio, List<CellResult> rs) {
        return new ErrorRow(a.id(), dropout, ratio, rs.size(), heldOutError(rs),
                ReproductionFindings.stats(rs, r -> r.after().heldOutError()).format(100, 2), change(rs), maxShift(rs),
                ReproductionFindings.stats(rs, r -> r.after().maxHeldOutShift()).format(1, 3));
    }

    // ---------------------------------------------------------------- sections

    private Setup setup() {
        ExperimentRunner.Outcome outcome = findings.outcome();
        return new Setup(config.name(), String.join(", ", config.architectures().stream().map(Architecture::id)
                .toList()), config.width(), config.blocks(), config.epochs(), config.trainSamples(),
                config.batchSize(), config.measureSamples(), config.heldOutSamples(), config.seeds().toString(),
                config.seeds().size(), config.uoutPlacement().id(), config.widthSweep().widths().toString(),
                outcome.results().size(), config.cells().size(), decimals(outcome.computeSeconds() / 60, 1),
                runs(outcome.runs()), outcome.missing().stream().map(Cell::key).toList());
    }

    /** "2 (budgets 88 and 90 min; 87.9 and 90.4 min of wall clock)", or "none recorded". */
    private static String runs(List<ExperimentRunner.Run> runs) {
        if (runs.isEmpty()) {
            return "none recorded";
        }
        return runs.size() + " (budget " + String.join(", ", runs.stream().map(r -> decimals(r.budgetMinutes(), 0))
                .toList()) + " min; wall clock " + String.join(", ", runs.stream()
                .map(r -> decimals(r.wallMinutes(), 1)).toList()) + " min; cells " + String.join(", ", runs.stream()
                .map(r -> Integer.toString(r.cells())).toList()) + ")";
    }

    private List<Target> targets() {
        List<Target> out = new ArrayList<>();
        for (Architecture a : config.architectures()) {
            SeedStats error = ReproductionFindings.stats(findings.none(a), r -> r.before().heldOutError());
            Double target = config.targetErrors().get(a);
            out.add(new Target(a.id(), error.format(100, 2), target == null ? null : decimals(100 * target, 0),
                    error.n() == 0 ? null : error.mean() <= (target == null ? 1 : target)));
        }
        return out;
    }

    private List<ErrorRow> table3() {
        List<ErrorRow> rows = new ArrayList<>();
        for (Architecture a : config.architectures()) {
            rows.add(errorRow(a, placementName(DropoutPlacement.NONE), "–", findings.none(a)));
            for (DropoutPlacement p : List.of(DropoutPlacement.BEFORE_BN, DropoutPlacement.BEFORE_CONV)) {
                if (findings.ratios(p).contains(0.5)) {
                    rows.add(errorRow(a, placementName(p), ratio(0.5), findings.bernoulli(a, p, 0.5)));
                }
            }
        }
        return rows;
    }

    private List<ErrorRow> table4() {
        List<ErrorRow> rows = new ArrayList<>();
        for (Architecture a : config.architectures()) {
            rows.add(errorRow(a, placementName(DropoutPlacement.NONE), "–", findings.none(a)));
            for (double d : findings.ratios(DropoutPlacement.AFTER_BN)) {
                rows.add(errorRow(a, placementName(DropoutPlacement.AFTER_BN), ratio(d),
                        findings.bernoulli(a, DropoutPlacement.AFTER_BN, d)));
            }
        }
        return rows;
    }

    private List<ErrorRow> table6() {
        List<ErrorRow> rows = new ArrayList<>();
        for (Architecture a : config.architectures()) {
            rows.add(errorRow(a, "Bernoulli, drop 0.5 (p = 0.5)", "–", findings.bernoulli(a, config.uoutPlacement(),
                    0.5)));
            for (double beta : config.uoutBetas()) {
                rows.add(errorRow(a, "Uout", decimals(beta, 1), findings.uout(a, beta)));
            }
        }
        return rows;
    }

    /**
     * The Figure 4 tables, on training data (as the paper draws it) and on held-out data; writes one
     * chart per architecture and kind of data into {@code chartDir}.
     */
    private List<Figure> figures(Path chartDir, String link, List<Path> charts) {
        List<Figure> figures = new ArrayList<>();
        for (Architecture a : config.architectures()) {
            List<String> layers = findings.layerNames(a);
            if (layers.isEmpty()) {
                continue;
            }
            Map<String, List<CellResult>> series = new LinkedHashMap<>();
            series.put("no dropout", findings.none(a));
            for (double d : findings.ratios(DropoutPlacement.BEFORE_BN)) {
                series.put("drop " + ratio(d), findings.bernoulli(a, DropoutPlacement.BEFORE_BN, d));
            }
            for (ReproductionFindings.Data data : ReproductionFindings.Data.values()) {
                DefaultCategoryDataset dataset = new DefaultCategoryDataset();
                List<FigureRow> rows = new ArrayList<>();
                for (String layer : layers) {
                    List<String> values = new ArrayList<>();
                    for (Map.Entry<String, List<CellResult>> e : series.entrySet()) {
                        SeedStats s = ReproductionFindings.layerShift(e.getValue(), layer, data);
                        values.add(s.format(1, 3));
                        if (s.n() > 0) {
                            dataset.addValue(s.mean(), e.getKey(), layer);
                        }
                    }
                    rows.add(new FigureRow(layer, values));
                }
                boolean training = data == ReproductionFindings.Data.TRAINING;
                String words = training ? "training data" : "held-out data";
                Path chart = chartDir.resolve("variance-shift-" + a.id() + (training ? "-train" : "") + ".png");
                ReproductionCharts.lineChart(chart, a.id() + ": variance shift per BN layer (" + words
                        + ", eval mode)", "BN layer", "max(r, 1/r), r = real / moving variance (log scale)", dataset);
                charts.add(chart);
                figures.add(new Figure(a.id(), words, List.copyOf(series.keySet()), rows,
                        link + "/" + chart.getFileName()));
            }
        }
        return figures;
    }

    private List<WidthLine> widths() {
        List<WidthLine> out = new ArrayList<>();
        for (ReproductionFindings.WidthRow w : findings.widthRows()) {
            List<CellResult.TheoryRow> ts = w.trained();
            CellResult.TheoryRow frozen = w.controlled();
            out.add(new WidthLine(w.width(), ts.size(), ts.isEmpty() ? "–" : Integer.toString(ts.get(0).fanIn()),
                    ReproductionFindings.rowStats(ts, CellResult.TheoryRow::dCos2Theta).format(1, 2),
                    ReproductionFindings.rowStats(ts, CellResult.TheoryRow::rho).format(1, 3),
                    ReproductionFindings.rowStats(ts, CellResult.TheoryRow::measuredDelta).format(1, 4),
                    ReproductionFindings.rowStats(ts, CellResult.TheoryRow::theoryDelta).format(1, 4),
                    ReproductionFindings.rowStats(ts, CellResult.TheoryRow::eq14Delta).format(1, 4),
                    Interval.of(ts.stream().map(CellResult.TheoryRow::eq14RelativeError).toList()).format(100, 1),
                    ReproductionFindings.rowStats(ts, t -> t.eq14Delta() / t.theoryDelta() - 1).format(100, 1),
                    ReproductionFindings.rowStats(ts, CellResult.TheoryRow::directDelta).format(1, 4),
                    ReproductionFindings.rowStats(ts, t -> 1 / t.measuredDelta()).format(1, 3),
                    ReproductionFindings.stats(w.results(), r -> r.before().heldOutError()).format(100, 2),
                    frozen == null ? "–" : optional(frozen.measuredDelta(), 4),
                    frozen == null ? "–" : optional(frozen.eq14Delta(), 4),
                    frozen == null || !Double.isFinite(frozen.eq14RelativeError()) ? "–"
                            : String.format(Locale.ROOT, "%+.1f", 100 * frozen.eq14RelativeError())));
        }
        return out;
    }

    private Theory theory() {
        List<TheoryLine> controlled = new ArrayList<>();
        for (ExperimentRunner.Controlled c : findings.outcome().controlled()) {
            for (CellResult.TheoryRow t : c.rows()) {
                controlled.add(new TheoryLine(c.architecture().id(), c.width(), c.placement().id(), ratio(c.dropRatio()),
                        t.layer(), t.equation(), decimals(t.measuredDelta(), 4), decimals(t.theoryDelta(), 4),
                        String.format(Locale.ROOT, "%+.1f%%", 100 * t.relativeError()), optional(t.dCos2Theta(), 2),
                        optional(t.directDelta(), 4), optional(t.rho(), 3), optional(t.eq14Delta(), 4)));
            }
        }
        List<TheoryLine> trained = new ArrayList<>();
        for (ReproductionFindings.TheoryGroup g : findings.trainedTheory()) {
            Cell c = g.cell();
            List<CellResult.TheoryRow> ts = g.rows();
            boolean throughConv = g.equation().equals("12");
            trained.add(new TheoryLine(c.architecture().id(), c.width(), c.placement().id(), c.kind() == DropoutKind.UOUT
                    ? String.format(Locale.ROOT, "Uout β %.1f", c.uoutBeta())
                    : ratio(c.dropRatio()), g.layer(), g.equation(),
                    ReproductionFindings.rowStats(ts, CellResult.TheoryRow::measuredDelta).format(1, 4),
                    ReproductionFindings.rowStats(ts, CellResult.TheoryRow::theoryDelta).format(1, 4),
                    ReproductionFindings.rowStats(ts, CellResult.TheoryRow::relativeError).format(100, 1) + "%",
                    throughConv ? ReproductionFindings.rowStats(ts, CellResult.TheoryRow::dCos2Theta).format(1, 2)
                            : "–",
                    throughConv ? ReproductionFindings.rowStats(ts, CellResult.TheoryRow::directDelta).format(1, 4)
                            : "–",
                    throughConv ? ReproductionFindings.rowStats(ts, CellResult.TheoryRow::rho).format(1, 3) : "–",
                    throughConv ? ReproductionFindings.rowStats(ts, CellResult.TheoryRow::eq14Delta).format(1, 4)
                            : "–"));
        }
        List<Double> controlledErrors = findings.controlledFirstSiteErrors();
        List<Double> trainedErrors = findings.trainedFirstSiteErrors();
        return new Theory(config.controlled().samples(), findings.firstDropoutSite(), controlled, trained,
                controlledErrors.isEmpty() ? null : decimals(100 * controlledErrors.stream().mapToDouble(Math::abs)
                        .max().orElse(Double.NaN), 1),
                trainedErrors.isEmpty() ? null : String.format(Locale.ROOT, "%+.1f %% on average (from %+.1f to %+.1f %%)",
                        100 * SeedStats.of(trainedErrors).mean(),
                        100 * trainedErrors.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                        100 * trainedErrors.stream().mapToDouble(Double::doubleValue).max().orElseThrow()),
                trainedErrors.size());
    }

    private List<ClaimLine> claims() {
        List<ClaimLine> out = new ArrayList<>();
        for (ReproductionFindings.Claim c : findings.claims()) {
            String unit = c.unit().isEmpty() ? "" : " " + c.unit();
            out.add(new ClaimLine(c.architecture(), c.claim(), c.source(),
                    c.interval().format(c.scale(), c.decimals()) + (c.interval().n() == 0 ? "" : unit),
                    region(c.region(), c.scale(), c.decimals()) + unit, c.interval().n(), c.verdict()));
        }
        return out;
    }

    private static String region(Interval.Region r, double scale, int decimals) {
        String t = String.format(Locale.ROOT, "%." + decimals + "f", r.threshold() * scale);
        return switch (r.kind()) {
            case BELOW -> "< " + t;
            case ABOVE -> "> " + t;
            case WITHIN -> "within ±" + t;
        };
    }

    private static Tally tally(List<ClaimLine> claims) {
        int reproduces = 0;
        int contradicted = 0;
        int inconclusive = 0;
        int noData = 0;
        for (ClaimLine c : claims) {
            switch (c.verdict()) {
                case REPRODUCES -> reproduces++;
                case CONTRADICTED -> contradicted++;
                case INCONCLUSIVE -> inconclusive++;
                case NO_DATA -> noData++;
            }
        }
        return new Tally(reproduces, contradicted, inconclusive, noData, claims.size());
    }

    private List<Undertrained> undertrained() {
        List<Undertrained> out = new ArrayList<>();
        findings.undertrained().forEach((a, error) -> out.add(new Undertrained(a.id(), decimals(100 * error, 1))));
        return out;
    }
}
