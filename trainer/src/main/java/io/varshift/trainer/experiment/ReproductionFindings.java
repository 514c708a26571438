package io.varshift.trainer.experiment;

import io.varshift.core.model.ModelBlocks;
import io.varshift.core.spec.ModelSpec.Architecture;
import io.varshift.core.spec.ModelSpec.DropoutKind;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * What the paper-reproduction report says, before it is written down: the results of each table row
 * (selected from the stored cells), the statistics over seeds and the verdicts that choose the
 * report's words. {@link ReproductionReport} renders them.
 */
final class ReproductionFindings {

    /** Above this held-out error without dropout a model is called undertrained in the caveats. */
    static final double UNDERTRAINED_ERROR = 0.3;

    /** An agreement with theory: |measured / theory − 1| within 5 %. */
    static final Interval.Region AGREES = Interval.Region.within(0.05);

    /** "Keeps accuracy": no more than half a percentage point worse (a non-inferiority margin). */
    static final double ACCURACY_MARGIN = 0.005;

    /** "Does not shift": the max shift max(r, 1/r) within 0.05 of the model without dropout. */
    static final double SHIFT_MARGIN = 0.05;

    /** The seeds of one trained theory site of one cell (architecture, placement, variant). */
    record TheoryGroup(Cell cell, String layer, String equation, List<CellResult.TheoryRow> rows) {
    }

    /**
     * One claim of the paper as a quantity, its 95 % interval and the region the paper puts it in.
     *
     * @param scale   what the quantity is multiplied by to print (100 for errors and relative errors)
     * @param unit    printed after the numbers ("pp", "%" or "")
     */
    record Claim(String architecture, String claim, String source, Interval interval, Interval.Region region,
                 double scale, int decimals, String unit) {

        Interval.Verdict verdict() {
            return interval.judge(region);
        }
    }

    /** The first dropout site of the width sweep at one width: trained seeds and the frozen-weights check. */
    record WidthRow(int width, List<CellResult> results, List<CellResult.TheoryRow> trained,
                    CellResult.TheoryRow controlled) {
    }

    private final ExperimentConfig config;
    private final ExperimentRunner.Outcome outcome;

    ReproductionFindings(ExperimentConfig config, ExperimentRunner.Outcome outcome) {
        this.config = config;
        this.outcome = outcome;
    }

    ExperimentRunner.Outcome outcome() {
        return outcome;
    }

    // ---------------------------------------------------------------- selection

    private List<CellResult> group(Architecture a, DropoutPlacement placement, DropoutKind kind, double drop,
                                   double beta) {
        return seeds(new Cell(a, config.width(), placement, kind, drop, beta, 0));
    }

    /** The stored results of one cell over its seeds. */
    List<CellResult> seeds(Cell withoutSeed) {
        return outcome.results().values().stream().filter(r -> r.cell().withoutSeed().equals(withoutSeed)).toList();
    }

    List<CellResult> none(Architecture a) {
        return group(a, DropoutPlacement.NONE, DropoutKind.BERNOULLI, 0, 0);
    }

    List<CellResult> bernoulli(Architecture a, DropoutPlacement placement, double drop) {
        return group(a, placement, DropoutKind.BERNOULLI, drop, 0);
    }

    List<CellResult> uout(Architecture a, double beta) {
        return group(a, config.uoutPlacement(), DropoutKind.UOUT, 0, beta);
    }

    /** The swept drop ratios of a placement, in config order. */
    List<Double> ratios(DropoutPlacement placement) {
        return config.bernoulli().stream().filter(s -> s.placement() == placement)
                .flatMap(s -> s.dropRatios().stream()).toList();
    }

    static SeedStats stats(List<CellResult> results, ToDoubleFunction<CellResult> f) {
        return SeedStats.of(results.stream().map(r -> f.applyAsDouble(r)).toList());
    }

    static SeedStats rowStats(List<CellResult.TheoryRow> rows, Function<CellResult.TheoryRow, Double> f) {
        return SeedStats.of(rows.stream().map(f).toList());
    }

    static double adjustChange(CellResult r) {
        return r.after().heldOutError() - r.before().heldOutError();
    }

    /** The BN layers of an architecture in forward order, as its first stored result measured them. */
    List<String> layerNames(Architecture a) {
        return outcome.results().values().stream().filter(r -> r.cell().architecture() == a).findFirst()
                .map(r -> r.before().layers().stream().map(CellResult.LayerRow::layer).toList()).orElse(List.of());
    }

