package io.varshift.trainer.experiment;

import io.varshift.core.data.FashionMnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole pipeline on the bundled quick config (tiny models on a few hundred images, two seeds,
 * every table, the width sweep): report structure, charts, run ledger, resumability. {@link #TINY}
 * is a two-cell config for the config and budget checks.
 */
class ExperimentRunTest {

    static final String TINY = """
            {"name": "tiny", "architectures": ["convnet"], "width": 2, "blocks": 1, "epochs": 1, "batchSize": 32,
             "trainSamples": 256, "measureSamples": 128, "heldOutSamples": 128, "seeds": [1],
             "bernoulli": [{"placement": "before-bn", "dropRatios": [0.5]}],
             "uout": {"placement": "before-bn", "betas": []},
             "controlled": {"samples": 128, "batches": 10, "dropRatios": [0.5]}}
            """;

    @TempDir
    static Path root;

    private static ExperimentConfig config;
    private static ExperimentRunner.Outcome first;
    private static Map<Path, FileTime> filesAfterFirstRun;
    private static Path report;

    @BeforeAll
    static void runTheTinySweepOnce() throws IOException {
        config = ExperimentConfig.resolve("quick");
        first = runner(root.resolve("out"), System::nanoTime).run(Duration.ofMinutes(10));
        report = root.resolve("site/paper-reproduction.md");
        new ReproductionReport(config, first, "./varshift trainer experiment --config quick")
                .write(report, ExperimentCommand.chartDir(report));
        filesAfterFirstRun = modificationTimes(root.resolve("out"));
    }

    private static ExperimentRunner runner(Path out, java.util.function.LongSupplier clock) {
        return new ExperimentRunner(config, out, FashionMnist.DEFAULT_DIR,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), clock);
    }

    private static Map<Path, FileTime> modificationTimes(Path dir) throws IOException {
        Map<Path, FileTime> times = new HashMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                times.put(f, Files.getLastModifiedTime(f));
            }
        }
        return times;
    }

    @Test
    void theFirstRunTrainsEveryCellAndStoresOneFilePerCellAndCheckAndRecordsTheRun() {
        // per seed: none, before-bn 0.3 and 0.5, before-conv 0.5, after-bn 0.5, Uout 0.3, width 4
        assertThat(first.computed()).isEqualTo(14);
        assertThat(first.missing()).isEmpty();
        assertThat(first.results().keySet()).extracting(Cell::key).startsWith("convnet_w2_none_seed1",
                "convnet_w2_before-bn_bernoulli_drop0.50_seed1", "convnet_w2_before-conv_bernoulli_drop0.50_seed1");
        // before-bn and before-conv at width 2, and the width sweep's before-conv at width 4
        assertThat(first.controlled()).extracting(ExperimentRunner.Controlled::width).containsExactly(2, 2, 4);
        assertThat(filesAfterFirstRun).hasSize(14 + 3 + 1);
        assertThat(first.runs()).singleElement().satisfies(run -> {
            assertThat(run.cells()).isEqualTo(14);
            assertThat(run.budgetMinutes()).isEqualTo(10);
            assertThat(run.wallMinutes()).isPositive().isLessThan(10);
        });
    }

    @Test
    void theWidthSweepMeasuresEq14AtTheFirstDropoutSiteOfEveryWidth() {
        ReproductionFindings findings = new ReproductionFindings(config, first);
        List<ReproductionFindings.WidthRow> rows = findings.widthRows();
        assertThat(rows).extracting(ReproductionFindings.WidthRow::width).containsExactly(2, 4);
        for (ReproductionFindings.WidthRow row : rows) {
            assertThat(row.trained()).hasSize(2).allSatisfy(t -> {
                assertThat(t.layer()).isEqualTo("block1.bn2");
                assertThat(t.fanIn()).isEqualTo(row.width() * 9);
                assertThat(t.eq14Delta()).isBetween(0.0, 1.0);
                assertThat(t.rho()).isBetween(-1.0, 1.0);
            });
            assertThat(row.controlled()).isNotNull();
        }
    }

    @Test
    void eachCellMeasuresEveryBnLayerBeforeAndAfterAdjustBn() {
        CellResult dropout = first.results().values().stream()
                .filter(r -> r.cell().placement() != io.varshift.core.spec.ModelSpec.DropoutPlacement.NONE)
                .findFirst().orElseThrow();
        assertThat(dropout.before().layers()).extracting(CellResult.LayerRow::layer)
                .containsExactly("block1.bn1", "block1.bn2", "block2.bn1", "block2.bn2");
        assertThat(dropout.theory()).extracting(CellResult.TheoryRow::layer).containsExactly("block1.bn2",
                "block2.bn2");
        // Adjust BN sets the moving variance to the eval-mode variance of the same training samples.
        for (CellResult.LayerRow l : dropout.after().layers()) {
            assertThat(l.trainRatio()).as(l.layer()).isBetween(0.999, 1.001);
        }
    }

    @Test
    void theReportHasThePapersTablesFigureTheoryAndDiscussion() throws IOException {
        String md = Files.readString(report);
        assertThat(md).contains("## Table 3 analogue", "## Table 4 analogue", "## Table 6 analogue",
                "## Figure 4 analogue", "**convnet, training data**", "**convnet, held-out data**",
                "## Width sweep: Eq. 14 and Table 1", "## Theory check", "### Controlled: frozen untrained weights",
                "### Trained models", "## What we reproduce and what we do not", "**Verdict rule.**",
                "## Regenerate", "./varshift trainer experiment --config quick", "p is the retain ratio",
                "| convnet | Dropout-(a): directly before BN | 0.5 (p = 0.5) | 2 |",
                "| convnet | Uout β = 0.3 keeps accuracy", "| runs that trained cells | 1 (budget 10 min;",
                "](paper-reproduction/variance-shift-convnet.png)",
                "](paper-reproduction/variance-shift-convnet-train.png)");
        assertThat(md).containsPattern("\\| 4 \\| 2 \\| 36 \\| ");
        assertThat(md).containsPattern("Of \\d+ claims, \\d+ reproduce, \\d+ are contradicted and \\d+ are"
                + " inconclusive\\.");
        assertThat(md).doesNotContain("NaN", "Incomplete sweep");
    }

    @Test
    void bothFigure4ChartsAreWrittenAsPngs() throws IOException {
        for (String name : List.of("variance-shift-convnet.png", "variance-shift-convnet-train.png")) {
            byte[] bytes = Files.readAllBytes(root.resolve("site/paper-reproduction").resolve(name));
            assertThat(bytes).as(name).startsWith(0x89, 'P', 'N', 'G');
        }
    }

    @Test
    void aSecondRunRecomputesNothing() throws IOException {
        ExperimentRunner.Outcome second = runner(root.resolve("out"), System::nanoTime).run(Duration.ofMinutes(10));

        assertThat(second.computed()).isZero();
        assertThat(second.results()).isEqualTo(first.results());
        assertThat(modificationTimes(root.resolve("out"))).isEqualTo(filesAfterFirstRun);
    }

    @Test
    void aSpentBudgetStopsBeforeTrainingAndTheReportNamesTheMissingCells() throws IOException {
        AtomicLong now = new AtomicLong();
        ExperimentConfig tiny = ExperimentConfig.parse(TINY, "tiny");
        // Every reading of this clock is an hour later: the one-minute budget is spent at the first check.
        ExperimentRunner.Outcome cut = new ExperimentRunner(tiny, root.resolve("empty"), FashionMnist.DEFAULT_DIR,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                () -> now.addAndGet(3_600_000_000_000L)).run(Duration.ofMinutes(1));

        assertThat(cut.budgetSpent()).isTrue();
        assertThat(cut.results()).isEmpty();
        assertThat(cut.missing()).hasSize(2);
        assertThat(cut.runs()).isEmpty();
        Path md = root.resolve("cut/paper-reproduction.md");
        new ReproductionReport(tiny, cut, "cmd").write(md, ExperimentCommand.chartDir(md));
        assertThat(Files.readString(md)).contains("**Incomplete sweep.**", "`convnet_w2_none_seed1`",
                "| runs that trained cells | none recorded |");
    }

    @Test
    void reportOnlyFromTheCommandLineRewritesTheReportFromStoredCells() throws IOException {
        Path md = root.resolve("cli/paper-reproduction.md");

        int exit = new CommandLine(new ExperimentCommand()).execute("--config", "quick", "--out",
                root.resolve("out").toString(), "--report", md.toString(), "--report-only");

        assertThat(exit).isZero();
        // the page shows the command that continues the sweep (with the budget), then the same with --report-only
        assertThat(Files.readString(md)).contains("## Table 3 analogue").doesNotContain("Incomplete sweep")
                .containsPattern("\n\\./varshift trainer experiment --config quick --budget-minutes 30 --out \\S+"
                        + " --report \\S+\n\\./varshift trainer experiment --config quick --budget-minutes 30 --out"
                        + " \\S+ --report \\S+ --report-only\n");
        assertThat(modificationTimes(root.resolve("out"))).isEqualTo(filesAfterFirstRun);
    }

    @Test
    void anInvalidConfigIsAUsageErrorNamingTheField() throws IOException {
        Path configFile = root.resolve("bad.json");
        Files.writeString(configFile, TINY.replace("\"width\": 2", "\"width\": 0"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new ExperimentCommand());
        cli.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));

        int exit = cli.execute("--config", configFile.toString(), "--out", root.resolve("bad-out").toString());

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("field 'width' must be a whole number in 1..512");
    }
}
