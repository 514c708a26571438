package io.varshift.trainer.experiment;

import io.varshift.core.spec.ModelSpec.Architecture;
import io.varshift.core.spec.ModelSpec.DropoutPlacement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report of the research sweep from seeded made-up results, against a reviewed rendering of the
 * same results: every table, interval, verdict and sentence of the page is pinned. Two outcomes: the
 * whole sweep, and one with cells missing. After a deliberate change of the page, run with
 * {@code -Dvarshift.rewriteExpected=true} to rewrite the expected files, and review their diff.
 */
class ReproductionReportTest {

    private static final ExperimentConfig CONFIG = ExperimentConfig.resolve("research");

    @TempDir
    Path dir;

    @Test
    void theWholeSweepRendersAsBefore() throws IOException {
        assertRendersAs(outcome(List.of()), "reproduction-complete.md");
    }

    @Test
    void anIncompleteSweepRendersAsBefore() throws IOException {
        List<Cell> cells = CONFIG.cells();
        assertRendersAs(outcome(cells.subList(cells.size() - 5, cells.size())), "reproduction-incomplete.md");
    }

    private void assertRendersAs(ExperimentRunner.Outcome outcome, String expectedResource) throws IOException {
        Path md = dir.resolve("site/paper-reproduction.md");
        new ReproductionReport(CONFIG, outcome, "./varshift trainer experiment --config research --budget-minutes 90")
                .write(md, ExperimentCommand.chartDir(md));
        String actual = Files.readString(md, StandardCharsets.UTF_8);
        if (Boolean.getBoolean("varshift.rewriteExpected")) {
            Files.writeString(Path.of("src/test/resources/io/varshift/trainer/experiment").resolve(expectedResource),
                    actual, StandardCharsets.UTF_8);
        }
        try (InputStream in = ReproductionReportTest.class.getResourceAsStream(expectedResource)) {
            assertThat(in).as(expectedResource).isNotNull();
            assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Every cell of the sweep but {@code missing}, with values drawn from a fixed seed. */
    private static ExperimentRunner.Outcome outcome(List<Cell> missing) {
        Random random = new Random(17);
        Map<Cell, CellResult> results = new LinkedHashMap<>();
        double seconds = 0;
        for (Cell cell : CONFIG.cells()) {
            if (missing.contains(cell)) {
                continue;
            }
            CellResult r = result(cell, random);
            results.put(cell, r);
            seconds += r.seconds();
        }
        List<ExperimentRunner.Controlled> controlled = new ArrayList<>();
        for (ExperimentRunner.Controlled c : new ExperimentRunner(CONFIG, Path.of("unused"), Path.of("unused"),
                System.err, System::nanoTime).controlledCells()) {
            controlled.add(new ExperimentRunner.Controlled(c.architecture(), c.width(), c.placement(), c.dropRatio(),
                    theory(c.architecture(), c.placement(), random)));
        }
        return new ExperimentRunner.Outcome(results, missing, controlled, 0, !missing.isEmpty(), seconds,
                List.of(new ExperimentRunner.Run("2026-12-02T16:29:40Z", 88, 60, 88.4)));
    }

    private static CellResult result(Cell cell, Random random) {
        boolean shifted = cell.placement() == DropoutPlacement.BEFORE_BN
                || cell.placement() == DropoutPlacement.BEFORE_CONV;
        double error = 0.15 + 0.2 * random.nextDouble();
        CellResult.Measurement before = measurement(cell.architecture(), error, shifted ? 0.2 : 0.9, random);
        CellResult.Measurement after = measurement(cell.architecture(), error + 0.08 * (random.nextDouble() - 0.7),
                0.99, random);
        List<CellResult.TheoryRow> theory = cell.placement() == DropoutPlacement.BEFORE_BN
                || cell.placement() == DropoutPlacement.BEFORE_CONV && cell.architecture() == Architecture.CONVNET
                ? theory(cell.architecture(), cell.placement(), random) : List.of();
        return new CellResult(cell, 1 - error + 0.02, 10 + 30 * random.nextDouble(), before, after, theory);
    }

    private static CellResult.Measurement measurement(Architecture a, double error, double lowestRatio,
                                                      Random random) {
        List<CellResult.LayerRow> rows = new ArrayList<>();
        for (String layer : layers(a)) {
            double ratio = lowestRatio + (1 - lowestRatio) * random.nextDouble();
            rows.add(new CellResult.LayerRow(layer, 8, 0.5 + random.nextDouble(), ratio * (0.98 + 0.04
                    * random.nextDouble()), ratio, 1 / ratio + random.nextDouble()));
        }
        return new CellResult.Measurement(error, error - 0.03, rows);
    }

    private static List<CellResult.TheoryRow> theory(Architecture a, DropoutPlacement placement, Random random) {
        if (a == Architecture.PRERESNET && placement == DropoutPlacement.BEFORE_CONV) {
            return List.of();
        }
        List<CellResult.TheoryRow> rows = new ArrayList<>();
        for (String layer : List.of("block1.bn2", "block2.bn2")) {
            double theory = 0.3 + 0.6 * random.nextDouble();
            double measured = theory * (0.97 + 0.05 * random.nextDouble());
            rows.add(placement == DropoutPlacement.BEFORE_CONV
                    ? new CellResult.TheoryRow(layer, "12", measured, theory, 1 + 3 * random.nextDouble(),
                            0.4 + 0.2 * random.nextDouble(), 72, 0.1 * random.nextDouble(),
                            theory * (0.95 + 0.1 * random.nextDouble()))
                    : CellResult.TheoryRow.direct(layer, measured, theory));
        }
        return rows;
    }

    private static List<String> layers(Architecture a) {
        return a == Architecture.PRERESNET
                ? List.of("block1.bn1", "block1.bn2", "block2.bn1", "block2.bn2", "head.bn")
                : List.of("block1.bn1", "block1.bn2", "block2.bn1", "block2.bn2");
    }
}
