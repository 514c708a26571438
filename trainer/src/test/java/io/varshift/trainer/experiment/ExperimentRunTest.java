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
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The sweep on a tiny config (two cells of a few hundred images): report structure, charts, resumability. */
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
        config = ExperimentConfig.parse(TINY, "tiny");
        first = runner(root.resolve("out"), System::nanoTime).run(Duration.ofMinutes(10));
        report = root.resolve("site/paper-reproduction.md");
        new ReproductionReport(config, first, "./varshift trainer experiment --config tiny.json")
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
    void theFirstRunTrainsBothCellsAndStoresOneFilePerCellAndCheck() {
        assertThat(first.computed()).isEqualTo(2);
        assertThat(first.missing()).isEmpty();
        assertThat(first.results().keySet()).extracting(Cell::key)
                .containsExactly("convnet_none_seed1", "convnet_before-bn_bernoulli_drop0.50_seed1");
        assertThat(first.controlled()).hasSize(2);
        // two cells + controlled checks before-bn and before-conv
        assertThat(filesAfterFirstRun).hasSize(4);
    }

    @Test
    void eachCellMeasuresEveryBnLayerBeforeAndAfterAdjustBn() {
        CellResult dropout = first.results().values().stream()
                .filter(r -> r.cell().placement() != io.varshift.core.spec.ModelSpec.DropoutPlacement.NONE)
                .findFirst().orElseThrow();
        assertThat(dropout.before().layers()).extracting(CellResult.LayerRow::layer)
                .containsExactly("block1.bn1", "block1.bn2");
        assertThat(dropout.theory()).extracting(CellResult.TheoryRow::layer).containsExactly("block1.bn2");
        // Adjust BN sets the moving variance to the eval-mode variance of the same training samples.
        for (CellResult.LayerRow l : dropout.after().layers()) {
            assertThat(l.trainRatio()).as(l.layer()).isBetween(0.999, 1.001);
        }
    }

    @Test
    void theReportHasThePapersTablesFigureTheoryAndDiscussion() throws IOException {
        String md = Files.readString(report);
        assertThat(md).contains("## Table 3 analogue", "## Table 4 analogue", "## Table 6 analogue",
                "## Figure 4 analogue", "## Theory check", "### Controlled: frozen untrained weights",
                "### Trained models", "## Discussion", "## Regenerate",
                "./varshift trainer experiment --config tiny.json", "p is the retain ratio",
                "| convnet | Dropout-(a): directly before BN | 0.5 (p = 0.5) | 1 |",
                "](paper-reproduction/variance-shift-convnet.png)");
        assertThat(md).doesNotContain("NaN", "Incomplete sweep");
    }

    @Test
    void theFigureIsWrittenAsAPng() throws IOException {
        Path chart = root.resolve("site/paper-reproduction/variance-shift-convnet.png");
        byte[] bytes = Files.readAllBytes(chart);
        assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
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
        // Every reading of this clock is an hour later: the one-minute budget is spent at the first check.
        ExperimentRunner.Outcome cut = runner(root.resolve("empty"), () -> now.addAndGet(3_600_000_000_000L))
                .run(Duration.ofMinutes(1));

        assertThat(cut.budgetSpent()).isTrue();
        assertThat(cut.results()).isEmpty();
        assertThat(cut.missing()).hasSize(2);
        Path md = root.resolve("cut/paper-reproduction.md");
        new ReproductionReport(config, cut, "cmd").write(md, ExperimentCommand.chartDir(md));
        assertThat(Files.readString(md)).contains("**Incomplete sweep.**", "`convnet_none_seed1`");
    }

    @Test
    void reportOnlyFromTheCommandLineRewritesTheReportFromStoredCells() throws IOException {
        Path configFile = root.resolve("tiny.json");
        Files.writeString(configFile, TINY);
        Path md = root.resolve("cli/paper-reproduction.md");

        int exit = new CommandLine(new ExperimentCommand()).execute("--config", configFile.toString(), "--out",
                root.resolve("out").toString(), "--report", md.toString(), "--report-only");

        assertThat(exit).isZero();
        assertThat(Files.readString(md)).contains("## Table 3 analogue").doesNotContain("Incomplete sweep");
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
