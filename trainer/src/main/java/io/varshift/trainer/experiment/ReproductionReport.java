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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes the paper-reproduction report and its charts from the stored cell results: the numbers and
 * verdicts come from {@link ReproductionFindings}, formatted here, and the page is the Qute template
 * {@code experiment/paper-reproduction.qute.md}, which holds every word around them.
 */
final class ReproductionReport {

    static final String TEMPLATE = "/experiment/paper-reproduction.qute.md";
    static final String VERDICT_TEMPLATE = "/experiment/verdict.qute.md";

    record Setup(String config, String architectures, int width, int blocks, int epochs, int trainSamples,
                 int batchSize, int measureSamples, int heldOutSamples, String seeds, int seedCount,
                 String uoutPlacement, int trained, int cells, String computeMinutes, List<String> missing) {

        public boolean incomplete() {
            return !missing.isEmpty();
        }
    }

    /** One row of the error tables (3, 4, 6), formatted. */
    record ErrorRow(String architecture, String dropout, String ratio, int seeds, String error, String errorAfter,
                    String change, String shift, String shiftAfter) {
    }

    /** The Figure 4 table of one architecture and the chart beside it. */
    record Figure(String architecture, List<String> series, List<FigureRow> rows, String image) {
    }

    record FigureRow(String layer, List<String> values) {
    }

    /** One row of the theory tables, formatted. */
    record TheoryLine(String architecture, String placement, String ratio, String layer, String equation,
                      String measured, String theory, String relative, String dCos2, String direct) {
    }

    /**
     * The theory section: tables and the summary sentence.
     *
     * @param controlledError the largest |measured/theory − 1| at the first site in %, null without checks
     */
    record Theory(int controlledSamples, String firstSite, List<TheoryLine> controlled, List<TheoryLine> trained,
                  String controlledError, String trainedError, int trainedModels) {
    }

    /** The discussion of one architecture; each part is null when its cells are missing. */
    record Discussion(String architecture, DropA dropA, DropB dropB, AfterBn afterBn, Uout uout) {
    }

    record DropA(String shift, String baseShift, String shiftAfter, String change, String errorBefore,
                 String errorAfter, ReproductionFindings.Judged verdict) {
    }

    record DropB(String shift, String shiftA, boolean smaller, String change, ReproductionFindings.Judged verdict) {
    }

    record AfterBn(String worst, String baseShift, String ratio, String best, String baseError,
                   ReproductionFindings.Comparison comparison) {
    }

    record Uout(String maxBeta, String worst, String bernoulli, ReproductionFindings.UoutStability stability) {
    }

    record Undertrained(String architecture, String error) {
    }

    private static final Engine ENGINE = Engine.builder().addDefaults().addValueResolver(new ReflectionValueResolver())
            .build();

    static {
        // Included inside a sentence: without the file's final line break.
        ENGINE.putTemplate("verdict", ENGINE.parse(resource(VERDICT_TEMPLATE).strip()));
    }

    private static final Template PAGE = ENGINE.parse(resource(TEMPLATE));