    /** Which data a layer's ratio r was measured on. */
    enum Data {
        TRAINING, HELD_OUT;

        double ratio(CellResult.LayerRow l) {
            return this == TRAINING ? l.trainRatio() : l.heldOutRatio();
        }
    }

    /** max(r, 1/r) before Adjust BN of one layer of one result; NaN when the layer is absent. */
    static double layerShift(CellResult r, String layer, Data data) {
        return r.before().layers().stream().filter(l -> l.layer().equals(layer))
                .mapToDouble(l -> CellResult.shift(data.ratio(l))).findFirst().orElse(Double.NaN);
    }

    /** {@link #layerShift(CellResult, String, Data)} over the seeds of {@code rs}. */
    static SeedStats layerShift(List<CellResult> rs, String layer, Data data) {
        return SeedStats.of(rs.stream().map(r -> layerShift(r, layer, data)).filter(Double::isFinite).toList());
    }

    /** The trained theory rows by cell without seed and layer, in the order the results list them. */
    List<TheoryGroup> trainedTheory() {
        Map<String, TheoryGroup> groups = new LinkedHashMap<>();
        for (CellResult r : outcome.results().values()) {
            if (r.cell().width() != config.width()) {
                continue;
            }
            for (CellResult.TheoryRow t : r.theory()) {
                String key = r.cell().withoutSeed().key() + "|" + t.layer();
                groups.computeIfAbsent(key, k -> new TheoryGroup(r.cell(), t.layer(), t.equation(), new ArrayList<>()))
                        .rows().add(t);
            }
        }
        return List.copyOf(groups.values());
    }

    /**
     * The first BN layer a dropout feeds directly, read from the spec of the first architecture's
     * Dropout-(a) model (the layers are found in the block, not by their names).
     */
    String firstDropoutSite() {
        return dropoutSites(config.architectures().get(0)).get(0);
    }

    /** The BN layers a Dropout-(a) feeds directly in an architecture, in forward order. */
    List<String> dropoutSites(Architecture a) {
        Cell dropoutBeforeBn = Cell.bernoulli(a, config.width(), DropoutPlacement.BEFORE_BN, 0.5, 0);
        return List.copyOf(ModelBlocks.bnLayersAfterDropout(dropoutBeforeBn.spec(config)));
    }

    /**
     * measured/theory − 1 at the first dropout site of every controlled check: the first row, since the
     * theory check lists the spec's dropout sites in forward order.
     */
    List<Double> controlledFirstSiteErrors() {
        List<Double> out = new ArrayList<>();
        for (ExperimentRunner.Controlled c : outcome.controlled()) {
            c.rows().stream().findFirst().ifPresent(t -> out.add(t.relativeError()));
        }
        return out;
    }

    /** The same in every trained model whose first dropout site feeds the BN directly (Eq. 8). */
    List<Double> trainedFirstSiteErrors() {
        List<Double> out = new ArrayList<>();
        for (CellResult r : outcome.results().values()) {
            if (r.cell().width() != config.width()) {
                continue;
            }
            r.theory().stream().findFirst().filter(t -> t.equation().equals("8"))
                    .ifPresent(t -> out.add(t.relativeError()));
        }
        return out;
    }

    // ---------------------------------------------------------------- width sweep

    /** The width sweep's rows in config order; a width without any stored seed has no trained rows. */
    List<WidthRow> widthRows() {
        List<WidthRow> rows = new ArrayList<>();
        ExperimentConfig.WidthSweep sweep = config.widthSweep();
        for (int w : sweep.widths()) {
            List<CellResult> rs = seeds(config.widthCell(w, 0));
            List<CellResult.TheoryRow> first = rs.stream().flatMap(r -> r.theory().stream().limit(1)).toList();
            CellResult.TheoryRow controlled = outcome.controlled().stream()
                    .filter(c -> c.width() == w && c.placement() == DropoutPlacement.BEFORE_CONV
                            && c.dropRatio() == sweep.dropRatio() && !c.rows().isEmpty())
                    .map(c -> c.rows().get(0)).findFirst().orElse(null);
            rows.add(new WidthRow(w, rs, first, controlled));
        }
        return rows;
    }

    // ---------------------------------------------------------------- claims

