package io.varshift.trainer.benchmark;

import com.google.gson.JsonObject;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.corruption.ShiftKind;
import io.varshift.core.data.FashionMnist;
import io.varshift.trainer.progress.JobContext;
import io.varshift.trainer.training.TinyModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole benchmark, quick config, on a tiny model trained in seconds on a Fashion-MNIST subset. */
class DetectorBenchmarkTest {

    @TempDir
    static Path store;

    private static ModelArtifact tiny;
    private static JsonObject result;

    @BeforeAll
    static void trainAndBenchmark() {
        // 500 held-out test images and 300 held-back training images calibrate: the benchmark must rebuild
        // the same split.
        tiny = TinyModel.train(new ModelStore(store), 500, 300, trained -> { });
        result = new DetectorBenchmark(FashionMnist.DEFAULT_DIR).run(tiny, BenchmarkConfig.QUICK, 256,
                JobContext.silent());
    }

    @Test
    void theCalibrationImagesAndTheUnseenPoolAreTheTrainersSplit() {
        JsonObject split = result.getAsJsonObject("split");
        assertThat(split.get("calibrationSamples").getAsInt()).isEqualTo(800);
        assertThat(split.get("unseenFrom").getAsInt()).isEqualTo(500);
        assertThat(split.get("unseenSamples").getAsInt()).isEqualTo(BenchmarkConfig.QUICK.poolLimit());
    }

    @Test
    void everyDetectorHasACleanRateOnUnseenWindowsAndACost() {
        assertThat(result.getAsJsonArray("detectors").asList()).extracting(e -> e.getAsJsonObject().get("name")
                .getAsString()).containsExactly("varshift", "ks-pixels", "mmd-features", "bbsd-softmax");
        result.getAsJsonArray("detectors").forEach(e -> {
            JsonObject d = e.getAsJsonObject();
            assertThat(d.get("cleanWindows").getAsInt()).isEqualTo(BenchmarkConfig.QUICK.cleanWindows());
            assertThat(d.get("cleanLower").getAsDouble()).isLessThanOrEqualTo(d.get("cleanRate").getAsDouble());
            // Calibrated at α = 0.05 on 200 windows: a rate of 0.25 would mean the thresholds do not carry over.
            assertThat(d.get("cleanRate").getAsDouble()).as(d.get("name").getAsString()).isLessThan(0.25);
            assertThat(d.get("msPerWindow").getAsDouble()).isPositive();
        });
    }

    @Test
    void everyCorruptionAndSeverityIsACellWithEveryDetectorAndTheRecovery() {
        assertThat(result.getAsJsonArray("cells")).hasSize(BenchmarkConfig.QUICK.shifts().size()
                * BenchmarkConfig.QUICK.severities().size());
        JsonObject invert = cell(ShiftKind.INVERT, 0.5);
        assertThat(invert.getAsJsonObject("detection").keySet()).containsExactly("varshift", "varshift-cusum",
                "ks-pixels", "mmd-features", "bbsd-softmax");
        // Half-way to the negative image: another data set, seen in the first window.
        JsonObject varshift = invert.getAsJsonObject("detection").getAsJsonObject("varshift");
        assertThat(varshift.get("alarmWithin").getAsDouble()).isEqualTo(1.0);
        assertThat(varshift.get("medianDelay").getAsInt()).isEqualTo(1);
        JsonObject recovery = invert.getAsJsonObject("recovery");
        assertThat(recovery.keySet()).containsExactly("none", "64", "256", "all");
        assertThat(recovery.get("none").getAsDouble()).isEqualTo(invert.get("accuracy").getAsDouble());
        recovery.keySet().forEach(k -> assertThat(recovery.get(k).getAsDouble()).isBetween(0.0, 1.0));
    }

    @Test
    void theReportIsWrittenFromTheJsonAlone(@TempDir Path site) throws Exception {
        Path json = DetectorBenchmark.write(result, site.resolve("data"));
        Path markdown = site.resolve("detector-benchmark.md");
        byte[] grid = new DetectorBenchmark(FashionMnist.DEFAULT_DIR).corruptionGrid();
        List<Path> charts = DetectorReport.read(json).write(markdown, "data/detectors.json", grid);
        String text = Files.readString(markdown);
        assertThat(text).contains("## Clean false-alarm rates", "| `ks-pixels` |", "| invert | 0.50 |",
                "## Label-free recovery", "](detector-benchmark-delay.png)", "](detector-benchmark-corruptions.png)",
                "## Reading");
        for (Path chart : charts) {
            assertThat(Files.readAllBytes(chart)).startsWith(0x89, 'P', 'N', 'G');
        }
        assertThat(Files.readAllBytes(site.resolve("detector-benchmark-corruptions.png"))).startsWith(0x89, 'P');
    }

    @Test
    void aWindowSizeTheModelIsNotCalibratedForIsRefusedNamingTheFix() {
        BenchmarkConfig q = BenchmarkConfig.QUICK;
        BenchmarkConfig other = new BenchmarkConfig("other", q.shifts(), q.severities(), 128, q.alpha(),
                q.calibrationWindows(), q.cleanWindows(), q.permutationWindows(), q.trials(), q.windowsPerTrial(),
                q.warmupWindows(), q.poolLimit(), q.recoverySizes(), q.mmdReference(), q.featureDim(),
                q.permutations(), q.cusumArl(), q.cusumReference(), q.seed());
        assertThatThrownBy(() -> new DetectorBenchmark(FashionMnist.DEFAULT_DIR).run(tiny, other, 256,
                JobContext.silent())).hasMessageContaining("calibrated for windows of [64], not 128")
                .hasMessageContaining("--window-size 128");
    }

    private static JsonObject cell(ShiftKind shift, double severity) {
        return result.getAsJsonArray("cells").asList().stream().map(e -> e.getAsJsonObject())
                .filter(c -> c.get("shift").getAsString().equals(shift.cliName())
                        && c.get("severity").getAsDouble() == severity)
                .findFirst().orElseThrow();
    }
}