    private final ReproductionFindings findings;
    private final ExperimentConfig config;
    private final String command;

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
        String page = PAGE.data("setup", setup()).data("table3", table3()).data("table4", table4())
                .data("table6", table6()).data("figures", figures).data("theory", theory())
                .data("discussion", discussion()).data("undertrained", undertrained()).data("command", command)
                .render();
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
                config.seeds().size(), config.uoutPlacement().id(), outcome.results().size(), config.cells().size(),
                decimals(outcome.computeSeconds() / 60, 1), outcome.missing().stream().map(Cell::key).toList());
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

    /** The Figure 4 tables; writes one chart per architecture into {@code chartDir}. */
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
            DefaultCategoryDataset data = new DefaultCategoryDataset();
            List<FigureRow> rows = new ArrayList<>();
            for (String layer : layers) {
                List<String> values = new ArrayList<>();
                for (Map.Entry<String, List<CellResult>> e : series.entrySet()) {
                    SeedStats s = ReproductionFindings.layerShift(e.getValue(), layer);
                    values.add(s.format(1, 3));
                    if (s.n() > 0) {
                        data.addValue(s.mean(), e.getKey(), layer);
                    }
                }
                rows.add(new FigureRow(layer, values));
            }
            Path chart = chartDir.resolve("variance-shift-" + a.id() + ".png");
            ReproductionCharts.lineChart(chart, a.id() + ": variance shift per BN layer (held-out, eval mode)",
                    "BN layer", "max(r, 1/r), r = real / moving variance (log scale)", data);
            charts.add(chart);
            figures.add(new Figure(a.id(), List.copyOf(series.keySet()), rows, link + "/" + chart.getFileName()));
        }
        return figures;
    }

    private Theory theory() {
        List<TheoryLine> controlled = new ArrayList<>();
        for (ExperimentRunner.Controlled c : findings.outcome().controlled()) {
            for (CellResult.TheoryRow t : c.rows()) {
                controlled.add(new TheoryLine(c.architecture().id(), c.placement().id(), ratio(c.dropRatio()),
                        t.layer(), t.equation(), decimals(t.measuredDelta(), 4), decimals(t.theoryDelta(), 4),
                        String.format(Locale.ROOT, "%+.1f%%", 100 * t.relativeError()), optional(t.dCos2Theta(), 2),
                        optional(t.directDelta(), 4)));
            }
        }
        List<TheoryLine> trained = new ArrayList<>();
        for (ReproductionFindings.TheoryGroup g : findings.trainedTheory()) {
            Cell c = g.cell();
            List<CellResult.TheoryRow> ts = g.rows();
            boolean throughConv = g.equation().equals("12");
            trained.add(new TheoryLine(c.architecture().id(), c.placement().id(), c.kind() == DropoutKind.UOUT
                    ? String.format(Locale.ROOT, "Uout β %.1f", c.uoutBeta())
                    : ratio(c.dropRatio()), g.layer(), g.equation(),
                    ReproductionFindings.rowStats(ts, CellResult.TheoryRow::measuredDelta).format(1, 4),
                    ReproductionFindings.rowStats(ts, CellResult.TheoryRow::theoryDelta).format(1, 4),
                    ReproductionFindings.rowStats(ts, CellResult.TheoryRow::relativeError).format(100, 1) + "%",
                    throughConv ? ReproductionFindings.rowStats(ts, CellResult.TheoryRow::dCos2Theta).format(1, 2)
                            : "–",
                    throughConv ? ReproductionFindings.rowStats(ts, CellResult.TheoryRow::directDelta).format(1, 4)
                            : "–"));
        }
        List<Double> controlledErrors = findings.controlledFirstSiteErrors();
        List<Double> trainedErrors = findings.trainedFirstSiteErrors();
        return new Theory(config.controlled().samples(), findings.firstDropoutSite(), controlled, trained,
                controlledErrors.isEmpty() ? null : decimals(100 * controlledErrors.stream().mapToDouble(Math::abs)
                        .max().orElse(Double.NaN), 1),
                SeedStats.of(trainedErrors).format(100, 1), trainedErrors.size());
    }

    private List<Discussion> discussion() {
        List<Discussion> out = new ArrayList<>();
        for (Architecture a : config.architectures()) {
            List<CellResult> base = findings.none(a);
            List<CellResult> dropA = findings.bernoulli(a, DropoutPlacement.BEFORE_BN, 0.5);
            List<CellResult> dropB = findings.bernoulli(a, DropoutPlacement.BEFORE_CONV, 0.5);
            DropA a5 = dropA.isEmpty() ? null : new DropA(maxShift(dropA), maxShift(base),
                    ReproductionFindings.stats(dropA, r -> r.after().maxHeldOutShift()).format(1, 3), change(dropA),
                    heldOutError(dropA),
                    ReproductionFindings.stats(dropA, r -> r.after().heldOutError()).format(100, 2),
                    ReproductionFindings.verdict(dropA));
            DropB b5 = null;
            if (!dropB.isEmpty() && !dropA.isEmpty()) {
                double shiftA = ReproductionFindings.stats(dropA, r -> r.before().maxHeldOutShift()).mean();
                double shiftB = ReproductionFindings.stats(dropB, r -> r.before().maxHeldOutShift()).mean();
                b5 = new DropB(decimals(shiftB, 3), decimals(shiftA, 3), shiftB < shiftA, change(dropB),
                        ReproductionFindings.verdict(dropB));
            }
            AfterBn afterBn = null;
            Optional<ReproductionFindings.AfterBn> found = findings.afterBn(a);
            if (found.isPresent()) {
                ReproductionFindings.AfterBn f = found.get();
                SeedStats baseError = ReproductionFindings.stats(base, r -> r.before().heldOutError());
                afterBn = new AfterBn(decimals(f.worstShift(), 3), maxShift(base), ratio(f.bestRatio()),
                        f.bestError().format(100, 2), baseError.format(100, 2),
                        ReproductionFindings.compare(f.bestError(), baseError));
            }
            Uout uout = null;
            if (!config.uoutBetas().isEmpty()) {
                double worst = findings.worstUoutShift(a);
                SeedStats bernoulli = ReproductionFindings.stats(findings.bernoulli(a, config.uoutPlacement(), 0.5),
                        r -> r.before().maxHeldOutShift());
                uout = new Uout(decimals(Collections.max(config.uoutBetas()), 1), decimals(worst, 3),
                        bernoulli.format(1, 3), ReproductionFindings.uoutStability(worst, bernoulli));
            }
            out.add(new Discussion(a.id(), a5, b5, afterBn, uout));
        }
        return out;
    }

    private List<Undertrained> undertrained() {
        List<Undertrained> out = new ArrayList<>();
        findings.undertrained().forEach((a, error) -> out.add(new Undertrained(a.id(), decimals(100 * error, 1))));
        return out;
    }
}