    private static double maxShift(CellResult r) {
        return r.before().maxHeldOutShift();
    }

    private static double error(CellResult r) {
        return r.before().heldOutError();
    }

    /**
     * The paper's claims this sweep can test, each with its interval and verdict, in the report's
     * order: per architecture the dropout-before-BN findings, Adjust BN, Dropout-(b), Figure 4, dropout
     * after BN and Uout; then the width argument.
     */
    List<Claim> claims() {
        List<Claim> out = new ArrayList<>();
        for (Architecture a : config.architectures()) {
            String id = a.id();
            List<CellResult> none = none(a);
            List<CellResult> dropA = bernoulli(a, DropoutPlacement.BEFORE_BN, 0.5);
            List<CellResult> dropB = bernoulli(a, DropoutPlacement.BEFORE_CONV, 0.5);
            if (!dropA.isEmpty()) {
                out.add(new Claim(id, "Dropout-(a) at drop 0.5 raises the max held-out shift above no dropout",
                        "§3, Figure 1", Interval.difference(stats(dropA, ReproductionFindings::maxShift),
                                stats(none, ReproductionFindings::maxShift)), Interval.Region.above(0), 1, 3, ""));
                List<Double> firstSite = dropA.stream().flatMap(r -> r.theory().stream().limit(1))
                        .filter(t -> t.equation().equals("8")).map(CellResult.TheoryRow::relativeError).toList();
                out.add(new Claim(id, "measured Δ at the first dropout site agrees with Eq. 8 (drop 0.5, trained)",
                        "Eq. 8", Interval.of(firstSite), AGREES, 100, 1, "%"));
                out.add(new Claim(id, "Adjust BN lowers the held-out error of Dropout-(a) at drop 0.5", "Table 3",
                        Interval.of(dropA.stream().map(ReproductionFindings::adjustChange).toList()),
                        Interval.Region.below(0), 100, 2, "pp"));
            }
            if (!dropB.isEmpty()) {
                out.add(new Claim(id, "Adjust BN lowers the held-out error of Dropout-(b) at drop 0.5", "Table 3",
                        Interval.of(dropB.stream().map(ReproductionFindings::adjustChange).toList()),
                        Interval.Region.below(0), 100, 2, "pp"));
                if (!dropA.isEmpty()) {
                    out.add(new Claim(id, "Dropout-(b) shifts less than Dropout-(a) (max held-out shift, drop 0.5)",
                            "§3.2, Eq. 14", Interval.difference(stats(dropB, ReproductionFindings::maxShift),
                                    stats(dropA, ReproductionFindings::maxShift)), Interval.Region.below(0), 1, 3, ""));
                }
            }
            figureClaims(a, out);
            for (double d : ratios(DropoutPlacement.AFTER_BN)) {
                List<CellResult> after = bernoulli(a, DropoutPlacement.AFTER_BN, d);
                if (after.isEmpty()) {
                    continue;
                }
                out.add(new Claim(id, String.format(Locale.ROOT, "dropout after all BN (drop %.1f) leaves the max"
                                + " shift within %.2f of no dropout", d, SHIFT_MARGIN), "§5, Table 4",
                        Interval.difference(stats(after, ReproductionFindings::maxShift),
                                stats(none, ReproductionFindings::maxShift)), Interval.Region.within(SHIFT_MARGIN), 1, 3,
                        ""));
                out.add(new Claim(id, String.format(Locale.ROOT, "dropout after all BN (drop %.1f) lowers the held-out"
                        + " error vs no dropout", d), "Table 4", Interval.difference(stats(after,
                        ReproductionFindings::error), stats(none, ReproductionFindings::error)), Interval.Region.below(0),
                        100, 2, "pp"));
            }
            List<CellResult> bernoulliAtUout = bernoulli(a, config.uoutPlacement(), 0.5);
            for (double beta : config.uoutBetas()) {
                List<CellResult> uout = uout(a, beta);
                if (uout.isEmpty()) {
                    continue;
                }
                out.add(new Claim(id, String.format(Locale.ROOT, "Uout β = %.1f shifts less than Bernoulli drop 0.5"
                                + " in the same place (max held-out shift)", beta), "§5, Table 6",
                        Interval.difference(stats(uout, ReproductionFindings::maxShift),
                                stats(bernoulliAtUout, ReproductionFindings::maxShift)), Interval.Region.below(0), 1, 3,
                        ""));
                out.add(new Claim(id, String.format(Locale.ROOT, "Uout β = %.1f keeps accuracy: held-out error at most"
                                + " %.1f pp above no dropout", beta, 100 * ACCURACY_MARGIN), "Table 6",
                        Interval.difference(stats(uout, ReproductionFindings::error), stats(none,
                                ReproductionFindings::error)), Interval.Region.below(ACCURACY_MARGIN), 100, 2, "pp"));
            }
        }
        widthClaims(out);
        return out;
    }

