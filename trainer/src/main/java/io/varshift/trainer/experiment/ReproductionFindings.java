package io.varshift.trainer.experiment;

import io.varshift.core.model.ModelBlocks;
import io.varshift.core.spec.ModelSpec.Architecture;
import io.varshift.core.spec.ModelSpec.DropoutKind;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** Whether Adjust BN lowered the error: decided by the direction per seed, its size by the sd. */
    enum Verdict {
        NO_DATA(""),
        DOES_NOT_REPRODUCE("the paper's finding does NOT reproduce"),
        MIXED("mixed, the finding does not clearly reproduce"),
        WITHIN_NOISE("the paper's finding reproduces in direction, its size is within seed noise"),
        REPRODUCES("the paper's finding reproduces"),
        REPRODUCES_ONE_SEED("the paper's finding reproduces (one seed only)");

        private final String words;

        Verdict(String words) {
            this.words = words;
        }

        public String words() {
            return words;
        }
    }

    /** A verdict with the seeds it rests on: Adjust BN lowered the error in {@code lower} of {@code seeds}. */
    record Judged(Verdict verdict, long lower, int seeds) {
    }

    /** An error against a baseline, with the larger of the two sds as the noise. */
    enum Comparison {
        BETTER, WORSE, NO_DIFFERENT
    }

    /** Uout's largest shift against Bernoulli dropout at drop 0.5 in the same place. */
    enum UoutStability {
        NO_BERNOULLI, LESS, NOT_LESS
    }

    /** The seeds of one trained theory site of one cell (architecture, placement, variant). */
    record TheoryGroup(Cell cell, String layer, String equation, List<CellResult.TheoryRow> rows) {
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
        Cell key = new Cell(a, placement, kind, drop, beta, 0);
        return outcome.results().values().stream().filter(r -> r.cell().withoutSeed().equals(key)).toList();
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

    /** max(r, 1/r) on held-out data before Adjust BN of one layer, over the seeds of {@code rs}. */
    static SeedStats layerShift(List<CellResult> rs, String layer) {
        List<Double> values = new ArrayList<>();
        for (CellResult r : rs) {
            r.before().layers().stream().filter(l -> l.layer().equals(layer))
                    .forEach(l -> values.add(CellResult.shift(l.heldOutRatio())));
        }
        return SeedStats.of(values);
    }

    /** The trained theory rows by cell without seed and layer, in the order the results list them. */
    List<TheoryGroup> trainedTheory() {
        Map<String, TheoryGroup> groups = new LinkedHashMap<>();
        for (CellResult r : outcome.results().values()) {
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
        Cell dropoutBeforeBn = Cell.bernoulli(config.architectures().get(0), DropoutPlacement.BEFORE_BN, 0.5, 0);
        return ModelBlocks.bnLayersAfterDropout(dropoutBeforeBn.spec(config)).iterator().next();
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
            r.theory().stream().findFirst().filter(t -> t.equation().equals("8"))
                    .ifPresent(t -> out.add(t.relativeError()));
        }
        return out;
    }

    // ---------------------------------------------------------------- verdicts

    /** Adjust BN's effect on the error of {@code results}. */
    static Judged verdict(List<CellResult> results) {
        SeedStats change = stats(results, ReproductionFindings::adjustChange);
        if (change.n() == 0) {
            return new Judged(Verdict.NO_DATA, 0, 0);
        }
        long lower = results.stream().filter(r -> adjustChange(r) < 0).count();
        Verdict v;
        if (lower == 0) {
            v = Verdict.DOES_NOT_REPRODUCE;
        } else if (lower < change.n()) {
            v = Verdict.MIXED;
        } else if (change.n() > 1 && Math.abs(change.mean()) <= change.sd()) {
            v = Verdict.WITHIN_NOISE;
        } else {
            v = change.n() == 1 ? Verdict.REPRODUCES_ONE_SEED : Verdict.REPRODUCES;
        }
        return new Judged(v, lower, change.n());
    }

    /** Better, worse or no different beyond seed noise, for an error against a baseline. */
    static Comparison compare(SeedStats error, SeedStats baseline) {
        double noise = Math.max(Double.isNaN(error.sd()) ? 0 : error.sd(),
                Double.isNaN(baseline.sd()) ? 0 : baseline.sd());
        double difference = error.mean() - baseline.mean();
        if (Math.abs(difference) <= noise) {
            return Comparison.NO_DIFFERENT;
        }
        return difference < 0 ? Comparison.BETTER : Comparison.WORSE;
    }

    /** The after-BN drop ratio with the lowest mean held-out error, and the largest mean max shift over them. */
    record AfterBn(double worstShift, double bestRatio, SeedStats bestError) {
    }

    /** Empty when no after-BN cell of the architecture is stored. */
    Optional<AfterBn> afterBn(Architecture a) {
        double worst = 1;
        SeedStats best = null;
        double bestRatio = Double.NaN;
        for (double d : ratios(DropoutPlacement.AFTER_BN)) {
            List<CellResult> rs = bernoulli(a, DropoutPlacement.AFTER_BN, d);
            if (!rs.isEmpty()) {
                worst = Math.max(worst, stats(rs, r -> r.before().maxHeldOutShift()).mean());
                SeedStats e = stats(rs, r -> r.before().heldOutError());
                if (best == null || e.mean() < best.mean()) {
                    best = e;
                    bestRatio = d;
                }
            }
        }
        return best == null ? Optional.empty() : Optional.of(new AfterBn(worst, bestRatio, best));
    }

    /** The largest mean max shift over the Uout cells of an architecture (1 when none are stored). */
    double worstUoutShift(Architecture a) {
        double worst = 1;
        for (double beta : config.uoutBetas()) {
            List<CellResult> rs = uout(a, beta);
            if (!rs.isEmpty()) {
                worst = Math.max(worst, stats(rs, r -> r.before().maxHeldOutShift()).mean());
            }
        }
        return worst;
    }

    static UoutStability uoutStability(double worstUout, SeedStats bernoulli) {
        if (bernoulli.n() == 0) {
            return UoutStability.NO_BERNOULLI;
        }
        return worstUout < bernoulli.mean() ? UoutStability.LESS : UoutStability.NOT_LESS;
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