    /** Figure 4 on training data: the shift grows with the drop ratio and accumulates with depth. */
    private void figureClaims(Architecture a, List<Claim> out) {
        List<Double> drops = ratios(DropoutPlacement.BEFORE_BN);
        List<String> sites = dropoutSites(a);
        if (drops.size() >= 2) {
            double low = drops.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            double high = drops.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            String site = sites.get(0);
            out.add(new Claim(a.id(), String.format(Locale.ROOT, "the shift at `%s` grows with the drop ratio"
                            + " (drop %.1f minus drop %.1f, training data)", site, high, low), "Figure 4",
                    Interval.difference(layerShift(bernoulli(a, DropoutPlacement.BEFORE_BN, high), site, Data.TRAINING),
                            layerShift(bernoulli(a, DropoutPlacement.BEFORE_BN, low), site, Data.TRAINING)),
                    Interval.Region.above(0), 1, 3, ""));
        }
        List<CellResult> dropA = bernoulli(a, DropoutPlacement.BEFORE_BN, 0.5);
        if (sites.size() >= 2 && !dropA.isEmpty()) {
            String first = sites.get(0);
            String last = sites.get(sites.size() - 1);
            out.add(new Claim(a.id(), String.format(Locale.ROOT, "the shift accumulates with depth (`%s` minus `%s`,"
                            + " drop 0.5, training data, per model)", last, first), "Figure 4",
                    Interval.of(dropA.stream().map(r -> layerShift(r, last, Data.TRAINING)
                            - layerShift(r, first, Data.TRAINING)).toList()), Interval.Region.above(0), 1, 3, ""));
        }
    }

    /** The width argument at the first Dropout-(b) site: Eq. 14 per width, d·cos²θ and the shift vs width. */
    private void widthClaims(List<Claim> out) {
        List<WidthRow> rows = widthRows().stream().filter(r -> !r.trained().isEmpty()).toList();
        for (WidthRow r : rows) {
            out.add(new Claim("convnet", String.format(Locale.ROOT, "width %d: Eq. 14 with the trained layer's"
                            + " d·cos²θ predicts the measured Δ within 5 %%", r.width()), "Eq. 14, Table 1",
                    Interval.of(r.trained().stream().map(CellResult.TheoryRow::eq14RelativeError).toList()), AGREES,
                    100, 1, "%"));
        }
        if (rows.size() >= 2) {
            WidthRow narrow = rows.get(0);
            WidthRow wide = rows.get(rows.size() - 1);
            String span = String.format(Locale.ROOT, "width %d minus width %d", wide.width(), narrow.width());
            out.add(new Claim("convnet", "d·cos²θ grows with width (" + span + ")", "Table 1",
                    Interval.difference(rowStats(wide.trained(), CellResult.TheoryRow::dCos2Theta),
                            rowStats(narrow.trained(), CellResult.TheoryRow::dCos2Theta)), Interval.Region.above(0),
                    1, 2, ""));
            out.add(new Claim("convnet", "wider layers dilute the shift at the first Dropout-(b) site, 1/Δ on training"
                            + " data (" + span + ")", "§3.2, Eq. 14",
                    Interval.difference(rowStats(wide.trained(), t -> 1 / t.measuredDelta()),
                            rowStats(narrow.trained(), t -> 1 / t.measuredDelta())), Interval.Region.below(0), 1, 3,
                    ""));
        }
    }

    /** The architectures whose model without dropout is above {@link #UNDERTRAINED_ERROR}, with that error. */
    Map<Architecture, Double> undertrained() {
        Map<Architecture, Double> out = new LinkedHashMap<>();
        for (Architecture a : config.architectures()) {
            SeedStats base = stats(none(a), r -> r.before().heldOutError());
            if (base.n() > 0 && base.mean() > UNDERTRAINED_ERROR) {
                out.put(a, base.mean());
            }
        }
        return out;
    }
}
